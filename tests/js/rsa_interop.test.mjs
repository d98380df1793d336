// RS256 and PS256 (verify only, `rsa` feature): tokens jose signs verify here with the same
// claims, and tamperings jose rejects are rejected here. Uses the rsa build in pkg-rsa/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as jose from "jose";
import { Key, isJwtRefreshError } from "../../pkg-rsa/node.js";

const CLAIMS = { sub: "user-1", iss: "https://auth.example", aud: "api", roles: ["a"] };

function ourCode(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(isJwtRefreshError(e));
    return e.code;
  }
  return "accepted";
}

for (const alg of ["RS256", "PS256"]) {
  test(`${alg}: signed by jose, verified here; tamperings rejected by both`, async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
    const jwk = await jose.exportJWK(publicKey);
    const token = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("5m").sign(privateKey);
    const key = Key.fromJwk(jwk, { alg });
    assert.equal(key.canSign, false);
    const { payload } = key.verify(token, { algorithms: [alg], issuer: CLAIMS.iss, audience: "api" });
    assert.deepEqual(payload, jose.decodeJwt(token));

    const [h, p, s] = token.split(".");
    const other = alg === "RS256" ? "PS256" : "RS256";
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const tamperings = [
      `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`,
      `${b64({ alg: other })}.${p}.${s}`,
      `${h}.${b64({ ...CLAIMS, sub: "admin" })}.${s}`,
    ];
    for (const bad of tamperings) {
      await assert.rejects(jose.jwtVerify(bad, publicKey));
      assert.notEqual(ourCode(() => key.verify(bad)), "accepted");
    }

    // verifyAsync: the signature checked by the host (node:crypto here), the same answers.
    const host = process.getBuiltinModule("node:crypto");
    const original = host.verify;
    let hostChecks = 0;
    host.verify = (...args) => (hostChecks++, original(...args));
    try {
      const checked = await key.verifyAsync(token, { algorithms: [alg], issuer: CLAIMS.iss, audience: "api" });
      assert.deepEqual(checked.payload, payload);
      for (const bad of tamperings) {
        const code = await key.verifyAsync(bad).then(() => "accepted", (e) => e.code);
        assert.equal(code, ourCode(() => key.verify(bad)), bad);
      }
    } finally {
      host.verify = original;
    }
    assert.ok(hostChecks >= 2, "the host checked the signatures");
  });
}

test("RSA keys are verify-only and must be 2048 bits or more", async () => {
  assert.equal(ourCode(() => Key.generate("RS256")), "invalid_key");
  // jose refuses to make keys this weak; node:crypto still can.
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const weak = publicKey.export({ format: "jwk" });
  assert.equal(ourCode(() => Key.fromJwk(weak, { alg: "RS256" })), "invalid_key");
});

// RFC 8017 §8.1.2: an RSA-PSS signature must be exactly as long as the modulus. node:crypto
// left-pads a shorter one and accepts it (for PKCS#1 v1.5 it does not); wasm refused it. Now
// the core refuses it before any host sees it, so every host gives one verdict.
for (const [alg, padding] of [["PS256", "RSA_PKCS1_PSS_PADDING"]]) {
  test(`${alg}: a valid signature with its leading zero byte dropped is refused on every path`, async () => {
    const crypto = process.getBuiltinModule("node:crypto");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key = Key.fromJwk(publicKey.export({ format: "jwk" }), { alg });
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const options = { padding: crypto.constants[padding], saltLength: 32 };
    // Sign until the signature starts with a zero byte (1 in 256), bounded.
    let input;
    let signature;
    for (let i = 0; i < 5000; i++) {
      input = `${b64({ alg })}.${b64({ sub: "u", n: i })}`;
      signature = crypto.sign("sha256", Buffer.from(input), { key: privateKey, ...options });
      if (signature[0] === 0) break;
    }
    assert.equal(signature[0], 0, "found a signature with a leading zero byte");
    const full = `${input}.${signature.toString("base64url")}`;
    assert.equal(key.verify(full).payload.sub, "u");
    const short = signature.subarray(1);
    // The host itself accepts the short signature: this is what must never be asked.
    assert.equal(crypto.verify("sha256", Buffer.from(input), { key: publicKey, ...options }, short), true);
    const token = `${input}.${short.toString("base64url")}`;
    assert.equal(ourCode(() => key.verify(token)), "invalid_signature");
    assert.equal(await key.verifyAsync(token).then(() => "accepted", (e) => e.code), "invalid_signature");
  });
}
