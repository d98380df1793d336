// The same keys and claims for every library in the benchmark.
import { generateKeyPairSync, randomBytes } from "node:crypto";
export { CLAIMS } from "./claims.mjs";

/** HS256 secret as text (what tsndr and fast-jwt take) and as an oct JWK (the same bytes). */
export function makeKeys() {
  const secret = randomBytes(24).toString("base64url"); // 32 ASCII characters = 32 bytes
  const ed = generateKeyPairSync("ed25519");
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = (pair) => ({
    private: pair.privateKey.export({ type: "pkcs8", format: "pem" }),
    public: pair.publicKey.export({ type: "spki", format: "pem" }),
  });
  return {
    HS256: {
      secret,
      privateJwk: { kty: "oct", k: Buffer.from(secret).toString("base64url"), alg: "HS256" },
      publicJwk: { kty: "oct", k: Buffer.from(secret).toString("base64url"), alg: "HS256" },
    },
    EdDSA: { privateJwk: { ...ed.privateKey.export({ format: "jwk" }), alg: "EdDSA" }, publicJwk: { ...ed.publicKey.export({ format: "jwk" }), alg: "EdDSA" }, pem: pem(ed) },
    ES256: { privateJwk: { ...ec.privateKey.export({ format: "jwk" }), alg: "ES256" }, publicJwk: { ...ec.publicKey.export({ format: "jwk" }), alg: "ES256" }, pem: pem(ec) },
  };
}
