// DPoP at the edge, end to end over real Requests: a session bound at login by a proof from
// panva's `dpop`, protected requests with `Authorization: DPoP` and a proof with `ath`, the
// refresh with a proof by the session's key; a stolen pair replayed with another key or with
// none is refused on refresh and on the API; the nonce dance; the required mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as dpop from "dpop";
import { Issuer, Key, KeySet, MemoryStore, authenticateAsync, decodeUnverified, dpopOf, handleRefresh, isExpiredSignal, tokenResponse } from "../../pkg/node.js";

const BASE = "https://auth.example";
const SECRET = "a server secret of at least 32 characters";

async function issuerWith(dpopOption) {
  return new Issuer(await Key.generateAsync("ES256", { kid: "s" }), Key.generate("HS256"), {
    issuer: BASE, audience: "api", store: new MemoryStore(), dpop: dpopOption,
  });
}

const post = (path, headers, body) => new Request(`${BASE}${path}`, { method: "POST", headers, body });

async function login(issuer, pair, nonce) {
  const request = post("/auth/login", { dpop: await dpop.generateProof(pair, `${BASE}/auth/login`, "POST", nonce) }, "{}");
  return (await tokenResponse(await issuer.startSession("ada", { role: "r" }, { dpop: dpopOf(request) }), issuer)).json();
}

async function refresh(issuer, tokens, pair, nonce) {
  const headers = { "content-type": "application/x-www-form-urlencoded", authorization: `DPoP ${tokens.access_token}` };
  if (pair) headers.dpop = await dpop.generateProof(pair, `${BASE}/auth/refresh`, "POST", nonce);
  return handleRefresh(post("/auth/refresh", headers, `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`), issuer);
}

async function api(issuer, token, { pair, scheme = "DPoP", proofToken = token } = {}) {
  const headers = { authorization: `${scheme} ${token}` };
  if (pair) headers.dpop = await dpop.generateProof(pair, `${BASE}/api/me?x=1`, "GET", undefined, proofToken);
  return authenticateAsync(new Request(`${BASE}/api/me?x=1`, { headers }), issuer);
}

test("a session bound at login: DPoP tokens, requests and refreshes only with its key", async () => {
  const issuer = await issuerWith(true);
  const owner = await dpop.generateKeyPair("ES256");
  const thief = await dpop.generateKeyPair("ES256");
  const tokens = await login(issuer, owner);
  assert.equal(tokens.token_type, "DPoP");
  assert.equal(decodeUnverified(tokens.access_token).payload.cnf.jkt, await dpop.calculateThumbprint(owner.publicKey));

  // Protected requests: the owner's proof passes; the token alone, as Bearer, or with the
  // thief's proof, does not.
  const ok = await api(issuer, tokens.access_token, { pair: owner });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.payload.sub, "ada");
  for (const [label, attempt] of [
    ["no proof", { scheme: "DPoP" }],
    ["as Bearer", { scheme: "Bearer" }],
    ["the thief's key", { pair: thief }],
    ["a proof for another token", { pair: owner, proofToken: "another.token.value" }],
  ]) {
    const refused = await api(issuer, tokens.access_token, attempt);
    assert.equal(refused.ok, false, label);
    assert.equal(refused.response.status, 401, label);
    assert.match(refused.response.headers.get("www-authenticate"), /^DPoP error="invalid_dpop_proof"/, label);
  }

  // Refresh: the thief (another key, or no proof) is refused and changes nothing; the owner
  // refreshes, and the new pair is bound to the same key.
  for (const pair of [thief, null]) {
    const response = await refresh(issuer, tokens, pair);
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error, "invalid_dpop_proof");
  }
  const response = await refresh(issuer, tokens, owner);
  assert.equal(response.status, 200, await response.clone().text());
  const next = await response.json();
  assert.equal(next.token_type, "DPoP");
  assert.equal(decodeUnverified(next.access_token).payload.cnf.jkt, await dpop.calculateThumbprint(owner.publicKey));
  assert.equal((await api(issuer, next.access_token, { pair: owner })).ok, true);
});

test("a bound token checked alone (verifyAccessAsync, accessVerifier, authenticateHttpAsync) is refused", async () => {
  const issuer = await issuerWith(true);
  const tokens = await login(issuer, await dpop.generateKeyPair("ES256"));
  const codeOf = (promise) => promise.then(() => "passed", (e) => e.code);
  // A copy of the token must not pass as a bearer token anywhere the proof is not checked.
  assert.equal(await codeOf(issuer.verifyAccessAsync(tokens.access_token)), "invalid_dpop_proof");
  assert.equal(await codeOf(issuer.accessVerifier().verifyAsync(tokens.access_token)), "invalid_dpop_proof");
  assert.equal(await codeOf(issuer.accessVerifier({ cache: 10 }).verifyAsync(tokens.access_token)), "invalid_dpop_proof");
  const message = await issuer.verifyAccessAsync(tokens.access_token).catch((e) => e.message);
  assert.match(message, /bound to a key \(its cnf claim/);
  const alone = await issuer.authenticateHttpAsync(`Bearer ${tokens.access_token}`);
  assert.equal(alone.ok, false);
  assert.equal(alone.response.status, 401);
  // An unbound token of an issuer that allows DPoP still passes alone.
  const plain = await (await tokenResponse(await issuer.startSession("bob"), issuer)).json();
  assert.equal((await issuer.verifyAccessAsync(plain.access_token)).payload.sub, "bob");
  assert.equal((await issuer.accessVerifier().verifyAsync(plain.access_token)).payload.sub, "bob");
});

test("refuseBound: keys, key sets and verifiers elsewhere refuse a bound token only when told", async () => {
  const issuer = await issuerWith(true);
  const bound = (await login(issuer, await dpop.generateKeyPair("ES256"))).access_token;
  const plain = (await (await tokenResponse(await issuer.startSession("bob"), issuer)).json()).access_token;
  // Another API with the Issuer's published keys.
  const keys = KeySet.fromJwks(issuer.jwks());
  const key = Key.fromJwk(keys.toJwks().keys[0]);
  const checks = { issuer: BASE, audience: "api" };
  const ways = {
    "key.verifyAsync": (token, options) => key.verifyAsync(token, options),
    "keySet.verifyAsync": (token, options) => keys.verifyAsync(token, options),
    "key.verifier().verifyAsync": (token, options) => key.verifier(options).verifyAsync(token),
    "keySet.verifier({ cache }).verifyAsync": (token, options) => keys.verifier({ ...options, cache: 10 }).verifyAsync(token),
  };
  const outcome = (promise) => promise.then((r) => r.payload.sub, (e) => e.code);
  for (const [way, verify] of Object.entries(ways)) {
    // As in jose, a bound token verifies by default (a server that checks the proof itself
    // compares cnf.jkt with the proof's key) ...
    assert.equal(await outcome(verify(bound, checks)), "ada", way);
    assert.equal(await outcome(verify(bound, { ...checks, refuseBound: false })), "ada", way);
    // ... and with refuseBound it is refused, an unbound one still passes.
    assert.equal(await outcome(verify(bound, { ...checks, refuseBound: true })), "invalid_dpop_proof", way);
    assert.equal(await outcome(verify(plain, { ...checks, refuseBound: true })), "bob", way);
    // The signature still comes first.
    const forged = bound.slice(0, bound.lastIndexOf(".") + 1) + plain.split(".")[2];
    assert.equal(await outcome(verify(forged, { ...checks, refuseBound: true })), "invalid_signature", way);
  }
  assert.throws(() => key.verifier({ refuseBound: "yes" }), (e) => e.code === "invalid_options" && /refuseBound/.test(e.message));
  // Any confirmation counts, an mTLS certificate's thumbprint (RFC 8705) as well, and the
  // message says what the token carries instead of assuming DPoP.
  const hmac = Key.generate("HS256");
  const mtls = hmac.sign({ sub: "cy", cnf: { "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" } }, { expiresIn: 60 });
  assert.equal(hmac.verify(mtls).payload.sub, "cy");
  assert.throws(
    () => hmac.verify(mtls, { refuseBound: true }),
    (e) => e.code === "invalid_dpop_proof" && /bound to a key \(its cnf claim/.test(e.message) && !/DPoP key/.test(e.message),
  );
});

test("a replayed proof is refused on the API and at refresh", async () => {
  const issuer = await issuerWith(true);
  const owner = await dpop.generateKeyPair("ES256");
  const tokens = await login(issuer, owner);
  const headers = { authorization: `DPoP ${tokens.access_token}`, dpop: await dpop.generateProof(owner, `${BASE}/api/me`, "GET", undefined, tokens.access_token) };
  const first = await authenticateAsync(new Request(`${BASE}/api/me`, { headers }), issuer);
  assert.equal(first.ok, true);
  const again = await authenticateAsync(new Request(`${BASE}/api/me`, { headers }), issuer);
  assert.equal(again.ok, false, "the same proof twice");
  // At refresh: the recorded proof id of the first refresh, sent again with the next pair.
  const proof = await dpop.generateProof(owner, `${BASE}/auth/refresh`, "POST");
  const form = (t) => `grant_type=refresh_token&refresh_token=${t.refresh_token}`;
  const refreshWith = (t) => handleRefresh(post("/auth/refresh", { "content-type": "application/x-www-form-urlencoded", authorization: `DPoP ${t.access_token}`, dpop: proof }, form(t)), issuer);
  const rotated = await refreshWith(tokens);
  assert.equal(rotated.status, 200);
  const replayed = await refreshWith(await rotated.json());
  assert.equal(replayed.status, 400);
  assert.equal((await replayed.json()).error, "invalid_dpop_proof");
});

test("with nonces on: use_dpop_nonce and a DPoP-Nonce, then the retry passes", async () => {
  const issuer = await issuerWith({ nonceSecret: SECRET });
  const owner = await dpop.generateKeyPair("Ed25519");
  const loginRequest = post("/auth/login", { dpop: await dpop.generateProof(owner, `${BASE}/auth/login`, "POST") }, "{}");
  await assert.rejects(issuer.startSession("ada", {}, { dpop: dpopOf(loginRequest) }), (e) => e.code === "use_dpop_nonce");
  // The server's nonce comes with its answers; the client retries with it.
  const first = await refresh(issuer, { access_token: "x.y.z", refresh_token: "a.b.c" }, owner);
  assert.equal(first.status, 400);
  assert.equal((await first.json()).error, "use_dpop_nonce");
  const nonce = first.headers.get("dpop-nonce");
  assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
  const tokens = await login(issuer, owner, nonce);
  assert.equal(tokens.token_type, "DPoP");
  const refreshed = await refresh(issuer, tokens, owner, nonce);
  assert.equal(refreshed.status, 200, await refreshed.clone().text());
  assert.equal(refreshed.headers.get("dpop-nonce"), nonce);
  // A protected request without the nonce: 401 use_dpop_nonce, with the nonce to use.
  const api401 = await api(issuer, (await refreshed.json()).access_token, { pair: owner });
  assert.equal(api401.ok, false);
  assert.match(api401.response.headers.get("www-authenticate"), /use_dpop_nonce/);
  assert.equal(api401.response.headers.get("dpop-nonce"), nonce);
});

test("required mode: no session without a proof, no token without a binding", async () => {
  const issuer = await issuerWith("required");
  await assert.rejects(issuer.startSession("ada"), (e) => e.code === "invalid_dpop_proof");
  const optional = await issuerWith(true);
  const bearer = await optional.startSession("ada");
  assert.equal(bearer.token_type, "Bearer");
  assert.equal((await api(optional, bearer.access_token, { scheme: "Bearer" })).ok, true);
  // A proof with an unbound token is refused (no downgrade).
  const key = await dpop.generateKeyPair("ES256");
  assert.equal((await api(optional, bearer.access_token, { pair: key })).ok, false);
  // An issuer without the option refuses a DPoP proof at login rather than ignore it.
  const plain = await issuerWith(undefined);
  const request = post("/auth/login", { dpop: await dpop.generateProof(key, `${BASE}/auth/login`, "POST") }, "{}");
  await assert.rejects(plain.startSession("ada", {}, { dpop: dpopOf(request) }), (e) => e.code === "invalid_options");
});

test("an expired DPoP-bound token is refused in the DPoP scheme, as the expired signal", async () => {
  const issuer = new Issuer(await Key.generateAsync("ES256"), Key.generate("HS256"), {
    issuer: BASE, audience: "api", store: new MemoryStore(), dpop: true, accessTtl: "1s",
  });
  const owner = await dpop.generateKeyPair("ES256");
  const tokens = await login(issuer, owner);
  await new Promise((resolve) => setTimeout(resolve, 2200)); // past the one-second token
  const refused = await api(issuer, tokens.access_token, { pair: owner });
  assert.equal(refused.ok, false);
  const challenge = refused.response.headers.get("www-authenticate");
  assert.equal(challenge, 'DPoP error="invalid_token", error_description="token_expired"');
  assert.equal(isExpiredSignal(401, challenge), true, "the client refreshes on it");
  // The same expired token sent as Bearer keeps the Bearer challenge.
  const bearer = await api(issuer, tokens.access_token, { scheme: "Bearer" });
  assert.match(bearer.response.headers.get("www-authenticate"), /^Bearer /);
});
