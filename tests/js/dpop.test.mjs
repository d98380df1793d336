// DpopVerifier against proofs made by panva's `dpop` (pinned): ES256, Ed25519, RS256, PS256
// accepted with the same thumbprint `dpop` computes; every refusal typed: replay, another
// method or URL, a wrong `ath`, a tampered signature, another key's signature, a missing or
// stale nonce. On both hosts Node offers (node:crypto, and WebCrypto as workerd has it).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as dpop from "dpop";
import { DpopVerifier, isJwtRefreshError } from "../../pkg/node.js";
import { HOSTS, counting } from "./support/hosts.mjs";

const URL_ = "https://auth.example/auth/refresh";
const codeOf = (promise) => promise.then(() => "accepted", (e) => (assert.ok(isJwtRefreshError(e), String(e)), e.code));

for (const [hostName, host] of Object.entries(HOSTS)) {
  test(`${hostName}: proofs made by dpop are accepted, bound to dpop's thumbprint`, () => host.run(async () => {
    const verifier = new DpopVerifier();
    for (const alg of ["ES256", "Ed25519", "RS256", "PS256"]) {
      const pair = await dpop.generateKeyPair(alg);
      const proof = await dpop.generateProof(pair, URL_, "POST");
      const result = await verifier.verifyAsync(proof, { method: "POST", url: URL_ });
      assert.equal(result.jkt, await dpop.calculateThumbprint(pair.publicKey), alg);
      assert.equal(typeof result.jti, "string");
      assert.ok(Math.abs(result.iat - Date.now() / 1000) < 5);
      // The same proof again is a replay.
      assert.equal(await codeOf(verifier.verifyAsync(proof, { method: "POST", url: URL_ })), "invalid_dpop_proof", alg);
    }
  }));

  test(`${hostName}: a proof for another request, key or token is refused`, () => host.run(async () => {
    const verifier = new DpopVerifier();
    const pair = await dpop.generateKeyPair("ES256");
    const other = await dpop.generateKeyPair("ES256");
    const fresh = (htu = URL_, htm = "POST", token) => dpop.generateProof(pair, htu, htm, undefined, token);
    const refused = async (proof, request, says) => {
      const error = await verifier.verifyAsync(proof, request).then(() => null, (e) => e);
      assert.equal(error?.code, "invalid_dpop_proof", says);
      assert.match(error.message, says);
    };
    await refused(await fresh(URL_, "GET"), { method: "POST", url: URL_ }, /another method/);
    await refused(await fresh("https://evil.example/auth/refresh"), { method: "POST", url: URL_ }, /another URL/);
    // API requests: ath must be the presented access token's hash.
    const api = "https://api.example/me";
    await refused(await fresh(api, "GET", "token-a"), { method: "GET", url: api, accessToken: "token-b" }, /ath/);
    await refused(await fresh(api, "GET"), { method: "GET", url: api, accessToken: "token-a" }, /no ath/);
    assert.equal((await verifier.verifyAsync(await fresh(api, "GET", "token-a"), { method: "GET", url: `${api}?q=1`, accessToken: "token-a" })).jti.length > 0, true);
    // A tampered signature, and another key's signature under this key's jwk.
    const proof = await fresh();
    const [h, p, s] = proof.split(".");
    await refused(`${h}.${p}.${s[0] === "A" ? "B" : "A"}${s.slice(1)}`, { method: "POST", url: URL_ }, /signature/);
    const [, , otherSignature] = (await dpop.generateProof(other, URL_, "POST")).split(".");
    await refused(`${h}.${p}.${otherSignature}`, { method: "POST", url: URL_ }, /signature/);
    // No proof at all.
    await refused(undefined, { method: "POST", url: URL_ }, /no DPoP proof/);
  }));

  test(`${hostName}: a client's key is imported into the host once, and its proofs are still checked`, () => host.run(async () => {
    const verifier = new DpopVerifier();
    const [client, other] = [await dpop.generateKeyPair("ES256"), await dpop.generateKeyPair("ES256")];
    const check = async (pair) => verifier.verifyAsync(await dpop.generateProof(pair, URL_, "POST"), { method: "POST", url: URL_ });
    const imports = await counting(host.api, host.importers[0], async () => {
      for (let i = 0; i < 3; i++) assert.equal((await check(client)).jkt, await dpop.calculateThumbprint(client.publicKey));
      await check(other);
      await check(client);
    });
    assert.equal(imports, 2);
    // A proof that names the remembered key but is signed by another is still refused.
    const [h, p] = (await dpop.generateProof(client, URL_, "POST")).split(".");
    const [, , forged] = (await dpop.generateProof(other, URL_, "POST")).split(".");
    assert.equal(await codeOf(verifier.verifyAsync(`${h}.${p}.${forged}`, { method: "POST", url: URL_ })), "invalid_dpop_proof");
    // Each verifier keeps its own.
    const proof = await dpop.generateProof(client, URL_, "POST");
    const another = new DpopVerifier();
    assert.equal(await counting(host.api, host.importers[0], () => another.verifyAsync(proof, { method: "POST", url: URL_ })), 1);
  }));

  test(`${hostName}: with nonces on, a proof without the server's nonce is use_dpop_nonce`, () => host.run(async () => {
    const verifier = new DpopVerifier({ nonceSecret: "a server secret of at least 32 characters" });
    const pair = await dpop.generateKeyPair("ES256");
    assert.equal(await codeOf(verifier.verifyAsync(await dpop.generateProof(pair, URL_, "POST"), { method: "POST", url: URL_ })), "use_dpop_nonce");
    const nonce = verifier.nonce();
    assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
    const proof = await dpop.generateProof(pair, URL_, "POST", nonce);
    assert.ok((await verifier.verifyAsync(proof, { method: "POST", url: URL_ })).jkt);
    const stale = await dpop.generateProof(pair, URL_, "POST", verifier.nonce(new Date(Date.now() - 700_000)));
    assert.equal(await codeOf(verifier.verifyAsync(stale, { method: "POST", url: URL_ })), "use_dpop_nonce");
    assert.equal(new DpopVerifier().nonce(), undefined);
  }));
}

test("options are checked", () => {
  const throwsCode = (fn, code) => assert.throws(fn, (e) => isJwtRefreshError(e) && e.code === code);
  throwsCode(() => new DpopVerifier({ algorithms: ["HS256"] }), "invalid_options");
  throwsCode(() => new DpopVerifier({ algorithms: [] }), "invalid_options");
  throwsCode(() => new DpopVerifier({ nonceSecret: "short" }), "invalid_options");
  throwsCode(() => new DpopVerifier({ maxAge: -1 }), "invalid_options");
  throwsCode(() => new DpopVerifier({ maxage: 60 }), "invalid_options");
});
