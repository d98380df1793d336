// EdDSA and ES256 through the host's crypto on the edge paths: the Issuer signs access tokens
// there, its access verifier checks them there, `signAsync`/`verifyAsync` too. In Node the
// host is node:crypto (synchronous one-shot sign/verify); WebCrypto, what browsers and workerd
// use, is tested here too by hiding node:crypto while keys are first used. Spies on the host
// show it did the work; jose checks the tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { Issuer, Key, KeySet, isJwtRefreshError } from "../../pkg/node.js";
import { HOSTS, counting, countingBoth, nodeCrypto, patched } from "./support/hosts.mjs";

const ISSUER = "https://auth.example";
const refuse = () => () => {
  throw new Error("this host cannot");
};

/** Runs `body` where no host can import a key (node:crypto nor WebCrypto). */
const noHostKeys = (body) =>
  patched(nodeCrypto, "createPublicKey", refuse, () =>
    patched(nodeCrypto, "createPrivateKey", refuse, () => patched(crypto.subtle, "importKey", refuse, body)),
  );

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [hostName, host] of Object.entries(HOSTS)) for (const alg of ["ES256", "EdDSA"]) {
  test(`${hostName}, ${alg}: the Issuer signs access tokens on the host; jose verifies every one`, () => host.run(async () => {
    const signingKey = Key.generate(alg, { kid: `a-${alg}` });
    const issuer = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const joseKey = await jose.importJWK(signingKey.toPublicJwk(), alg);
    const options = { algorithms: [alg], issuer: ISSUER, audience: "api", typ: "at+jwt" };
    // Every access token on the host, the first one too (WebCrypto: it waits for the key's
    // import); refresh tokens are HMAC, in wasm.
    const signed = await counting(host.api, "sign", async (calls) => {
      let pair = await issuer.startSession("user-1", { role: "a" });
      assert.equal(calls.count, 1, "the first access token is signed by the host");
      for (let i = 0; i < 3; i++) {
        const { payload } = await jose.jwtVerify(pair.access_token, joseKey, options);
        assert.equal(payload.role, "a");
        pair = await issuer.refresh(pair.access_token, pair.refresh_token);
      }
      await jose.jwtVerify(pair.access_token, joseKey, options);
      assert.equal(issuer.verifyAccess(pair.access_token).payload.role, "a");
    });
    assert.equal(signed, 4, "one host signature per access token");
  }));

  test(`${hostName}, ${alg}: a refresh checks the access token's signature on the host, and refuses a forged one`, () => host.run(async () => {
    const issuer = new Issuer(Key.generate(alg, { kid: `r-${alg}` }), Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const pair = await issuer.startSession("user-1", { role: "a" });
    const [h, p, sig] = pair.access_token.split(".");
    const forged = `${h}.${p}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    let next;
    const checks = await counting(host.api, "verify", async () => {
      await assert.rejects(issuer.refresh(forged, pair.refresh_token), (e) => isJwtRefreshError(e) && e.code === "invalid_signature");
      next = await issuer.refresh(pair.access_token, pair.refresh_token);
    });
    assert.equal(checks, 2, "one host check per refresh");
    assert.equal(issuer.verifyAccess(next.access_token).payload.sub, "user-1");
  }));

  test(`${hostName}, ${alg}: the synchronous checks use the host only where it answers at once`, () => host.run(async () => {
    const issuer = new Issuer(Key.generate(alg, { kid: `s-${alg}` }), Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const pair = await issuer.startSession("user-1", { role: "a" });
    const key = Key.fromJwk(issuer.jwks().keys[0]);
    const verifier = key.verifier({ typ: "at+jwt" });
    const set = KeySet.fromJwks(issuer.jwks());
    const [h, p, sig] = pair.access_token.split(".");
    const forged = `${h}.${p}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    const code = (fn) => {
      try {
        fn();
        return "accepted";
      } catch (e) {
        return e.code;
      }
    };
    const checks = await counting(nodeCrypto, "verify", async () => {
      assert.equal(key.verify(pair.access_token).payload.sub, "user-1");
      assert.equal(verifier.verify(pair.access_token).payload.sub, "user-1");
      assert.equal(issuer.verifyAccess(pair.access_token).payload.sub, "user-1");
      assert.equal(set.verify(pair.access_token).payload.sub, "user-1");
      for (const check of [key, verifier, issuer, set].map((v) => () => (v === issuer ? issuer.verifyAccess(forged) : v.verify(forged)))) {
        assert.equal(code(check), "invalid_signature");
      }
    });
    // node:crypto answers at once; WebCrypto cannot, so wasm checks there.
    assert.equal(checks, hostName === "node:crypto" ? 8 : 0);
  }));

  test(`${hostName}, ${alg}: synchronous signing uses the host only where it signs at once`, () => host.run(async () => {
    const key = Key.generate(alg, { kid: `ss-${alg}` });
    const signer = key.signer({ expiresIn: "5m", typ: "at+jwt" });
    const joseKey = await jose.importJWK(key.toPublicJwk(), alg);
    let tokens;
    const signed = await counting(nodeCrypto, "sign", async () => {
      tokens = [key.sign({ sub: "u" }, { expiresIn: "5m", typ: "at+jwt" }), signer.sign({ sub: "u" })];
    });
    assert.equal(signed, hostName === "node:crypto" ? 2 : 0);
    for (const token of tokens) {
      const { payload } = await jose.jwtVerify(token, joseKey, { algorithms: [alg], typ: "at+jwt" });
      assert.equal(payload.sub, "u");
    }
  }));

  test(`${hostName}, ${alg}: issuer.accessVerifier() checks what verifyAccess checks, signatures on the host`, () => host.run(async () => {
    const signingKey = Key.generate(alg, { kid: `a-${alg}` });
    const issuer = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "api", accessTtl: 60 });
    const pair = await issuer.startSession("user-1", { role: "a" });
    const verifier = issuer.accessVerifier();
    const now = Date.now();
    const checked = await counting(host.api, "verify", async () => {
      for (let i = 0; i < 3; i++) {
        const { payload, protectedHeader } = await verifier.verifyAsync(pair.access_token);
        assert.deepEqual([payload.sub, payload.role, protectedHeader.typ], ["user-1", "a", "at+jwt"]);
        await pause(10);
      }
    });
    assert.ok(checked > 0, "the host checked signatures");
    // The same answers as verifyAccess for what must fail.
    const expiredAt = new Date(now + 61_000);
    const outcomes = [
      [pair.access_token, expiredAt, "token_expired"],
      [pair.refresh_token, undefined, null], // typ rt+jwt, another key
      [pair.access_token.slice(0, -4) + "AAAA", undefined, null],
      [(await new Issuer(Key.generate(alg), Key.generate("HS256"), { issuer: ISSUER, audience: "api" }).startSession("x", {})).access_token, undefined, null],
    ];
    for (const [token, currentDate, expected] of outcomes) {
      let syncCode;
      try {
        issuer.verifyAccess(token, currentDate && { currentDate });
      } catch (e) {
        syncCode = e.code;
      }
      const asyncCode = await verifier.verifyAsync(token, currentDate).then(
        () => "accepted",
        (e) => (assert.ok(isJwtRefreshError(e)), e.code),
      );
      assert.equal(asyncCode, syncCode);
      if (expected) assert.equal(asyncCode, expected);
    }
    // A verifier of another issuer (other audience) refuses these tokens.
    const other = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "billing" });
    await assert.rejects(other.accessVerifier().verifyAsync(pair.access_token), (e) => e.code === "claim_mismatch");
  }));

  test(`${hostName}, ${alg}: a host that fails to sign: that call is invalid_key, later ones sign in wasm`, () => host.run(async () => {
    const key = Key.generate(alg, { kid: "k" });
    await key.signAsync({ sub: "u" }); // imports the key
    await patched(host.api, "sign", refuse, async () => {
      await assert.rejects(key.signAsync({ sub: "u" }), (e) => isJwtRefreshError(e) && e.code === "invalid_key");
    });
    const calls = await counting(host.api, "sign", async () => {
      const token = await key.signAsync({ sub: "u" }, { expiresIn: 60 });
      assert.equal(key.verify(token).payload.sub, "u");
    });
    assert.equal(calls, 0, "not asked again");
  }));
}

test("node:crypto fails a synchronous signature: wasm signs that token and the later ones", async () => {
  const key = Key.generate("ES256", { kid: "sync-fail" });
  key.sign({ sub: "u" }); // imports the key
  const first = await patched(nodeCrypto, "sign", refuse, () => key.sign({ sub: "u" }, { expiresIn: 60 }));
  assert.equal(key.verify(first).payload.sub, "u");
  const calls = await counting(nodeCrypto, "sign", async () => {
    assert.equal(key.verify(key.sign({ sub: "v" }, { expiresIn: 60 })).payload.sub, "v");
  });
  assert.equal(calls, 0, "not asked again");
});

test("node:crypto cannot take the key: WebCrypto signs instead", async () => {
  const signingKey = Key.generate("ES256", { kid: "web-fallback" });
  const calls = await patched(nodeCrypto, "createPrivateKey", refuse, () =>
    counting(crypto.subtle, "sign", async () => {
      const token = await signingKey.signAsync({ sub: "u" }, { expiresIn: 60 });
      assert.equal(signingKey.verify(token).payload.sub, "u");
    }),
  );
  assert.equal(calls, 1, "WebCrypto signed");
});

test("a host that cannot import the key: the Issuer signs in wasm, the tokens are the same kind", async () => {
  const signingKey = Key.generate("ES256", { kid: "no-host" });
  let pair;
  await noHostKeys(async () => {
    const issuer = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const calls = await countingBoth("sign", async () => {
      pair = await issuer.startSession("user-1", { role: "a" });
    });
    assert.equal(calls, 0, "nothing was signed by the host");
  });
  const joseKey = await jose.importJWK(signingKey.toPublicJwk(), "ES256");
  const { payload } = await jose.jwtVerify(pair.access_token, joseKey, { issuer: ISSUER, audience: "api", typ: "at+jwt" });
  assert.equal(payload.role, "a");
});

test("verifyAsync where the host cannot import the key: wasm checks the signature, the claims still count", async () => {
  const signingKey = Key.generate("ES256", { kid: "no-host-verify" });
  const token = signingKey.sign({ sub: "u" }, { expiresIn: 60 });
  const [head, payload] = token.split(".");
  const forged = `${head}.${payload}.${"A".repeat(86)}`;
  await noHostKeys(async () => {
    const calls = await countingBoth("verify", async () => {
      // A fresh key per call: each one finds its WebCrypto import pending, then failed.
      const fresh = () => Key.fromJwk(signingKey.toPublicJwk());
      assert.equal((await fresh().verifyAsync(token)).payload.sub, "u");
      await assert.rejects(fresh().verifyAsync(forged), (e) => isJwtRefreshError(e) && e.code === "invalid_signature");
      const later = new Date(Date.now() + 120_000);
      await assert.rejects(fresh().verifyAsync(token, { currentDate: later }), (e) => e.code === "token_expired");
      await assert.rejects(fresh().verifyAsync(forged, { currentDate: later }), (e) => e.code === "invalid_signature");
    });
    assert.equal(calls, 0, "the host checked nothing");
  });
});

test("HMAC never asks for the host: node:crypto is not even looked up (it costs a cold start ~2 ms to load)", async () => {
  const lookups = await counting(process, "getBuiltinModule", async () => {
    const key = Key.generate("HS256");
    const token = key.sign({ sub: "u" });
    assert.equal(key.verify(token).payload.sub, "u");
    assert.equal((await key.verifyAsync(token)).payload.sub, "u");
    assert.equal(await key.signAsync({ sub: "u" }).then((t) => key.verify(t).payload.sub), "u");
    const issuer = new Issuer(Key.generate("HS256"), Key.generate("HS256"), { issuer: ISSUER });
    const pair = await issuer.startSession("u");
    assert.equal(issuer.verifyAccess(pair.access_token).payload.sub, "u");
    await issuer.refresh(pair.access_token, pair.refresh_token);
  });
  assert.equal(lookups, 0);
});
