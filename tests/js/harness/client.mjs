// What one harness process does: an Issuer over its own connection to the shared store, and
// the commands the coordinator sends it (run.mjs). Also used in-process for the memory store,
// which no two processes can share.
import { createClient } from "redis";
import pg from "pg";
import { Issuer, Key, MemoryStore, PostgresStore, RedisStore } from "../../../pkg/node.js";
import { HARNESS_ISSUER, command } from "./commands.mjs";

export { command };

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

/** The harness's Issuer over `store`. */
export function issuerOver(store, keys) {
  return new Issuer(Key.fromJwk(keys.signing), Key.fromJwk(keys.refresh), { ...HARNESS_ISSUER, store });
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
