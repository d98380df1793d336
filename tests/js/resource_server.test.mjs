// An API that checks an Issuer's access tokens with only its public keys (its JWKS, served on
// 127.0.0.1): the same answers as the Issuer's own authenticateAsync, the expired signal the
// browser client refreshes on included; DPoP-bound tokens only with a proof by their key.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import * as dpop from "dpop";
import { Issuer, Key, KeySet, MemoryStore, ResourceServer, authenticateAsync, dpopOf, isExpiredSignal, tokenResponse } from "../../pkg/node.js";
import { jwtRefresh } from "../../pkg/hono.js";
import { Hono } from "hono";

const ISSUER = "https://auth.example";
const API = "https://api.example/items?page=2";
const T0 = new Date();
const later = (seconds) => ({ currentDate: new Date(T0.getTime() + seconds * 1000) });

let issuer;
let boundIssuer;
let jwks;
let jwksRequests = 0;

before(async () => {
  issuer = new Issuer(await Key.generateAsync("ES256", { kid: "es" }), Key.generate("HS256"), {
    issuer: ISSUER, audience: "api", store: new MemoryStore(), accessTtl: "5m",
  });
  boundIssuer = new Issuer(await Key.generateAsync("EdDSA", { kid: "ed" }), Key.generate("HS256"), {
    issuer: ISSUER, audience: "api", store: new MemoryStore(), dpop: true,
  });
  const keys = { keys: [...issuer.jwks().keys, ...boundIssuer.jwks().keys] };
  jwks = createServer((req, res) => {
    jwksRequests++;
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
    res.end(JSON.stringify(keys));
  });
  await new Promise((resolve) => jwks.listen(0, "127.0.0.1", resolve));
});

after(() => jwks?.close());

const jwksUrl = () => `http://127.0.0.1:${jwks.address().port}/.well-known/jwks.json`;
const request = (headers) => new Request(API, { headers });
const accessToken = async (from, options) => (await (await tokenResponse(await from.startSession("ada", { role: "r" }, options), from)).json()).access_token;

test("an API with the Issuer's JWKS by URL answers as the Issuer does, the expired signal included", async () => {
  const api = new ResourceServer(KeySet.remote(jwksUrl()), { issuer: ISSUER, audience: "api" });
  const token = await accessToken(issuer);
  const bearer = request({ authorization: `Bearer ${token}` });
  const ok = await authenticateAsync(bearer, api);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.payload.sub, "ada");
  assert.equal(ok.payload.role, "r");
  assert.equal(ok.protectedHeader.kid, "es");
  // Expired: the same 401 as the Issuer's, which is the signal the client refreshes on.
  const expired = await authenticateAsync(bearer, api, later(600));
  const issuers = await authenticateAsync(bearer, issuer, later(600));
  assert.equal(expired.ok, false);
  assert.equal(expired.response.status, 401);
  assert.equal(expired.response.headers.get("www-authenticate"), issuers.response.headers.get("www-authenticate"));
  assert.deepEqual(await expired.response.json(), await issuers.response.json());
  assert.equal(isExpiredSignal(401, expired.response.headers.get("www-authenticate")), true);
  // Every other refusal is a 401 that is not the signal.
  const tamperedPayload = token.split(".");
  tamperedPayload[1] = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(tamperedPayload[1], "base64url")), sub: "eve" })).toString("base64url");
  const other = new Issuer(await Key.generateAsync("ES256", { kid: "es" }), Key.generate("HS256"), { issuer: ISSUER, audience: "api", store: new MemoryStore() });
  const refreshToken = (await (await tokenResponse(await issuer.startSession("ada"), issuer)).json()).refresh_token;
  for (const [label, headers] of [
    ["no token", {}],
    ["Basic credentials", { authorization: "Basic YTpi" }],
    ["a forged payload", { authorization: `Bearer ${tamperedPayload.join(".")}` }],
    ["another issuer's key", { authorization: `Bearer ${await accessToken(other)}` }],
    ["a refresh token", { authorization: `Bearer ${refreshToken}` }],
  ]) {
    const refused = await authenticateAsync(request(headers), api);
    assert.equal(refused.ok, false, label);
    assert.equal(refused.response.status, 401, label);
    assert.equal(isExpiredSignal(401, refused.response.headers.get("www-authenticate")), false, label);
  }
  // Another API's audience, another issuer name: refused.
  for (const options of [{ issuer: ISSUER, audience: "billing" }, { issuer: "https://other.example", audience: "api" }]) {
    const strict = new ResourceServer(KeySet.remote(jwksUrl()), options);
    const refused = await authenticateAsync(bearer, strict);
    assert.equal(refused.response.status, 401, JSON.stringify(options));
    assert.match(refused.response.headers.get("www-authenticate"), /claim_mismatch/);
  }
  assert.ok(jwksRequests >= 1 && jwksRequests <= 8, `the JWKS was fetched per key set, not per request (${jwksRequests})`);
});

test("keys that cannot be fetched are a 503, never a verdict on the token", async () => {
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${closed.address().port}/jwks.json`;
  await new Promise((resolve) => closed.close(resolve));
  const api = new ResourceServer(KeySet.remote(url, { timeout: "2s" }), { issuer: ISSUER, audience: "api" });
  const auth = await authenticateAsync(request({ authorization: `Bearer ${await accessToken(issuer)}` }), api);
  assert.equal(auth.ok, false);
  assert.equal(auth.response.status, 503);
  assert.equal(auth.response.headers.get("www-authenticate"), null);
  assert.deepEqual(await auth.response.json(), { error: "temporarily_unavailable", error_description: "jwks_fetch_failed" });
});

test("a local KeySet or Key serves too, and the Hono middleware takes a ResourceServer", async () => {
  const token = await accessToken(issuer);
  for (const keys of [KeySet.fromJwks(issuer.jwks()), Key.fromJwk(issuer.jwks().keys[0])]) {
    const api = new ResourceServer(keys, { issuer: ISSUER, audience: "api" });
    const auth = await authenticateAsync(request({ authorization: `Bearer ${token}` }), api);
    assert.equal(auth.ok, true, JSON.stringify(auth));
  }
  const app = new Hono();
  app.use("/items", jwtRefresh(new ResourceServer(KeySet.fromJwks(issuer.jwks()), { issuer: ISSUER, audience: "api" })));
  app.get("/items", (c) => c.json({ sub: c.get("auth").payload.sub }));
  const served = await app.request("https://api.example/items", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(served.status, 200);
  assert.deepEqual(await served.json(), { sub: "ada" });
  assert.equal((await app.request("https://api.example/items")).status, 401);
});

test("DPoP: a bound token passes only with a proof by its key; required mode refuses unbound ones", async () => {
  const owner = await dpop.generateKeyPair("ES256");
  const thief = await dpop.generateKeyPair("ES256");
  const loginRequest = new Request(`${ISSUER}/auth/login`, { method: "POST", headers: { dpop: await dpop.generateProof(owner, `${ISSUER}/auth/login`, "POST") } });
  const token = await accessToken(boundIssuer, { dpop: dpopOf(loginRequest) });
  const keys = KeySet.fromJwks(boundIssuer.jwks());
  const api = new ResourceServer(keys, { issuer: ISSUER, audience: "api", dpop: true });
  const call = async (server, scheme, pair, proofToken = token) => {
    const headers = { authorization: `${scheme} ${token}` };
    if (pair) headers.dpop = await dpop.generateProof(pair, API, "GET", undefined, proofToken);
    return authenticateAsync(request(headers), server);
  };
  const ok = await call(api, "DPoP", owner);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.payload.cnf.jkt, await dpop.calculateThumbprint(owner.publicKey));
  for (const [label, attempt] of [
    ["no proof", () => call(api, "DPoP")],
    ["as Bearer", () => call(api, "Bearer")],
    ["the thief's key", () => call(api, "DPoP", thief)],
    ["a proof for another token", () => call(api, "DPoP", owner, "another.token.value")],
    // A server that checks no proofs refuses bound tokens rather than take them as bearer ones.
    ["no dpop option", () => call(new ResourceServer(keys, { issuer: ISSUER, audience: "api" }), "Bearer")],
  ]) {
    const refused = await attempt();
    assert.equal(refused.ok, false, label);
    assert.equal(refused.response.status, 401, label);
    assert.match(refused.response.headers.get("www-authenticate"), /^DPoP error="invalid_dpop_proof"/, label);
  }
  // Required: an unbound token is refused even with no proof to check.
  const required = new ResourceServer(KeySet.fromJwks(issuer.jwks()), { issuer: ISSUER, audience: "api", dpop: "required" });
  const unbound = await authenticateAsync(request({ authorization: `Bearer ${await accessToken(issuer)}` }), required);
  assert.equal(unbound.ok, false);
  assert.match(unbound.response.headers.get("www-authenticate"), /invalid_dpop_proof/);
});

test("a ResourceServer refuses what it cannot check with, when it is made", () => {
  const keys = KeySet.fromJwks(issuer.jwks());
  const code = (make) => {
    try {
      make();
      return "made";
    } catch (error) {
      return error.code;
    }
  };
  for (const [label, make] of [
    ["no keys", () => new ResourceServer(undefined, { issuer: ISSUER })],
    ["an Issuer as keys", () => new ResourceServer(issuer, { issuer: ISSUER })],
    ["no issuer", () => new ResourceServer(keys, { audience: "api" })],
    ["an empty issuer list", () => new ResourceServer(keys, { issuer: [] })],
    ["a misspelt option", () => new ResourceServer(keys, { issuer: ISSUER, audiance: "api" })],
    ["a bad algorithm", () => new ResourceServer(keys, { issuer: ISSUER, algorithms: ["none"] })],
    ["a bad dpop option", () => new ResourceServer(keys, { issuer: ISSUER, dpop: "always" })],
  ]) {
    assert.notEqual(code(make), "made", label);
    assert.ok(["invalid_options", "alg_not_allowed", "unsupported_algorithm"].includes(code(make)), `${label}: ${code(make)}`);
  }
  assert.equal(code(() => new ResourceServer(keys, { issuer: ISSUER })), "made");
});
