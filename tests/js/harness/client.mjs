// What one harness process does: an Issuer over its own connection to the shared store, and
// the commands the coordinator sends it (run.mjs). Also used in-process for the memory store,
// which no two processes can share.
import { createClient } from "redis";
import pg from "pg";
import { Issuer, Key, MemoryStore, PostgresStore, RedisStore } from "../../../pkg/node.js";

/** Codes a legitimate client retries (the store was away, or another tab won a race). */
const TRANSIENT = new Set(["store_unavailable", "store_conflict"]);

/** The store of `spec` (`{ kind, url }`), its own connection; `close()` ends it. */
export async function openStore(spec, shared) {
  if (spec.kind === "memory") return { store: shared, close: async () => {} };
  if (spec.kind === "redis") {
    const client = createClient({ url: spec.url, socket: { reconnectStrategy: (retries) => (retries > 50 ? false : 20) } });
    client.on("error", () => {}); // dropped connections surface as typed errors to the Issuer
    await client.connect();
    return { store: new RedisStore(client, { prefix: spec.prefix }), close: () => client.quit().catch(() => {}) };
  }
  const pool = new pg.Pool({ connectionString: spec.url, max: 4 });
  pool.on("error", () => {}); // an idle client killed by the fault injector
  return { store: new PostgresStore(pool, { table: spec.table }), close: () => pool.end().catch(() => {}) };
}

/** The harness's Issuer: short grace and lifetimes, so that the attacks and expiry are reachable. */
export function issuerOver(store, keys) {
  return new Issuer(Key.fromJwk(keys.signing), Key.fromJwk(keys.refresh), {
    issuer: "https://harness.test",
    gracePeriod: "30s",
    sessionLifetime: "1h",
    idleTimeout: "1h",
    storeTimeout: 300,
    store,
  });
}

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
    default:
      throw new Error(`unknown command ${message.op}`);
  }
}

// As a child process: commands over IPC.
if (process.send && process.argv[2] === "--child") {
  let issuer;
  let close = async () => {};
  process.on("message", async (message) => {
    if (message.op === "init") {
      const opened = await openStore(message.spec, new MemoryStore());
      close = opened.close;
      issuer = issuerOver(opened.store, message.keys);
      return process.send({ id: message.id, ready: true });
    }
    if (message.op === "exit") {
      await close();
      return process.exit(0);
    }
    try {
      process.send({ id: message.id, ...(await command(issuer, message)) });
    } catch (e) {
      process.send({ id: message.id, crashed: String(e) });
    }
  });
}
