// RedisStore (over node-redis and over ioredis) and PostgresStore (over pg and postgres.js) against real
// servers on 127.0.0.1: the store contract, the Issuer's flow with reuse detection and
// revoke-all, concurrent refreshes of one token (the compare-and-swap lets one through), and
// a lost connection: store_unavailable with nothing changed, then the same tokens work again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import Redis from "ioredis";
import pg from "pg";
import postgresJs from "postgres";
import { Issuer, Key, PostgresStore, RedisStore, isJwtRefreshError } from "../../pkg/node.js";
import { startPostgres, startRedis } from "./support/servers.mjs";
import { checkStoreContract } from "./support/store-contract.mjs";

let redis;
let postgres;
const clients = [];

before(async () => {
  redis = await startRedis(async (port) => {
    const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {}); // refused until the server is up: the poll's answer, not a failure
    try {
      await probe.connect();
      return (await probe.ping()) === "PONG";
    } finally {
      probe.disconnect();
    }
  });
  postgres = await startPostgres(async (port) => {
    const probe = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    try {
      await probe.connect();
      return (await probe.query("SELECT 1 AS one")).rows[0].one === 1;
    } finally {
      await probe.end().catch(() => {});
    }
  });
});

after(async () => {
  for (const close of clients.splice(0)) await close().catch(() => {});
  await redis?.stop();
  await postgres?.stop();
});

/** A fresh store of each kind, each with its own prefix or table, and how to cut its connection. */
const STORES = {
  "RedisStore over node-redis": async (name) => {
    const client = await createClient({ url: redis.url, socket: { reconnectStrategy: false } })
      .on("error", () => {}) // the cut connection's errors reach the store's callers
      .connect();
    clients.push(() => client.quit());
    const key = (subject, sid) => `${name}:s:${subject}:${sid}`;
    return {
      store: new RedisStore(client, { prefix: `${name}:` }),
      cut: () => client.disconnect(),
      corrupt: (subject, sid, value, version) => client.hSet(key(subject, sid), { value, version }),
    };
  },
  "RedisStore over ioredis": async (name) => {
    const client = new Redis({ port: redis.port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => {}); // the cut connection's errors reach the store's callers
    clients.push(async () => client.disconnect());
    const key = (subject, sid) => `${name}:s:${subject}:${sid}`;
    return {
      store: new RedisStore(client, { prefix: `${name}:` }),
      cut: () => client.disconnect(),
      corrupt: (subject, sid, value, version) => client.hset(key(subject, sid), "value", value, "version", version),
    };
  },
  "PostgresStore over postgres.js": async (name) => {
    const sql = postgresJs(postgres.connectionString, { max: 4, onnotice: () => {} });
    clients.push(() => sql.end({ timeout: 1 }));
    const table = name.replace(/[^a-z0-9]/g, "_");
    return {
      store: new PostgresStore(sql, { table }),
      cut: () => sql.end({ timeout: 0 }),
      corrupt: (subject, sid, value, version) =>
        sql.unsafe(`UPDATE ${table} SET value = $1, version = $2 WHERE subject = $3 AND session_id = $4`, [value, version, subject, sid]),
    };
  },
  "PostgresStore over pg": async (name) => {
    const pool = new pg.Pool({ connectionString: postgres.connectionString, max: 4 });
    clients.push(() => pool.end());
    const table = name.replace(/[^a-z0-9]/g, "_");
    return {
      store: new PostgresStore(pool, { table }),
      cut: () => pool.end(),
      corrupt: (subject, sid, value, version) =>
        pool.query(`UPDATE ${table} SET value = $1, version = $2 WHERE subject = $3 AND session_id = $4`, [value, version, subject, sid]),
    };
  },
};

let counter = 0;
const unique = (label) => `t${++counter}${label.replace(/[^a-z]/gi, "").toLowerCase()}`;
const codeOf = (promise) => promise.then(() => "ok", (e) => (assert.ok(isJwtRefreshError(e), String(e)), e.code));

for (const [label, make] of Object.entries(STORES)) {
  test(`${label}: the store contract`, async () => {
    const { store } = await make(unique(label));
    await checkStoreContract(store, { forgetsExpired: true });
  });

  test(`${label}: the Issuer's flow, concurrent refreshes, reuse, revoke-all`, async () => {
    const { store } = await make(unique(label));
    const issuer = new Issuer(await Key.generateAsync("ES256"), Key.generate("HS256"), { issuer: "https://auth.test", store, gracePeriod: 0 });
    const pair = await issuer.startSession("ada", { plan: "pro" });
    // Ten refreshes of one token at once: exactly one rotates; the others see a rotated
    // session (grace period 0: reuse, which revokes) or lose the race.
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => issuer.refresh(pair.access_token, pair.refresh_token).then(() => "ok", (e) => e.code)));
    assert.equal(outcomes.filter((o) => o === "ok").length, 1, JSON.stringify(outcomes));
    assert.ok(outcomes.every((o) => ["ok", "refresh_token_reused", "session_revoked", "store_conflict"].includes(o)), JSON.stringify(outcomes));
    const second = await issuer.startSession("ada", {});
    const next = await issuer.refresh(second.access_token, second.refresh_token);
    assert.equal(await codeOf(issuer.refresh(second.access_token, second.refresh_token)), "refresh_token_reused");
    assert.equal(await codeOf(issuer.refresh(next.access_token, next.refresh_token)), "session_revoked");
    const third = await issuer.startSession("ada", {});
    assert.ok((await issuer.revokeAll("ada")) >= 1);
    assert.equal(await codeOf(issuer.refresh(third.access_token, third.refresh_token)), "session_revoked");
  });

  test(`${label}: a lost connection is store_unavailable and changes nothing`, async () => {
    const name = unique(label);
    const { store, cut } = await make(name);
    const keys = [Key.generate("HS256"), Key.generate("HS256")];
    const issuerOver = (sessions) => new Issuer(keys[0], keys[1], { issuer: "https://auth.test", store: sessions, storeTimeout: 2000 });
    const issuer = issuerOver(store);
    const pair = await issuer.startSession("ada", {});
    await cut();
    assert.equal(await codeOf(issuer.refresh(pair.access_token, pair.refresh_token)), "store_unavailable");
    assert.equal(await codeOf(issuer.startSession("bob", {})), "store_unavailable");
    // A new connection to the same data: the same pair refreshes (nothing was lost or spent).
    const { store: reconnected } = await make(name);
    const next = await issuerOver(reconnected).refresh(pair.access_token, pair.refresh_token);
    assert.notEqual(next.refresh_token, pair.refresh_token);
  });
}

for (const [label, make] of Object.entries(STORES)) {
  test(`${label}: bad stored data is a typed error, and nothing is written over it`, async () => {
    const { store, corrupt } = await make(unique(label));
    const issuer = new Issuer(Key.generate("HS256"), Key.generate("HS256"), { issuer: "https://auth.test", store });
    const pair = await issuer.startSession("ada", {});
    await corrupt("ada", decodeSid(pair), "not json", 1);
    const error = await issuer.refresh(pair.access_token, pair.refresh_token).catch((e) => e);
    assert.ok(isJwtRefreshError(error), String(error));
    assert.equal(error.code, "store_unavailable");
    assert.match(error.message, /unreadable/);
    assert.deepEqual(await store.get("ada", decodeSid(pair)), { value: "not json", version: 1 });
  });
}

/** The session id of a pair, from its access token's claims. */
function decodeSid(pair) {
  return JSON.parse(Buffer.from(pair.access_token.split(".")[1], "base64url").toString()).sid;
}
