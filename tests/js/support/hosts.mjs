// Spies on the host's crypto (node:crypto and WebCrypto) for the tests of what the package
// leaves to the host, and a way to hide node:crypto as browsers and workerd do.

export const nodeCrypto = process.getBuiltinModule("node:crypto");

/** Runs `body` with `api[method]` replaced by `replacement(original)`. */
export async function patched(api, method, replacement, body) {
  const original = api[method];
  api[method] = replacement(original);
  try {
    return await body();
  } finally {
    api[method] = original;
  }
}

/** Runs `body` where node:crypto cannot be found, as in browsers and workerd. */
export const withoutNodeCrypto = (body) =>
  patched(process, "getBuiltinModule", (original) => (name) => (name === "node:crypto" ? undefined : original.call(process, name)), body);

export const HOSTS = {
  "node:crypto": { api: nodeCrypto, importers: ["createPublicKey", "createPrivateKey"], run: (body) => body() },
  WebCrypto: { api: crypto.subtle, importers: ["importKey"], run: withoutNodeCrypto },
};

/** Counts calls of `api[method]` while `body` runs. */
export async function counting(api, method, body) {
  const calls = { count: 0 };
  const spy = (original) =>
    function (...args) {
      calls.count += 1;
      return original.apply(this, args);
    };
  await patched(api, method, spy, () => body(calls));
  return calls.count;
}

/** Calls of `method` on either host (node:crypto and WebCrypto) while `body` runs. */
export async function countingBoth(method, body) {
  let web = 0;
  const node = await counting(nodeCrypto, method, async () => {
    web = await counting(crypto.subtle, method, body);
  });
  return node + web;
}
