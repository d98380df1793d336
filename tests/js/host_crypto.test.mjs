// Asymmetric keys on the edge paths, through the host's crypto: the Issuer signs access tokens
// there, verifyAccessAsync and its access verifier check them there, signAsync/verifyAsync
// too; the synchronous methods refuse asymmetric keys (async_required) without touching the
// host. In Node the host is node:crypto; WebCrypto, what browsers and workerd use, is tested
// here too by hiding node:crypto. Spies on the host show it did the work; jose checks the
// tokens.
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

/** The code `promise` rejects with ("accepted" if it resolves). */
const codeOf = (promise) =>
  promise.then(
    () => "accepted",
    (e) => (assert.ok(isJwtRefreshError(e), `${e}`), e.code),
  );

/** The code and message `fn` throws. */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(isJwtRefreshError(e), `${e}`);
    return [e.code, e.message];
  }
  return ["accepted", ""];
}

for (const [hostName, host] of Object.entries(HOSTS)) for (const alg of ["ES256", "EdDSA", "RS256"]) {
  test(`${hostName}, ${alg}: the Issuer signs access tokens on the host; jose verifies every one`, () => host.run(async () => {
    const signingKey = await Key.generateAsync(alg, { kid: `a-${alg}` });
    const issuer = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const joseKey = await jose.importJWK(signingKey.toPublicJwk(), alg);
    const options = { algorithms: [alg], issuer: ISSUER, audience: "api", typ: "at+jwt" };
    // Every access token on the host, the first one too (WebCrypto: it waits for the key's
    // import); refresh tokens are HMAC, in wasm.
    // The key's import makes one probe signature (its public members must be its own).
    const signed = await counting(host.api, "sign", async (calls) => {
      let pair = await issuer.startSession("user-1", { role: "a" });
      assert.equal(calls.count, 2, "the probe, then the first access token, signed by the host");
      for (let i = 0; i < 3; i++) {
        const { payload } = await jose.jwtVerify(pair.access_token, joseKey, options);
        assert.equal(payload.role, "a");
        pair = await issuer.refresh(pair.access_token, pair.refresh_token);
      }
      await jose.jwtVerify(pair.access_token, joseKey, options);
      assert.equal((await issuer.verifyAccessAsync(pair.access_token)).payload.role, "a");
    });
    assert.equal(signed, 1 + 4, "the probe, and one host signature per access token");
  }));

  test(`${hostName}, ${alg}: a refresh checks the access token's signature on the host, and refuses a forged one`, () => host.run(async () => {
    const issuer = new Issuer(await Key.generateAsync(alg, { kid: `r-${alg}` }), Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const pair = await issuer.startSession("user-1", { role: "a" });
    const [h, p, sig] = pair.access_token.split(".");
    const forged = `${h}.${p}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    let next;
    const checks = await counting(host.api, "verify", async () => {
      assert.equal(await codeOf(issuer.refresh(forged, pair.refresh_token)), "invalid_signature");
      next = await issuer.refresh(pair.access_token, pair.refresh_token);
    });
    assert.equal(checks, 2, "one host check per refresh");
    assert.equal((await issuer.verifyAccessAsync(next.access_token)).payload.sub, "user-1");
  }));

  test(`${hostName}, ${alg}: every synchronous method refuses the key, names its async twin, and leaves the host alone`, () => host.run(async () => {
    const issuer = new Issuer(await Key.generateAsync(alg, { kid: `s-${alg}` }), Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const pair = await issuer.startSession("user-1", { role: "a" });
    const key = Key.fromJwk(issuer.jwks().keys[0]);
    const signing = await Key.generateAsync(alg);
    const verifier = key.verifier({ typ: "at+jwt" });
    const set = KeySet.fromJwks(issuer.jwks());
    const calls = await countingBoth("verify", () =>
      countingBoth("sign", async () => {
        for (const [call, instead] of [
          [() => key.verify(pair.access_token), "key.verifyAsync"],
          [() => verifier.verify(pair.access_token), "verifier.verifyAsync"],
          [() => set.verify(pair.access_token), "keySet.verifyAsync"],
          [() => issuer.verifyAccess(pair.access_token), "issuer.verifyAccessAsync"],
          [() => signing.sign({ sub: "u" }), "key.signAsync"],
          [() => signing.signer({}).sign({ sub: "u" }), "signer.signAsync"],
          [() => Key.generate(alg), "Key.generateAsync"],
        ]) {
          const [code, message] = thrown(call);
          assert.equal(code, "async_required", instead);
          assert.ok(message.includes(instead) && message.includes(alg), message);
        }
        return 0;
      }),
    );
    assert.equal(calls, 0, "the host's sign and verify were not called by any synchronous method");
    // The async twins answer.
    assert.equal((await key.verifyAsync(pair.access_token)).payload.sub, "user-1");
    assert.equal((await verifier.verifyAsync(pair.access_token)).payload.sub, "user-1");
    assert.equal((await set.verifyAsync(pair.access_token)).payload.sub, "user-1");
    assert.equal((await signing.signer({}).signAsync({ sub: "u" })).split(".").length, 3);
  }));

  test(`${hostName}, ${alg}: issuer.accessVerifier() checks what verifyAccessAsync checks, signatures on the host`, () => host.run(async () => {
    const signingKey = await Key.generateAsync(alg, { kid: `a-${alg}` });
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
    const expiredAt = new Date(now + 61_000);
    const stranger = await new Issuer(await Key.generateAsync(alg), Key.generate("HS256"), { issuer: ISSUER, audience: "api" }).startSession("x", {});
    const outcomes = [
      [pair.access_token, expiredAt, "token_expired"],
      [pair.refresh_token, undefined, "token_type_mismatch"],
      [pair.access_token.slice(0, -4) + "AAAA", undefined, "invalid_signature"],
      [stranger.access_token, undefined, "key_not_found"],
    ];
    for (const [token, currentDate, expected] of outcomes) {
      const direct = await codeOf(issuer.verifyAccessAsync(token, currentDate && { currentDate }));
      assert.equal(await codeOf(verifier.verifyAsync(token, currentDate)), direct);
      assert.equal(direct, expected);
    }
    // A verifier of another issuer (other audience) refuses these tokens.
    const other = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "billing" });
    assert.equal(await codeOf(other.accessVerifier().verifyAsync(pair.access_token)), "claim_mismatch");
  }));

  test(`${hostName}, ${alg}: the host's verdict comes before the claims', and a host that throws means invalid`, () => host.run(async () => {
    const key = await Key.generateAsync(alg, { kid: "k" });
    const token = await key.signAsync({ sub: "u" }, { expiresIn: 60 });
    const forged = token.slice(0, token.lastIndexOf(".") + 1) + (await key.signAsync({ sub: "v" })).split(".")[2];
    const expiredAt = new Date(Date.now() + 120_000);
    const verifier = key.verifier({});
    for (const verify of [(t, d) => key.verifyAsync(t, d && { currentDate: d }), (t, d) => verifier.verifyAsync(t, d)]) {
      assert.equal((await verify(token)).payload.sub, "u");
      assert.equal(await codeOf(verify(token, expiredAt)), "token_expired");
      // Another payload's valid signature: the signature's verdict, not the expiry's.
      assert.equal(await codeOf(verify(forged, expiredAt)), "invalid_signature");
      assert.equal(await codeOf(verify(forged)), "invalid_signature");
      await patched(host.api, "verify", refuse, async () => {
        assert.equal(await codeOf(verify(token)), "invalid_signature");
        assert.equal(await codeOf(verify(token, expiredAt)), "invalid_signature");
      });
      assert.equal((await verify(token)).payload.sub, "u", "the host is asked again");
    }
  }));

  test(`${hostName}, ${alg}: a host that fails to sign: that call is invalid_key, the next is asked again`, () => host.run(async () => {
    const key = await Key.generateAsync(alg, { kid: "k" });
    await key.signAsync({ sub: "u" }); // imports the key
    await patched(host.api, "sign", refuse, async () => {
      assert.equal(await codeOf(key.signAsync({ sub: "u" })), "invalid_key");
    });
    const calls = await counting(host.api, "sign", async () => {
      const token = await key.signAsync({ sub: "u" }, { expiresIn: 60 });
      assert.equal((await key.verifyAsync(token)).payload.sub, "u");
    });
    assert.equal(calls, 1, "the host signed again");
  }));
}

test("node:crypto cannot take the key: WebCrypto signs instead", async () => {
  const signingKey = await Key.generateAsync("ES256", { kid: "web-fallback" });
  const calls = await patched(nodeCrypto, "createPrivateKey", refuse, () =>
    counting(crypto.subtle, "sign", async () => {
      const token = await signingKey.signAsync({ sub: "u" }, { expiresIn: 60 });
      assert.equal((await signingKey.verifyAsync(token)).payload.sub, "u");
    }),
  );
  assert.equal(calls, 2, "WebCrypto made the import's probe signature and the token's");
});

test("no host can use the key: invalid_key naming the host's refusal, never a verdict on the token", async () => {
  const signingKey = await Key.generateAsync("ES256", { kid: "no-host" });
  const token = await signingKey.signAsync({ sub: "u" }, { expiresIn: 60 });
  await noHostKeys(async () => {
    const issuer = new Issuer(signingKey, Key.generate("HS256"), { issuer: ISSUER, audience: "api" });
    const calls = await countingBoth("sign", () => countingBoth("verify", async () => {
      const failing = issuer.startSession("user-1", { role: "a" });
      await assert.rejects(failing, (e) => e.code === "invalid_key" && /this host cannot/.test(e.message));
      // A fresh key per call: each one finds its import pending, then refused.
      const fresh = () => Key.fromJwk(signingKey.toPublicJwk());
      assert.equal(await codeOf(fresh().verifyAsync(token)), "invalid_key");
      const [head, payload] = token.split(".");
      assert.equal(await codeOf(fresh().verifyAsync(`${head}.${payload}.${"A".repeat(86)}`)), "invalid_key");
      const later = new Date(Date.now() + 120_000);
      assert.equal(await codeOf(fresh().verifyAsync(token, { currentDate: later })), "invalid_key");
      return 0;
    }));
    assert.equal(calls, 0, "the host signed and checked nothing");
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
    assert.equal((await issuer.verifyAccessAsync(pair.access_token)).payload.sub, "u");
    await issuer.refresh(pair.access_token, pair.refresh_token);
  });
  assert.equal(lookups, 0);
});
