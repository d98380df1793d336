// KeySet.remote against a JWKS endpoint on 127.0.0.1 that rotates keys, answers slowly,
// fails, returns garbage or a huge body, and counts requests: cache hits, the cooldown, the
// kid-miss refetch, one fetch for many concurrent verifies, the timeout, stale keys while the
// endpoint fails, Cache-Control, and a shared cache. The timing rules themselves are proven
// deterministically in remote_jwks.rs; here the network side is real.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KeySet, isJwtRefreshError } from "../../pkg/node.js";
import { startJwksServer } from "./support/jwks-server.mjs";

let server;
before(async () => {
  server = await startJwksServer();
});
after(() => server.close());

const ISSUER = "https://login.example";
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const codeOf = (promise) => promise.then(() => "accepted", (e) => (assert.ok(isJwtRefreshError(e), String(e)), e.code));

/** A fresh endpoint state for each test: keys, mode, counters. */
async function reset(...kids) {
  Object.assign(server.state, { keys: [], mode: "ok", delayMs: 0, cacheControl: undefined, requests: 0 });
  const signers = {};
  for (const kid of kids) signers[kid] = await server.addKey(kid);
  return signers;
}

test("fetched once, then served from memory while fresh", async () => {
  const { a } = await reset("a");
  const jwks = KeySet.remote(server.url);
  assert.equal(jwks.url, server.url);
  for (let i = 0; i < 5; i++) {
    const { payload } = await jwks.verifyAsync(await a({ sub: `u${i}` }, {}), { issuer: undefined });
    assert.equal(payload.sub, `u${i}`);
  }
  assert.equal(server.state.requests, 1);
});

test("many concurrent verifies share one fetch", async () => {
  const { a } = await reset("a");
  server.state.delayMs = 100;
  const jwks = KeySet.remote(server.url);
  const token = await a({ sub: "u" });
  const results = await Promise.all(Array.from({ length: 50 }, () => jwks.verifyAsync(token)));
  assert.ok(results.every((r) => r.payload.sub === "u"));
  assert.equal(server.state.requests, 1);
});

test("a kid the keys lack refetches once (rotation), then not again within the cooldown", async () => {
  const { a } = await reset("a");
  const jwks = KeySet.remote(server.url, { cooldown: 0.2 });
  await jwks.verifyAsync(await a({ sub: "u" }));
  await pause(250);
  const b = await server.addKey("b"); // the provider rotates in a new key
  assert.equal((await jwks.verifyAsync(await b({ sub: "v" }))).payload.sub, "v");
  assert.equal(server.state.requests, 2, "one refetch for the unknown kid");
  // A made-up kid right after: no fetch within the cooldown, key_not_found at once.
  const forged = (await b({ sub: "w" })).replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: "RS256", kid: "nope" })).toString("base64url"));
  for (let i = 0; i < 10; i++) assert.equal(await codeOf(jwks.verifyAsync(forged)), "key_not_found");
  assert.equal(server.state.requests, 2);
});

test("stale keys keep serving while the endpoint fails, within staleIfError", async () => {
  const { a } = await reset("a");
  const jwks = KeySet.remote(server.url, { cacheMaxAge: 0.05, cooldown: 0, staleIfError: 60 });
  const token = await a({ sub: "u" });
  await jwks.verifyAsync(token);
  await pause(80); // past freshness
  for (const mode of ["fail", "garbage", "hang"]) {
    server.state.mode = mode;
    if (mode === "hang") server.state.delayMs = 0;
    const jwksWithTimeout = mode === "hang" ? KeySet.remote(server.url, { timeout: 0.2 }) : null;
    if (jwksWithTimeout) {
      // A key set that never got keys has nothing stale: the timeout is the error.
      assert.equal(await codeOf(jwksWithTimeout.verifyAsync(token)), "jwks_fetch_failed");
      continue;
    }
    assert.equal((await jwks.verifyAsync(token)).payload.sub, "u", mode);
  }
  // Without stale keys to fall back on, each failure is its typed error.
  server.state.mode = "fail";
  assert.equal(await codeOf(KeySet.remote(server.url).verifyAsync(token)), "jwks_fetch_failed");
  server.state.mode = "garbage";
  assert.equal(await codeOf(KeySet.remote(server.url).verifyAsync(token)), "jwks_invalid");
  server.state.mode = "huge";
  const huge = KeySet.remote(server.url, { maxBodySize: 100_000 });
  const error = await huge.verifyAsync(token).catch((e) => e);
  assert.equal(error.code, "jwks_invalid");
  assert.match(error.message, /larger than 100000 bytes/);
});

test("the timeout ends a fetch that hangs, and the failure is not retried within the cooldown", async () => {
  const { a } = await reset("a");
  server.state.mode = "hang";
  const jwks = KeySet.remote(server.url, { timeout: 0.2, cooldown: 5 });
  const token = await a({ sub: "u" });
  const error = await jwks.verifyAsync(token).catch((e) => e);
  assert.equal(error.code, "jwks_fetch_failed");
  assert.match(error.message, /no answer within 200 ms/);
  server.state.mode = "ok";
  assert.equal(await codeOf(jwks.verifyAsync(token)), "jwks_fetch_failed", "within the cooldown: the same error, no fetch");
  assert.equal(server.state.requests, 1);
});

test("Cache-Control max-age shortens the cache within its bounds", async () => {
  const { a } = await reset("a");
  server.state.cacheControl = "public, max-age=0";
  const jwks = KeySet.remote(server.url, { cooldown: 0.1 });
  const token = await a({ sub: "u" });
  await jwks.verifyAsync(token);
  await jwks.verifyAsync(token);
  assert.equal(server.state.requests, 1, "kept for the cooldown at least");
  await pause(150);
  await jwks.verifyAsync(token);
  assert.equal(server.state.requests, 2, "max-age=0: fetched again once the cooldown passed");
});

test("a shared cache lets a second key set (another isolate) skip the fetch", async () => {
  const { a } = await reset("a");
  const store = new Map();
  const shared = {
    match: async (url) => store.get(url)?.clone(),
    put: async (url, response) => void store.set(url, response),
  };
  const token = await a({ sub: "u" });
  await KeySet.remote(server.url, { cache: shared }).verifyAsync(token);
  assert.equal(server.state.requests, 1);
  assert.ok(Number(store.get(server.url).headers.get("x-jwt-refresh-fresh-until")) > Date.now());
  const second = KeySet.remote(server.url, { cache: shared });
  assert.equal((await second.verifyAsync(token)).payload.sub, "u");
  assert.equal(server.state.requests, 1, "the second isolate's keys came from the shared cache");
});

test("options and URLs are checked", () => {
  const throwsCode = (fn, code) => assert.throws(fn, (e) => isJwtRefreshError(e) && e.code === code);
  throwsCode(() => KeySet.remote("http://login.example/jwks.json"), "invalid_options");
  throwsCode(() => KeySet.remote("not a url"), "invalid_options");
  throwsCode(() => KeySet.remote(42), "invalid_options");
  throwsCode(() => KeySet.remote(server.url, { cooldwn: 1 }), "invalid_options");
  throwsCode(() => KeySet.remote(server.url, { cooldown: "20m" }), "invalid_options"); // longer than cacheMaxAge
  throwsCode(() => KeySet.remote(server.url, { timeout: -1 }), "invalid_options");
  throwsCode(() => KeySet.remote(server.url, { cache: "yes" }), "invalid_options");
  throwsCode(() => KeySet.remote(server.url, { fetch: {} }), "invalid_options");
  assert.equal(KeySet.remote("https://login.example/jwks.json").url, "https://login.example/jwks.json");
});
