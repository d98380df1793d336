// Interop with the npm package `jose`, both directions, every JWS algorithm (HMAC through the
// synchronous and async methods, the asymmetric ones through the async methods, which use the
// host's crypto); tamperings that jose rejects must be rejected here too. Runs against the
// default build in pkg/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import * as jose from "jose";
import { Key, KeySet, isJwtRefreshError } from "../../pkg/node.js";
import { HOSTS } from "./support/hosts.mjs";

const HMAC = ["HS256", "HS384", "HS512"];
const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const ALGORITHMS = [...HMAC, ...ASYMMETRIC];
/** Another algorithm of the same key type (or, for EdDSA, of none). */
const SIBLING = {
  HS256: "HS384", HS384: "HS512", HS512: "HS256",
  RS256: "PS256", RS384: "RS512", RS512: "RS256", PS256: "RS256", PS384: "PS512", PS512: "PS256",
  ES256: "ES384", ES384: "ES512", ES512: "ES256", EdDSA: "ES256",
};
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

/** The code our `verifyAsync` (and, for HMAC, `verify`: the same) gives `token`. */
async function ourCode(key, token, options) {
  const code = (e) => {
    assert.ok(e instanceof Error, "a real Error");
    assert.ok(isJwtRefreshError(e), `a JwtRefreshError: ${e}`);
    return e.code;
  };
  const settled = await key.verifyAsync(token, options).then(() => "accepted", code);
  if (key.alg?.startsWith("HS")) {
    let sync = "accepted";
    try {
      key.verify(token, options);
    } catch (e) {
      sync = code(e);
    }
    assert.equal(sync, settled, `verify and verifyAsync agree on ${token}`);
  }
  return settled;
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
    const key = await Key.generateAsync(alg, { kid: `k-${alg}` });
    const options = { expiresIn: "10m", typ: "at+jwt", jti: true };
    const tokens = HMAC.includes(alg) ? [key.sign(CLAIMS, options)] : [];
    // signAsync: asymmetric keys on the host (the first call waits for the key's import).
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
    const { payload, protectedHeader } = await key.verifyAsync(token, {
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
      assert.equal((await set.verifyAsync(token)).payload.sub, "user-1");
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
      "alg switched within its family": `${b64({ alg: SIBLING[alg] })}.${p}.${s}`,
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
      const code = await ourCode(ours, token);
      assert.notEqual(code, "accepted", `${name} accepted here`);
    }
    const paddable = s.length % 4 === 2;
    assert.deepEqual(joseAccepted, paddable ? ["padding"] : []);
    assert.equal(await ourCode(ours, tamperings.padding), "malformed_token");
    assert.equal(await ourCode(ours, tamperings["crit unknown"]), "crit_unsupported");
    // Claim failures: both reject, and our codes say why.
    const expired = await sign({ ...CLAIMS, exp: now - 10 });
    assert.ok(await joseRejects(expired, verifyKey));
    assert.equal(await ourCode(ours, expired), "token_expired");
    const future = await sign({ ...CLAIMS, nbf: now + 600 });
    assert.ok(await joseRejects(future, verifyKey));
    assert.equal(await ourCode(ours, future), "token_not_yet_valid");
    assert.ok(await joseRejects(good, verifyKey, { issuer: "evil" }));
    assert.equal(await ourCode(ours, good, { issuer: "evil" }), "claim_mismatch");
    assert.ok(await joseRejects(good, verifyKey, { audience: "web" }));
    assert.equal(await ourCode(ours, good, { audience: "web" }), "claim_mismatch");
    assert.ok(await joseRejects(good, verifyKey, { typ: "at+jwt" }));
    assert.equal(await ourCode(ours, good, { typ: "at+jwt" }), "token_type_mismatch");
    assert.equal(await ourCode(ours, tamperings["signature byte"]), "invalid_signature");
    // The untampered token passes both.
    await jose.jwtVerify(good, verifyKey);
    assert.equal((await ours.verifyAsync(good)).payload.sub, "user-1");
  });
}

test("the README's algorithm table lists exactly the algorithms proven here, HMAC alone synchronous", async () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.split("\n## Algorithms\n")[1]?.split("\n## ")[0] ?? "";
  const rows = section.split("\n").filter((line) => /^\| [A-Z]{2}/.test(line));
  const names = /\b(?:HS|RS|PS|ES)\d{3}\b|\bEdDSA\b/g;
  const listed = rows.flatMap((row) => row.split("|")[1].match(names) ?? []);
  assert.deepEqual([...listed].sort(), [...ALGORITHMS].sort(), "the README lists each algorithm once");
  // The table's "methods" column: HMAC keys work synchronously, the others only through the
  // async methods, which a synchronous call names.
  for (const row of rows) {
    const [, algorithms, , methods] = row.split("|");
    const [alg] = algorithms.match(names);
    const { signKey, jwk } = await joseKeyPair(alg);
    const token = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg }).setExpirationTime("5m").sign(signKey);
    const key = Key.fromJwk({ ...jwk, alg }, { alg });
    assert.equal((await key.verifyAsync(token)).payload.sub, "user-1", `${alg} verifies`);
    if (/sync and async/.test(methods)) {
      assert.equal(key.verify(token).payload.sub, "user-1", `${alg} verifies synchronously`);
    } else {
      assert.throws(() => key.verify(token), (e) => e.code === "async_required" && /verifyAsync/.test(e.message), `${alg} names verifyAsync`);
    }
  }
});

test("tokens as identity providers issue them: RS256 with kid and typ JWT, a JWKS of several key types", async () => {
  // What Auth0, Google, Entra ID, Cognito publish: several keys (rotation), RSA and EC, each
  // with kid, alg and use; tokens with `typ: "JWT"` and the kid of the current key.
  const issuer = "https://tenant.example.auth0.com/";
  const pairs = {};
  for (const [kid, alg] of [["rsa-2025", "RS256"], ["rsa-2026", "RS256"], ["ec-1", "ES256"], ["ed-1", "EdDSA"]]) {
    pairs[kid] = { alg, ...(await jose.generateKeyPair(alg, { extractable: true })) };
  }
  const jwks = {
    keys: await Promise.all(
      Object.entries(pairs).map(async ([kid, { alg, publicKey }]) => ({ ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" })),
    ),
  };
  // An encryption key and an alg-less RSA key, as some providers publish: the first is
  // skipped, the second taken as RS256 (Entra ID's keys have no alg).
  jwks.keys.push({ ...(await jose.exportJWK((await jose.generateKeyPair("RSA-OAEP", { extractable: true })).publicKey)), kid: "enc-1", use: "enc" });
  const { alg: _, ...withoutAlg } = jwks.keys[1];
  jwks.keys[1] = withoutAlg;
  const keys = KeySet.fromJwks(jwks);
  assert.equal(keys.size, 4);
  assert.deepEqual(keys.toJwks().keys.map((k) => [k.kid, k.alg]), [["rsa-2025", "RS256"], ["rsa-2026", "RS256"], ["ec-1", "ES256"], ["ed-1", "EdDSA"]]);
  for (const [kid, { alg, privateKey }] of Object.entries(pairs)) {
    const token = await new jose.SignJWT({ sub: "auth0|123", scope: "openid profile", azp: "client" })
      .setProtectedHeader({ alg, typ: "JWT", kid })
      .setIssuer(issuer)
      .setAudience(["https://api.example", `${issuer}userinfo`])
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    const { payload, protectedHeader } = await keys.verifyAsync(token, { issuer, audience: "https://api.example", algorithms: ["RS256", "ES256", "EdDSA"] });
    assert.equal(payload.sub, "auth0|123");
    assert.equal(protectedHeader.kid, kid);
    // Synchronous verification of a provider's token says what to call instead.
    assert.throws(() => keys.verify(token), (e) => e.code === "async_required" && /keySet\.verifyAsync/.test(e.message));
    // The kid chooses the key: the same token under another RSA key's kid is refused.
    if (kid === "rsa-2025") {
      const [, p, sig] = token.split(".");
      const relabelled = `${b64({ alg, typ: "JWT", kid: "rsa-2026" })}.${p}.${sig}`;
      assert.equal(await ourCode(keys, relabelled), "invalid_signature");
      const unknown = `${b64({ alg, typ: "JWT", kid: "rsa-2099" })}.${p}.${sig}`;
      assert.equal(await ourCode(keys, unknown), "key_not_found");
    }
  }
});

test("RFC 9864's Ed25519: jose's tokens and JWKs that name it verify; the allow-list takes either name", async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair("Ed25519", { extractable: true });
  const token = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg: "Ed25519", kid: "ed" }).setExpirationTime("5m").sign(privateKey);
  const jwk = { ...(await jose.exportJWK(publicKey)), alg: "Ed25519", kid: "ed" };
  const fromJwk = Key.fromJwk(jwk);
  assert.equal(fromJwk.alg, "EdDSA");
  const checks = { issuer: CLAIMS.iss, audience: "api" };
  for (const key of [fromJwk, KeySet.fromJwks({ keys: [jwk] }), Key.fromJwk({ ...jwk, alg: "EdDSA" })]) {
    for (const algorithms of [undefined, ["Ed25519"], ["EdDSA"]]) {
      const { payload, protectedHeader } = await key.verifyAsync(token, { ...checks, algorithms });
      assert.deepEqual(payload, { ...CLAIMS, exp: payload.exp });
      assert.equal(protectedHeader.alg, "Ed25519");
    }
    assert.equal(await ourCode(key, token, { ...checks, algorithms: ["ES256"] }), "alg_not_allowed");
  }
  // Another key type refuses it as it refuses the same token under the name EdDSA.
  const es = await Key.generateAsync("ES256");
  const asEdDsa = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg: "EdDSA", kid: "ed" }).setExpirationTime("5m").sign(privateKey);
  assert.equal(await ourCode(es, token, checks), await ourCode(es, asEdDsa, checks));
  assert.notEqual(await ourCode(es, token, checks), "accepted");
  // Signed here with an Ed25519 key, the header says EdDSA, which jose verifies.
  const ours = await (await Key.generateAsync("Ed25519")).signAsync(CLAIMS, { expiresIn: 60 });
  assert.equal(JSON.parse(Buffer.from(ours.split(".")[0], "base64url")).alg, "EdDSA");
});

test("RSA keys must be 2048 bits or more; generated ones are 2048", async () => {
  // jose refuses to make keys this weak; node:crypto still can.
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const weak = publicKey.export({ format: "jwk" });
  assert.throws(() => Key.fromJwk(weak, { alg: "RS256" }), (e) => e.code === "invalid_key" && /2048/.test(e.message));
  const key = await Key.generateAsync("PS256");
  assert.equal(Buffer.from(key.toPublicJwk().n, "base64url").length, 256);
  assert.ok(key.canSign);
});

// RFC 8017 §8.1.2: an RSA-PSS signature must be exactly as long as the modulus. node:crypto
// left-pads a shorter one and accepts it (for PKCS#1 v1.5 it does not). The core refuses it
// before any host sees it, so every host gives one verdict.
test("PS256: a valid signature with its leading zero byte dropped is refused", async () => {
  const crypto = process.getBuiltinModule("node:crypto");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = Key.fromJwk(publicKey.export({ format: "jwk" }), { alg: "PS256" });
  const options = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  // Sign until the signature starts with a zero byte (1 in 256), bounded.
  let input;
  let signature;
  for (let i = 0; i < 5000; i++) {
    input = `${b64({ alg: "PS256" })}.${b64({ sub: "u", n: i })}`;
    signature = crypto.sign("sha256", Buffer.from(input), { key: privateKey, ...options });
    if (signature[0] === 0) break;
  }
  assert.equal(signature[0], 0, "found a signature with a leading zero byte");
  assert.equal((await key.verifyAsync(`${input}.${signature.toString("base64url")}`)).payload.sub, "u");
  const short = signature.subarray(1);
  // The host itself accepts the short signature: this is what must never be asked.
  assert.equal(crypto.verify("sha256", Buffer.from(input), { key: publicKey, ...options }, short), true);
  assert.equal(await ourCode(key, `${input}.${short.toString("base64url")}`), "invalid_signature");
});

for (const [hostName, host] of Object.entries(HOSTS)) {
  test(`${hostName}: PEM keys (SPKI and PKCS #8) as jose exports them, both ways`, () => host.run(async () => {
    for (const alg of ["RS256", "PS384", "ES256", "ES512", "EdDSA"]) {
      const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
      const [spki, pkcs8] = [await jose.exportSPKI(publicKey), await jose.exportPKCS8(privateKey)];
      const verifying = await Key.fromPemAsync(spki, { alg, kid: "pem" });
      const signing = await Key.fromPemAsync(pkcs8, { alg, kid: "pem" });
      assert.deepEqual([verifying.alg, verifying.kid, verifying.canSign, signing.canSign], [alg, "pem", false, true]);
      const theirs = await new jose.SignJWT({ sub: "pem" }).setProtectedHeader({ alg, kid: "pem" }).sign(privateKey);
      assert.equal((await verifying.verifyAsync(theirs)).payload.sub, "pem", alg);
      const ours = await signing.signAsync({ sub: "ours" });
      assert.equal((await jose.jwtVerify(ours, publicKey)).payload.sub, "ours", alg);
    }
    const rejects = async (pem, options, code) =>
      assert.equal(await Key.fromPemAsync(pem, options).then(() => "accepted", (e) => e.code), code);
    const { publicKey } = await jose.generateKeyPair("ES256", { extractable: true });
    const spki = await jose.exportSPKI(publicKey);
    await rejects(spki, { alg: "RS256" }, "invalid_key"); // an EC key is no RSA key
    await rejects(spki, {}, "invalid_options"); // the algorithm must be named
    await rejects(spki, { alg: "HS256" }, "invalid_options");
    await rejects("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", { alg: "RS256" }, "invalid_key");
    await rejects(spki.replace("MFkw", "MFkx"), { alg: "ES256" }, "invalid_key");
    await rejects(42, { alg: "ES256" }, "invalid_key");
  }));
}
