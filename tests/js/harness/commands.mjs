// The harness's commands (run.mjs sends them): what a legitimate client, an owner logging out,
// an attacker and an operator do with an Issuer. No runtime dependency: the same module runs
// in a Node process and in the harness's Worker.

/** The harness Issuer's options beside its keys and store: a short grace window and lifetime,
 *  so that the attacks and the expiry are reachable; a short store timeout, for the stall. */
export const HARNESS_ISSUER = {
  issuer: "https://harness.test",
  gracePeriod: "30s",
  sessionLifetime: "1h",
  idleTimeout: "1h",
  storeTimeout: 300,
};

/** Codes a legitimate client retries (the store was away, or another tab won a race). */
const TRANSIENT = new Set(["store_unavailable", "store_conflict"]);

/** An outcome as data: the pair, or the error's code (a plain Error becomes "untyped: …"). */
const outcome = (promise) =>
  promise.then(
    (pair) => ({ ok: true, pair }),
    (e) => ({ ok: false, code: typeof e?.code === "string" ? e.code : `untyped: ${e}` }),
  );

/** A refresh as a legitimate client makes it: transient failures retried a few times. */
async function refreshLikeAClient(issuer, pair, options) {
  let last;
  for (let attempt = 0; attempt < 8; attempt++) {
    last = await outcome(issuer.refresh(pair.access_token, pair.refresh_token, options));
    if (last.ok || !TRANSIENT.has(last.code)) return { ...last, retried: attempt };
    await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
  }
  return { ...last, retried: 8 };
}

/** Runs one command of the coordinator; returns what it observed. */
export async function command(issuer, message) {
  const at = (offset) => (offset ? { currentDate: new Date(Date.now() + offset * 1000) } : undefined);
  switch (message.op) {
    case "burst": {
      // Several tabs refresh the same pair at once: one rotates, the others get the current pair
      // from the grace window.
      const startedAt = Date.now();
      const results = await Promise.all(Array.from({ length: message.tabs }, () => refreshLikeAClient(issuer, message.pair)));
      return { results, startedAt, endedAt: Date.now() };
    }
    case "refresh":
      return { result: await refreshLikeAClient(issuer, message.pair, at(message.offset)), startedAt: Date.now() };
    case "replay":
      return { result: await outcome(issuer.refresh(message.pair.access_token, message.pair.refresh_token, at(message.offset))) };
    case "logout":
      return { result: await outcome(issuer.revokeByRefreshToken(message.pair.refresh_token)) };
    case "start":
      return { pair: await issuer.startSession(message.subject, message.claims) };
    case "revokeAll":
      return { count: await issuer.revokeAll(message.subject) };
    default:
      throw new Error(`unknown command ${message.op}`);
  }
}

