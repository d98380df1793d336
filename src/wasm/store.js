// A session store's answer raced against a deadline, so that a hung backend cannot hang the
// request. Done here rather than with a Rust closure per call: a timer callback that is cleared
// before it runs would keep that closure's memory for good.
export function withTimeout(promise, timeoutMs) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject("timeout"), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
