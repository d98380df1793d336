// The host's WebCrypto for signature checks of asymmetric algorithms (Node, workerd, browsers).
const ALGORITHMS = {
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  PS256: [{ name: "RSA-PSS", hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }],
};

export function importVerifyKey(jwk, alg) {
  return crypto.subtle.importKey("jwk", jwk, ALGORITHMS[alg][0], false, ["verify"]);
}

export function hostVerify(key, alg, signature, data) {
  return crypto.subtle.verify(ALGORITHMS[alg][1], key, signature, data);
}
