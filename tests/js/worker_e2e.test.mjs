// End to end in the real Workers runtime (workerd via Miniflare, from npm) over real HTTP on
// 127.0.0.1, once per store adapter, with Miniflare's real KV, D1 and Durable Objects:
// login, a protected call, expiry, the expired signal, refresh, reuse, revocation, logout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import * as dpop from "dpop";
import { Key } from "../../pkg/node.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const T0 = Math.floor(Date.now() / 1000);
let mf;
let base;

before(async () => {
  mf = new Miniflare({
    modules: true,
    modulesRoot: ROOT,
    scriptPath: fileURLToPath(new URL("./worker/worker.mjs", import.meta.url)),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-06-01",
    kvNamespaces: ["SESSIONS_KV"],
    d1Databases: ["SESSIONS_D1"],
    durableObjects: { SESSIONS_DO: "SessionStoreObject" },
    bindings: {
      SIGNING_JWK: JSON.stringify((await Key.generateAsync("EdDSA", { kid: "e2e" })).toPrivateJwk()),
      REFRESH_JWK: JSON.stringify(Key.generate("HS256", { kid: "refresh" }).toPrivateJwk()),
    },
    host: "127.0.0.1",
    port: 0,
  });
  base = await mf.ready;
  assert.equal(base.hostname, "127.0.0.1");
});

after(async () => {
  await mf?.dispose();
});

function call(store, path, { at = T0, method = "GET", token, body, form, scheme = "Bearer", proof } = {}) {
  const headers = { "x-test-now": String(at) };
  if (token) headers.authorization = `${scheme} ${token}`;
  if (proof) headers.dpop = proof;
  let payload;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(form).toString();
  } else if (body) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  return fetch(new URL(`${path}?store=${store}`, base), { method, headers, body: payload });
}

/** GET /api/me through `authenticateAsync` (the EdDSA signature checked by workerd's WebCrypto). */
const protectedCall = (store, options) => call(store, "/api/me", options);

const refresh = (store, pair, at, useJson = false) =>
  call(store, "/auth/refresh", {
    at,
    method: "POST",
    token: pair.access_token,
    ...(useJson
      ? { body: { grant_type: "refresh_token", refresh_token: pair.refresh_token } }
      : { form: { grant_type: "refresh_token", refresh_token: pair.refresh_token } }),
  });

for (const store of ["memory", "kv", "d1", "do"]) {
  test(`${store}: the whole flow over HTTP in workerd`, async () => {
    const login = await call(store, "/auth/login", { method: "POST", body: { user: `alice-${store}` } });
    assert.equal(login.status, 200);
    assert.equal(login.headers.get("cache-control"), "no-store");
    const first = await login.json();
    assert.equal(first.token_type, "Bearer");
    assert.equal(first.expires_in, 60);
    assert.equal(first.refresh_expires_in, 3600);

    // A protected call.
    const me = await protectedCall(store, { token: first.access_token, at: T0 + 30 });
    assert.equal(me.status, 200);
    assert.deepEqual(Object.keys(await me.json()).sort(), ["role", "sid", "sub"]);

    // Expiry: the distinct expired signal, and only for an otherwise valid token.
    const expired = await protectedCall(store, { token: first.access_token, at: T0 + 60 });
    assert.equal(expired.status, 401);
    assert.equal(
      expired.headers.get("www-authenticate"),
      'Bearer error="invalid_token", error_description="token_expired"',
    );
    assert.deepEqual(await expired.json(), { error: "token_expired" });
    const forged = first.access_token.slice(0, -3) + (first.access_token.endsWith("AAA") ? "BBB" : "AAA");
    const bad = await protectedCall(store, { token: forged, at: T0 + 60 });
    assert.equal(bad.status, 401);
    assert.doesNotMatch(bad.headers.get("www-authenticate"), /token_expired/);
    const none = await protectedCall(store, { at: T0 });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), "Bearer");

    // Refresh with the expired access token (form body), then the new token works.
    const refreshed = await refresh(store, first, T0 + 61);
    assert.equal(refreshed.status, 200);
    const second = await refreshed.json();
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await protectedCall(store, { token: second.access_token, at: T0 + 62 })).status, 200);

    // Inside the grace window the old refresh token answers the same current one (JSON body).
    const repeat = await refresh(store, first, T0 + 65, true);
    assert.equal(repeat.status, 200);
    assert.equal((await repeat.json()).refresh_token, second.refresh_token);

    // After it: reuse revokes the session, and every token of it stops working.
    const reuse = await refresh(store, first, T0 + 100);
    assert.equal(reuse.status, 400);
    assert.deepEqual(await reuse.json(), { error: "invalid_grant", error_description: "refresh_token_reused" });
    const revoked = await refresh(store, second, T0 + 101);
    assert.equal(revoked.status, 400);
    assert.deepEqual(await revoked.json(), { error: "invalid_grant", error_description: "session_revoked" });

    // Logout of a fresh session.
    const other = await (await call(store, "/auth/login", { method: "POST", body: { user: `bob-${store}` } })).json();
    const logout = await call(store, "/auth/logout", { method: "POST", body: { refresh_token: other.refresh_token } });
    assert.equal(logout.status, 204);
    const afterLogout = await refresh(store, other, T0 + 5);
    assert.equal((await afterLogout.json()).error_description, "session_revoked");

    // A malformed refresh request is invalid_request.
    const malformed = await call(store, "/auth/refresh", { method: "POST", form: { grant_type: "password" } });
    assert.equal(malformed.status, 400);
    assert.equal((await malformed.json()).error, "invalid_request");
  });

  test(`${store}: concurrent refreshes with one token end on one refresh token`, async () => {
    const pair = await (await call(store, "/auth/login", { method: "POST", body: { user: `carol-${store}` } })).json();
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(store, pair, T0 + 61)));
    const bodies = await Promise.all(answers.map((r) => r.json()));
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200, 200]);
    assert.equal(new Set(bodies.map((b) => b.refresh_token)).size, 1);
    // That one token is the live one.
    const next = await refresh(store, { ...pair, refresh_token: bodies[0].refresh_token }, T0 + 62);
    assert.equal(next.status, 200);
  });
}

// A logout racing a refresh, in one location (no replication lag): KV has no conditional write,
// so the refresh's read-then-write could land after the logout's and un-revoke the session.
// Revocation must be sticky on every store: once the logout has answered, nothing refreshes.
for (const store of ["kv", "d1", "do"]) {
  test(`${store}: a logout that races a refresh stays a logout`, async () => {
    const SESSIONS = 40;
    const kept = [];
    await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const user = `race-${store}-${i}`;
        const pair = await (await call(store, "/auth/login", { method: "POST", body: { user } })).json();
        const [raced] = await Promise.all([
          refresh(store, pair, T0 + 61),
          call(store, "/auth/logout", { method: "POST", body: { refresh_token: pair.refresh_token } }).then((r) => {
            assert.equal(r.status, 204);
          }),
        ]);
        // Whatever the raced refresh answered, the session is over now: its tokens (new or
        // old) refresh nothing, now or later.
        const answered = raced.status === 200 ? await raced.json() : pair;
        for (const at of [T0 + 62, T0 + 200]) {
          const after = await refresh(store, answered, at);
          if (after.status === 200) kept.push(user);
          else assert.equal((await after.json()).error, "invalid_grant");
        }
      }),
    );
    assert.deepEqual(kept, [], `${kept.length} of ${SESSIONS} sessions kept refreshing after their logout`);
  });
}

test("authenticate, the synchronous form, refuses the EdDSA key and names authenticateAsync", async () => {
  const pair = await (await call("memory", "/auth/login", { method: "POST", body: { user: "sync" } })).json();
  const response = await call("memory", "/api/me-sync", { token: pair.access_token });
  const { error, message } = await response.json();
  assert.equal(error, "async_required");
  assert.match(message, /EdDSA.*authenticateAsync/);
});

test("the JWKS endpoint publishes the signing key, without private parts", async () => {
  const jwks = await (await call("memory", "/.well-known/jwks.json")).json();
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0].kid, "e2e");
  assert.equal(jwks.keys[0].d, undefined);
});

test("do: DPoP in workerd with the Durable Object store: bound login, API and refresh by the key only", async () => {
  const now = () => Math.floor(Date.now() / 1000);
  const owner = await dpop.generateKeyPair("ES256");
  const thief = await dpop.generateKeyPair("ES256");
  const url = (path) => new URL(`${path}?store=do`, base).href;
  const login = await call("do", "/auth/login", { at: now(), method: "POST", body: { user: "dora" }, proof: await dpop.generateProof(owner, url("/auth/login"), "POST") });
  const tokens = await login.json();
  assert.equal(tokens.token_type, "DPoP");
  const withProof = async (pair, scheme) => {
    const proof = pair ? await dpop.generateProof(pair, url("/api/me"), "GET", undefined, tokens.access_token) : undefined;
    return call("do", "/api/me", { at: now(), token: tokens.access_token, scheme, proof });
  };
  assert.equal((await (await withProof(owner)).json()).sub, "dora");
  for (const [pair, scheme] of [[thief, "DPoP"], [null, "DPoP"], [null, "Bearer"]]) {
    const refused = await withProof(pair, scheme);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get("www-authenticate"), /^DPoP error="invalid_dpop_proof"/);
  }
  const refresh = async (pair) =>
    call("do", "/auth/refresh", {
      at: now(), method: "POST", token: tokens.access_token, scheme: "DPoP",
      form: { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
      proof: pair ? await dpop.generateProof(pair, url("/auth/refresh"), "POST") : undefined,
    });
  for (const pair of [thief, null]) {
    const refused = await refresh(pair);
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error, "invalid_dpop_proof");
  }
  const rotated = await refresh(owner);
  assert.equal(rotated.status, 200, await rotated.clone().text());
  assert.equal((await rotated.json()).token_type, "DPoP");
});
