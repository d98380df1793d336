// Every session store's constructor checks what it is given, so that a binding misnamed in
// `env` (undefined) or a wrong client fails at once with a typed error naming it, instead of
// at the first refresh. Right arguments: real clients, constructed without a server (the
// stores' behaviour against real servers and workerd is in their own tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import Redis from "ioredis";
import pg from "pg";
import postgresJs from "postgres";
import { D1Store, DurableObjectStore, KvStore, PostgresStore, RedisStore, isJwtRefreshError } from "../../pkg/node.js";

const typed = (text) => (e) => isJwtRefreshError(e) && e.code === "invalid_options" && e.message.includes(text);

test("a store given no binding, or something else, names what it needs", () => {
  for (const wrong of [undefined, null, {}, "SESSIONS", Promise.resolve({})]) {
    assert.throws(() => new KvStore(wrong), typed("KvStore needs a Workers KV namespace (a binding of env), not"));
    assert.throws(() => new D1Store(wrong), typed("D1Store needs a D1 database (a binding of env), not"));
    assert.throws(() => new DurableObjectStore(wrong), typed("DurableObjectStore needs a Durable Object namespace"));
    assert.throws(() => new RedisStore(wrong), typed("RedisStore needs a node-redis or ioredis client, not"));
    assert.throws(() => new PostgresStore(wrong), typed("PostgresStore needs a pg Pool or Client, or a postgres.js sql, not"));
  }
  assert.throws(() => new KvStore(undefined), typed("not undefined"));
  assert.throws(() => new D1Store(Promise.resolve({})), typed("not a Promise: did you forget await?"));
});

test("a table that is not a plain SQL identifier, or a prefix that is not a string, is refused by name", async () => {
  const pool = new pg.Pool({ host: "127.0.0.1", port: 9 });
  const redis = createClient({ url: "redis://127.0.0.1:9" });
  try {
    for (const table of ["sessions; DROP TABLE users", "1sessions", "jwt-refresh", ""]) {
      assert.throws(() => new PostgresStore(pool, { table }), typed(`PostgresStore: table must be a plain SQL identifier (letters, digits and _, not first a digit), not ${JSON.stringify(table)}`));
    }
    assert.throws(() => new PostgresStore(pool, { table: 5 }), typed("not a value of type number"));
    assert.throws(() => new RedisStore(redis, { prefix: 5 }), typed("RedisStore: prefix must be a string, not a value of type number"));
    // Right arguments pass, with the defaults and without.
    assert.equal(new PostgresStore(pool).table, "jwt_refresh_sessions");
    assert.equal(new PostgresStore(pool, { table: "auth_sessions_2" }).table, "auth_sessions_2");
    assert.equal(new PostgresStore(postgresJs({ host: "127.0.0.1", port: 9 })).table, "jwt_refresh_sessions");
    assert.equal(new RedisStore(redis).prefix, "jwt-refresh:");
    const ioredis = new Redis({ host: "127.0.0.1", port: 9, lazyConnect: true });
    assert.equal(new RedisStore(ioredis, { prefix: "app:" }).prefix, "app:");
    ioredis.disconnect();
  } finally {
    await pool.end();
  }
});
