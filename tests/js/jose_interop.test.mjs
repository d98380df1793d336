// Interop with the npm package `jose`, both directions, every algorithm; tamperings that
// jose rejects must be rejected here too. Runs against the built package in pkg/.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { Key, KeySet, isJwtRefreshError } from "../../pkg/node.js";

const ALGORITHMS = ["HS256", "HS384", "HS512", "EdDSA", "ES256"];
const CLAIMS = { sub: "user-1", iss: "https://auth.example", aud: "api", roles: ["a", "b"], n: 42 };

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");

async function joseKeyPair(alg) {
  if (alg.startsWith("HS")) {
    const secret = await jose.generateSecret(alg, { extractable: true });
    return { signKey: secret, verifyKey: secret, jwk: await jose.exportJWK(secret) };
  }
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  return { signKey: privateKey, verifyKey: publicKey, jwk: await jose.exportJWK(publicKey) };
}

function ourCode(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, "a real Error");
    assert.ok(isJwtRefreshError(e), `a JwtRefreshError: ${e}`);
    return e.code;
  }
  return "accepted";
}

async function joseRejects(token, key, options = {}) {
  try {
    await jose.jwtVerify(token, key, options);
    return false;
  } catch {
    return true;
  }
}

for (const alg of ALGORITHMS) {
  test(`${alg}: signed here, verified by jose with the same claims`, async () => {
    const key = Key.generate(alg, { kid: `k-${alg}` });
    const options = { expiresIn: "10m", typ: "at+jwt", jti: true };
    const tokens = [key.sign(CLAIMS, options)];
    // signAsync: EdDSA/ES256 on the host (the first call waits for the key's import).
    for (let i = 0; i < 3; i++) {
      tokens.push(await key.signAsync(CLAIMS, options));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const jwk = alg.startsWith("HS") ? key.toPrivateJwk() : key.toPublicJwk();
    const joseKey = await jose.importJWK(jwk, alg);
    for (const token of tokens) {
      const { payload, protectedHeader } = await jose.jwtVerify(token, joseKey, {
        algorithms: [alg],
        issuer: CLAIMS.iss,
        audience: "api",
        typ: "at+jwt",
      });
      for (const [name, value] of Object.entries(CLAIMS)) assert.deepEqual(payload[name], value);
      assert.equal(protectedHeader.kid, `k-${alg}`);
      assert.equal(payload.exp - payload.iat, 600);
      assert.equal(typeof payload.jti, "string");
    }
  });

  test(`${alg}: signed by jose, verified here with the same claims`, async () => {
    const { signKey, jwk } = await joseKeyPair(alg);
    const token = await new jose.SignJWT(CLAIMS)
      .setProtectedHeader({ alg, typ: "at+jwt", kid: "jose-1" })
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(signKey);
    const key = Key.fromJwk(jwk, { alg, kid: "jose-1" });
    const { payload, protectedHeader } = key.verify(token, {
      algorithms: [alg],
      issuer: CLAIMS.iss,
      audience: "api",
      typ: "at+jwt",
    });
    assert.deepEqual(payload, jose.decodeJwt(token));
    assert.equal(protectedHeader.alg, alg);
    // And through a JWKS, as a relying party would fetch it.
    if (!alg.startsWith("HS")) {
      const set = KeySet.fromJwks({ keys: [{ ...jwk, kid: "jose-1", alg }] });
      assert.equal(set.verify(token).payload.sub, "user-1");
    }
  });

  test(`${alg}: tamperings jose rejects are rejected here`, async () => {
    const { signKey, verifyKey, jwk } = await joseKeyPair(alg);
    const ours = Key.fromJwk(jwk, { alg });
    const sign = (claims, header = {}, options = {}) =>
      new jose.SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(signKey, options);
    const now = Math.floor(Date.now() / 1000);
    const good = await sign({ ...CLAIMS, exp: now + 600 });
    const [h, p, s] = good.split(".");
    const flip = (str, i) => str.slice(0, i) + (str[i] === "A" ? "B" : "A") + str.slice(i + 1);
    const tamperings = {
      "signature byte": `${h}.${p}.${flip(s, 3)}`,
      "payload swapped": `${h}.${b64({ ...CLAIMS, sub: "admin", exp: now + 600 })}.${s}`,
      "header swapped": `${b64({ alg, kid: "other" })}.${p}.${s}`,
      "alg none": `${b64({ alg: "none" })}.${p}.`,
      "alg none with signature": `${b64({ alg: "none" })}.${p}.${s}`,
      "alg switched": `${b64({ alg: alg === "HS256" ? "HS512" : "HS256" })}.${p}.${s}`,
      "padding": `${h}.${p}.${s}==`,
      "whitespace": `${h}.${p} .${s}`,
      "standard base64": `${h}.${p}.${s.replace(/-/g, "+").replace(/_/g, "/")}+/`,
      "extra segment": `${h}.${p}.${s}.${s}`,
      "two segments": `${h}.${p}`,
      "truncated signature": `${h}.${p}.${s.slice(0, -4)}`,
      "crit unknown": await sign(
        { ...CLAIMS, exp: now + 600 },
        { crit: ["x-custom"], "x-custom": 1 },
        { crit: { "x-custom": true } },
      ),
    };
    // We reject every tampering; jose rejects all but one: it tolerates "==" padding when the
    // signature's length makes it valid standard padding (RFC 7515 §2 forbids padding).
    const joseAccepted = [];
    for (const [name, token] of Object.entries(tamperings)) {
      if (!(await joseRejects(token, verifyKey))) joseAccepted.push(name);
      const code = ourCode(() => ours.verify(token));
      assert.notEqual(code, "accepted", `${name} accepted here`);
    }
    const paddable = s.length % 4 === 2;
    assert.deepEqual(joseAccepted, paddable ? ["padding"] : []);
    assert.equal(ourCode(() => ours.verify(tamperings.padding)), "malformed_token");
    assert.equal(ourCode(() => ours.verify(tamperings["crit unknown"])), "crit_unsupported");
    // Claim failures: both reject, and our codes say why.
    const expired = await sign({ ...CLAIMS, exp: now - 10 });
    assert.ok(await joseRejects(expired, verifyKey));
    assert.equal(ourCode(() => ours.verify(expired)), "token_expired");
    const future = await sign({ ...CLAIMS, nbf: now + 600 });
    assert.ok(await joseRejects(future, verifyKey));
    assert.equal(ourCode(() => ours.verify(future)), "token_not_yet_valid");
    assert.ok(await joseRejects(good, verifyKey, { issuer: "evil" }));
    assert.equal(ourCode(() => ours.verify(good, { issuer: "evil" })), "claim_mismatch");
    assert.ok(await joseRejects(good, verifyKey, { audience: "web" }));
    assert.equal(ourCode(() => ours.verify(good, { audience: "web" })), "claim_mismatch");
    assert.ok(await joseRejects(good, verifyKey, { typ: "at+jwt" }));
    assert.equal(ourCode(() => ours.verify(good, { typ: "at+jwt" })), "token_type_mismatch");
    assert.equal(ourCode(() => ours.verify(tamperings["signature byte"])), "invalid_signature");
    // The untampered token passes both.
    await jose.jwtVerify(good, verifyKey);
    assert.equal(ours.verify(good).payload.sub, "user-1");
  });
}
