// The `cache` option of verifiers: a token whose signature verified is not checked again
// (spies on the host count the checks), while its claims are, on every call; a bad signature
// is never remembered; the oldest token is forgotten first. On both hosts Node can offer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Issuer, Key, KeySet } from "../../pkg/node.js";
import { HOSTS, countingBoth } from "./support/hosts.mjs";

const T0 = 1_800_000_000;
const at = (s) => new Date(s * 1000);
const code = async (promise) => promise.then(() => "ok", (e) => e.code);
const codeNow = (fn) => { try { fn(); return "ok"; } catch (e) { return e.code; } };

for (const [hostName, host] of Object.entries(HOSTS)) for (const alg of ["ES256", "EdDSA"]) {
  test(`${hostName}, ${alg}: a cached verifier checks each token's signature once, its claims every time`, () => host.run(async () => {
    const key = await Key.generateAsync(alg);
    const token = await key.signAsync({ sub: "a" }, { expiresIn: 60, currentDate: at(T0) });
    const cached = key.verifier({ cache: 10 });
    const checks = await countingBoth("verify", async () => {
      for (let i = 0; i < 3; i++) {
        assert.equal((await cached.verifyAsync(token, at(T0 + 1))).payload.sub, "a");
        // Remembered or not, an asymmetric key is never used synchronously.
        assert.equal(codeNow(() => cached.verify(token, at(T0 + 1))), "async_required");
      }
      // Remembered, and still expired once its time has come.
      assert.equal(await code(cached.verifyAsync(token, at(T0 + 60))), "token_expired");
    });
    assert.equal(checks, 1, "one host check for the first verifyAsync, none after");

    // Without the option every verifyAsync asks the host.
    const plain = key.verifier();
    const unCached = await countingBoth("verify", async () => {
      for (let i = 0; i < 3; i++) await plain.verifyAsync(token, at(T0 + 1));
    });
    assert.equal(unCached, 3);
  }));

  test(`${hostName}, ${alg}: a bad signature is never remembered; the oldest token goes first`, () => host.run(async () => {
    const key = await Key.generateAsync(alg);
    const other = await Key.generateAsync(alg);
    const [a, b] = await Promise.all(["a", "b"].map((sub) => key.signAsync({ sub }, { expiresIn: 60, currentDate: at(T0) })));
    const otherToken = await other.signAsync({ sub: "a" });
    const forged = a.slice(0, a.lastIndexOf(".")) + otherToken.slice(otherToken.lastIndexOf("."));
    const verifier = key.verifier({ cache: 1 });
    const checks = await countingBoth("verify", async () => {
      for (let i = 0; i < 2; i++) assert.equal(await code(verifier.verifyAsync(forged, at(T0 + 1))), "invalid_signature");
      for (const token of [a, b, a]) await verifier.verifyAsync(token, at(T0 + 1));
      await verifier.verifyAsync(a, at(T0 + 1)); // the one remembered
    });
    assert.equal(checks, 5, "both forged attempts and a, b, a again (b pushed a out)");
  }));
}

for (const [hostName, host] of Object.entries(HOSTS)) {
  test(`${hostName}: an Issuer's signatureCache serves verifyAccessAsync, authenticateHttpAsync, its access verifiers and refresh`, () => host.run(async () => {
    const issuer = new Issuer(await Key.generateAsync("ES256", { kid: "s" }), Key.generate("HS256"), { issuer: "https://auth", signatureCache: 100 });
    const pair = await issuer.startSession("u", { plan: "pro" }, { currentDate: at(T0) });
    const clock = { currentDate: at(T0 + 1) };
    const authorization = `Bearer ${pair.access_token}`;
    const checks = await countingBoth("verify", async () => {
      for (let i = 0; i < 2; i++) {
        assert.equal((await issuer.authenticateHttpAsync(authorization, clock)).payload.plan, "pro");
        assert.equal((await issuer.verifyAccessAsync(pair.access_token, clock)).payload.plan, "pro");
        assert.equal((await issuer.accessVerifier().verifyAsync(pair.access_token, at(T0 + 1))).payload.plan, "pro");
      }
      // A refresh presenting the remembered access token does not check it again either.
      await issuer.refresh(pair.access_token, pair.refresh_token, { currentDate: at(T0 + 2) });
      // Claims still count: expired once its time has come.
      assert.equal(await code(issuer.verifyAccessAsync(pair.access_token, { currentDate: at(T0 + 900) })), "token_expired");
    });
    // The first check (authenticateHttpAsync's) remembered the signature; every later path,
    // refresh included, found it there.
    assert.equal(checks, 1);

    // Without the option every path checks again.
    const plain = new Issuer(await Key.generateAsync("ES256", { kid: "p" }), Key.generate("HS256"), { issuer: "https://auth" });
    const plainPair = await plain.startSession("u", {}, { currentDate: at(T0) });
    const plainChecks = await countingBoth("verify", async () => {
      for (let i = 0; i < 2; i++) await plain.verifyAccessAsync(plainPair.access_token, clock);
      await plain.authenticateHttpAsync(`Bearer ${plainPair.access_token}`, clock);
    });
    assert.equal(plainChecks, 3);
    assert.equal(codeNow(() => new Issuer(Key.generate("HS256"), Key.generate("HS256"), { issuer: "x", signatureCache: -1 })), "invalid_options");
  }));
}

test("the Issuer's access verifier and key sets take the option too; it is refused elsewhere", async () => {
  const signingKey = await Key.generateAsync("ES256", { kid: "s" });
  const issuer = new Issuer(signingKey, Key.generate("HS256"), { issuer: "https://auth" });
  const pair = await issuer.startSession("u", {}, { currentDate: at(T0) });
  const accessVerifier = issuer.accessVerifier({ cache: 100 });
  const checks = await countingBoth("verify", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await accessVerifier.verifyAsync(pair.access_token, at(T0 + 1))).payload.sub, "u");
  });
  assert.equal(checks, 1);
  const set = new KeySet();
  set.add(signingKey);
  const fromSet = set.verifier({ cache: 5 });
  const setChecks = await countingBoth("verify", async () => {
    for (let i = 0; i < 2; i++) await fromSet.verifyAsync(pair.access_token, at(T0 + 1));
  });
  assert.equal(setChecks, 1);
  // HMAC tokens are remembered as well (no host involved: the result is what is observable).
  const hmac = Key.generate("HS256");
  const hmacVerifier = hmac.verifier({ cache: 2 });
  const hmacToken = hmac.sign({ sub: "h" });
  for (let i = 0; i < 2; i++) assert.equal(hmacVerifier.verify(hmacToken).payload.sub, "h");
  assert.equal(await code(hmacVerifier.verifyAsync(`${hmacToken}x`)), "invalid_signature");

  for (const cache of [-1, 1.5, "10", true, 100_001]) {
    assert.equal(codeNow(() => signingKey.verifier({ cache })), "invalid_options", String(cache));
    assert.equal(codeNow(() => issuer.accessVerifier({ cache })), "invalid_options", String(cache));
  }
  assert.equal(codeNow(() => issuer.accessVerifier({ cahce: 5 })), "invalid_options");
  // A cache belongs to a verifier: a per-call verify has none to offer.
  assert.equal(codeNow(() => hmac.verify(hmacToken, { cache: 5 })), "invalid_options");
});
