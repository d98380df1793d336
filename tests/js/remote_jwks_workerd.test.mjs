// KeySet.remote in the Workers runtime (workerd via Miniflare), against the JWKS endpoint on
// 127.0.0.1: fetched once for an isolate's long-lived key set, one fetch for concurrent
// requests, a rotated key found by the kid-miss refetch, and the Cache API sparing a fresh
// key set (a new isolate) the fetch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { startJwksServer } from "./support/jwks-server.mjs";
import { isExpiredSignal } from "../../pkg/node.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let server;
let mf;
let base;
let signer;

before(async () => {
  server = await startJwksServer();
  signer = await server.addKey("a");
  mf = new Miniflare({
    modules: true,
    modulesRoot: ROOT,
    scriptPath: fileURLToPath(new URL("./worker/jwks-worker.mjs", import.meta.url)),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-06-01",
    bindings: { JWKS_URL: server.url },
    host: "127.0.0.1",
    port: 0,
  });
  base = await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await server?.close();
});

const verify = async (set, token) => {
  const response = await fetch(new URL(`/?set=${set}`, base), { headers: { authorization: `Bearer ${token}` } });
  return response.json();
};

test("an isolate's key set fetches once, for concurrent requests too", async () => {
  server.state.requests = 0;
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => signer({ sub: `u${i}` })));
  const answers = await Promise.all(tokens.map((token) => verify("long", token)));
  assert.deepEqual(answers.map((a) => a.sub), tokens.map((_, i) => `u${i}`));
  assert.equal((await verify("long", tokens[0])).sub, "u0");
  assert.equal(server.state.requests, 1);
});

test("a key the provider rotates in is found by one refetch", async () => {
  await verify("long", await signer({ sub: "warm" }));
  await new Promise((resolve) => setTimeout(resolve, 250)); // past the 0.2 s cooldown
  const before = server.state.requests;
  const rotated = await server.addKey("b", "ES256");
  assert.equal((await verify("long", await rotated({ sub: "rotated" }))).sub, "rotated");
  assert.equal(server.state.requests, before + 1);
});

test("the Cache API spares a new key set (a fresh isolate) the fetch", async () => {
  const token = await signer({ sub: "shared" });
  server.state.requests = 0;
  for (let i = 0; i < 3; i++) assert.deepEqual(await verify("shared", token), { sub: "shared" });
  assert.equal(server.state.requests, 1, "the first stored it; the others found it in caches.default");
  for (let i = 0; i < 2; i++) assert.equal((await verify("fresh", token)).sub, "shared");
  assert.equal(server.state.requests, 3, "without the cache every new key set fetches");
});

test("a failing endpoint is jwks_fetch_failed, garbage jwks_invalid", async () => {
  const token = await signer({ sub: "x" });
  server.state.mode = "fail";
  assert.equal((await verify("fresh", token)).error, "jwks_fetch_failed");
  server.state.mode = "garbage";
  assert.equal((await verify("fresh", token)).error, "jwks_invalid");
  server.state.mode = "ok";
});

test("a ResourceServer in workerd: RFC 9068 access tokens of the JWKS pass, an expired one gets the expired signal", async () => {
  const call = async (token, later = 0) => fetch(new URL(`/api?later=${later}`, base), { headers: { authorization: `Bearer ${token}` } });
  const access = { typ: "at+jwt" };
  const claims = { sub: "ada", iss: "https://auth.example", aud: "api" };
  const ok = await call(await signer(claims, access));
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual(await ok.json(), { sub: "ada" });
  const expired = await call(await signer(claims, access), 600); // the signer's tokens live 5 minutes
  assert.equal(expired.status, 401);
  assert.equal(isExpiredSignal(401, expired.headers.get("www-authenticate")), true);
  for (const [label, token] of [
    ["another audience", await signer({ ...claims, aud: "billing" }, access)],
    ["an ID token's typ", await signer(claims)],
    ["no sub", await signer({ iss: claims.iss, aud: claims.aud }, access)],
  ]) {
    const refused = await call(token);
    assert.equal(refused.status, 401, label);
    assert.equal(isExpiredSignal(401, refused.headers.get("www-authenticate")), false, label);
  }
});
