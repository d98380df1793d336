// The same keys and claims for every library in the benchmark.
import { generateKeyPairSync, randomBytes } from "node:crypto";
export { CLAIMS, ALGORITHMS } from "./claims.mjs";

/** HS256 secret as text (what tsndr and fast-jwt take) and as an oct JWK (the same bytes). */
export function makeKeys() {
  const secret = randomBytes(24).toString("base64url"); // 32 ASCII characters = 32 bytes
  const pem = (pair) => ({
    private: pair.privateKey.export({ type: "pkcs8", format: "pem" }),
    public: pair.publicKey.export({ type: "spki", format: "pem" }),
  });
  const asymmetric = (alg, pair) => ({
    privateJwk: { ...pair.privateKey.export({ format: "jwk" }), alg },
    publicJwk: { ...pair.publicKey.export({ format: "jwk" }), alg },
    pem: pem(pair),
  });
  return {
    HS256: {
      secret,
      privateJwk: { kty: "oct", k: Buffer.from(secret).toString("base64url"), alg: "HS256" },
      publicJwk: { kty: "oct", k: Buffer.from(secret).toString("base64url"), alg: "HS256" },
    },
    EdDSA: asymmetric("EdDSA", generateKeyPairSync("ed25519")),
    ES256: asymmetric("ES256", generateKeyPairSync("ec", { namedCurve: "P-256" })),
    RS256: asymmetric("RS256", generateKeyPairSync("rsa", { modulusLength: 2048 })),
  };
}
