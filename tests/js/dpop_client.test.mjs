// The AuthClient's half of DPoP, in Node (no IndexedDB: the key lives in memory), against a
// real Issuer with DPoP and nonces on, through the client's `fetch` option: the login binds
// the session to the client's key, every refresh, logout and API request carries a proof,
// the nonce challenge is answered once; each proof is checked independently with jose
// (EmbeddedJWK, the thumbprint in the token's cnf.jkt, htm, htu, iat, ath, nonce). A pair
// stolen from the client and replayed with another key, or with none, is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as jose from "jose";
import * as dpop from "dpop";
import { AuthClient } from "../../pkg/client-node.js";
import {
  DpopVerifier, Issuer, Key, MemoryStore, authenticateAsync, decodeUnverified, dpopChallenge, dpopOf, handleLogout, handleRefresh, tokenResponse,
} from "../../pkg/node.js";

const BASE = "https://app.example";
const NONCE_SECRET = "a server secret of at least 32 characters";

async function issuerWith(dpopOption) {
  return new Issuer(await Key.generateAsync("ES256", { kid: "s" }), Key.generate("HS256"), {
    issuer: BASE, audience: "api", store: new MemoryStore(), dpop: dpopOption,
  });
}

/** The app's routes over `issuer`, as a fetch; every request it saw, headers included. */
function app(issuer) {
  const seen = [];
  const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    seen.push({ method: request.method, url: request.url, path: url.pathname, authorization: request.headers.get("authorization"), dpop: request.headers.get("dpop") });
    switch (url.pathname) {
      case "/auth/login":
        try {
          return tokenResponse(await issuer.startSession("ada", { role: "r" }, { dpop: dpopOf(request) }), issuer);
        } catch (error) {
          return dpopChallenge(error, issuer);
        }
      case "/auth/refresh":
        return handleRefresh(request, issuer);
      case "/auth/logout":
        return handleLogout(request, issuer);
      case "/api/me": {
        const auth = await authenticateAsync(request, issuer);
        return auth.ok ? json({ sub: auth.payload.sub }) : auth.response;
      }
      default:
        return json({ error: "not_found" }, 404);
    }
  };
  return { fetch, seen };
}

const sha256 = (text) => createHash("sha256").update(text).digest("base64url");

/** Checks a proof as an independent verifier would, with jose; its key's thumbprint. */
async function checkProof(proof, { method, url, accessToken, nonce }) {
  const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256", "EdDSA"] });
  assert.equal(protectedHeader.jwk.d, undefined, "the public half only");
  assert.equal(payload.htm, method);
  assert.equal(payload.htu, url.replace(/[?#].*$/, ""));
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 30, "iat is now");
  assert.match(payload.jti, /^[A-Za-z0-9_-]{16,}$/);
  assert.equal(payload.ath, accessToken === undefined ? undefined : sha256(accessToken));
  assert.equal(payload.nonce, nonce);
  return jose.calculateJwkThumbprint(protectedHeader.jwk);
}

for (const [label, option, alg] of [["ES256 (dpop: true)", true, "ES256"], ["EdDSA", { alg: "EdDSA" }, "EdDSA"]]) {
  test(`${label}: a bound login, proofs on every request, a refresh by the same key, a new key after logout`, async () => {
    const issuer = await issuerWith({ nonceSecret: NONCE_SECRET });
    const { fetch, seen } = app(issuer);
    const auth = await AuthClient.create({ refreshUrl: `${BASE}/auth/refresh?via=client`, logoutUrl: `${BASE}/auth/logout`, fetch, dpop: option });

    // The login: the server wants its nonce first; the client asks again once, with it.
    const login = await auth.fetch(`${BASE}/auth/login`, { method: "POST", body: "{}" });
    assert.equal(login.status, 200, await login.clone().text());
    assert.deepEqual(seen.map((r) => r.path), ["/auth/login", "/auth/login"]);
    // The nonce of this time step, as the issuer hands it out (the same secret).
    const nonce = new DpopVerifier({ nonceSecret: NONCE_SECRET }).nonce();
    assert.equal(decodeUnverified(seen[0].dpop).protectedHeader.alg, alg);
    await checkProof(seen[0].dpop, { method: "POST", url: `${BASE}/auth/login` });
    const jkt = await checkProof(seen[1].dpop, { method: "POST", url: `${BASE}/auth/login`, nonce });
    assert.equal(seen[1].authorization, null, "signed out: no token");
    const tokens = await login.json();
    assert.equal(tokens.token_type, "DPoP");
    assert.equal(decodeUnverified(tokens.access_token).payload.cnf.jkt, jkt, "the session is bound to the client's key");
    await auth.setTokens(tokens);

    // An API request: DPoP scheme, a proof with ath and the nonce.
    const me = await auth.fetch(`${BASE}/api/me?x=1`);
    assert.equal(me.status, 200, await me.clone().text());
    const api = seen.at(-1);
    assert.equal(api.authorization, `DPoP ${tokens.access_token}`);
    assert.equal(await checkProof(api.dpop, { method: "GET", url: api.url, accessToken: tokens.access_token, nonce }), jkt);

    // A refresh: the same key, no ath, the old access token as DPoP; the new pair stays bound.
    await auth.refresh();
    const refresh = seen.at(-1);
    assert.equal(refresh.path, "/auth/refresh");
    assert.equal(refresh.authorization, `DPoP ${tokens.access_token}`);
    assert.equal(await checkProof(refresh.dpop, { method: "POST", url: refresh.url, nonce }), jkt);
    const next = await auth.getAccessToken();
    assert.notEqual(next, tokens.access_token);
    assert.equal(decodeUnverified(next).payload.cnf.jkt, jkt);

    // Logout proves with the old key; the next login binds a new one.
    await auth.logout();
    assert.equal(seen.at(-1).path, "/auth/logout");
    assert.equal(await checkProof(seen.at(-1).dpop, { method: "POST", url: `${BASE}/auth/logout`, nonce }), jkt);
    const again = await auth.fetch(`${BASE}/auth/login`, { method: "POST", body: "{}" });
    const other = await checkProof(seen.at(-1).dpop, { method: "POST", url: `${BASE}/auth/login`, nonce });
    assert.notEqual(other, jkt, "logout replaced the key");
    assert.equal(decodeUnverified((await again.json()).access_token).payload.cnf.jkt, other);
    auth.close();
  });
}

test("a pair stolen from a DPoP client is useless with another key or without one", async () => {
  const issuer = await issuerWith(true);
  const { fetch } = app(issuer);
  const auth = await AuthClient.create({ refreshUrl: `${BASE}/auth/refresh`, fetch, dpop: true });
  await auth.setTokens(await (await auth.fetch(`${BASE}/auth/login`, { method: "POST" })).json());
  // What a thief copies out of storage: the pair (the key cannot be exported).
  const stolen = { access: await auth.getAccessToken() };
  await auth.refresh();
  const thief = await dpop.generateKeyPair("ES256");
  for (const [what, proof] of [["another key", await dpop.generateProof(thief, `${BASE}/api/me`, "GET", undefined, stolen.access)], ["no proof", null]]) {
    const headers = { authorization: `DPoP ${stolen.access}` };
    if (proof) headers.dpop = proof;
    const response = await fetch(`${BASE}/api/me`, { headers });
    assert.equal(response.status, 401, what);
    assert.match(response.headers.get("www-authenticate"), /invalid_dpop_proof/, what);
  }
  // The client's own request still works.
  assert.equal((await auth.fetch(`${BASE}/api/me`)).status, 200);
  auth.close();
});

test("the mode is checked against the server's token type, and dpop's options", async () => {
  const plain = await issuerWith(undefined);
  const { fetch } = app(plain);
  const auth = await AuthClient.create({ refreshUrl: `${BASE}/auth/refresh`, fetch, dpop: true });
  const bearer = await plain.startSession("ada");
  await assert.rejects(auth.setTokens(bearer), (e) => e.code === "refresh_endpoint_invalid" && /dpop option/.test(e.message));
  auth.close();
  for (const bad of [{ dpop: { alg: "RS256" } }, { dpop: { algo: "ES256" } }, { dpop: "yes" }]) {
    await assert.rejects(AuthClient.create({ refreshUrl: "/r", ...bad }), (e) => e.code === "invalid_options", JSON.stringify(bad));
  }
});

test("headersFor: what fetch would attach, for requests the app sends itself", async () => {
  const issuer = await issuerWith(true);
  const { fetch, seen } = app(issuer);
  const auth = await AuthClient.create({ refreshUrl: `${BASE}/auth/refresh`, fetch, dpop: true });
  // Signed out: a proof alone (a login binds the session with it).
  const login = await auth.headersFor(`${BASE}/auth/login`, "post");
  assert.deepEqual(Object.keys(login), ["dpop"]);
  const loggedIn = await fetch(`${BASE}/auth/login`, { method: "POST", headers: login });
  await auth.setTokens(await loggedIn.json());
  const token = await auth.getAccessToken();
  // Signed in: DPoP and a proof with ath, for this method and URL (a URL object too).
  const headers = await auth.headersFor(new URL(`${BASE}/api/me?page=2`));
  assert.equal(headers.authorization, `DPoP ${token}`);
  await checkProof(headers.dpop, { method: "GET", url: `${BASE}/api/me`, accessToken: token });
  const me = await fetch(`${BASE}/api/me?page=2`, { headers });
  assert.equal(me.status, 200, await me.clone().text());
  assert.equal(seen.at(-1).dpop, headers.dpop);
  // Another origin gets nothing; a Bearer client, its Bearer header alone.
  assert.deepEqual(await auth.headersFor("https://elsewhere.example/x"), {});
  await assert.rejects(auth.headersFor(42), (e) => e.code === "invalid_options");
  auth.close();
  const plainIssuer = await issuerWith(undefined);
  const plain = app(plainIssuer);
  const bearer = await AuthClient.create({ refreshUrl: `${BASE}/auth/refresh`, fetch: plain.fetch });
  await bearer.setTokens(await plainIssuer.startSession("ada"));
  assert.deepEqual(await bearer.headersFor(`${BASE}/api/me`), { authorization: `Bearer ${await bearer.getAccessToken()}` });
  bearer.close();
});
