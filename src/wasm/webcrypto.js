// The host's WebCrypto for signatures of asymmetric algorithms (Node, workerd, browsers), and
// the one constructor of this library's errors.
const ALGORITHMS = {
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  PS256: [{ name: "RSA-PSS", hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }],
};

/** A real `Error` (with a stack) named JwtRefreshError, carrying the stable `code`. */
export function jwtRefreshError(code, message) {
  const error = new Error(message);
  error.name = "JwtRefreshError";
  error.code = code;
  return error;
}

/**
 * Starts importing a JWK for `usage` ("verify" or "sign"; never extractable); returns the
 * key's host state, which the import fills in: `key` once it is a CryptoKey, `failed` if this
 * host cannot use it (e.g. no Ed25519).
 */
export function importHostKey(jwk, alg, usage) {
  const entry = { key: undefined, failed: false, pending: undefined };
  entry.pending = crypto.subtle.importKey("jwk", jwk, ALGORITHMS[alg][0], false, [usage]).then(
    (key) => (entry.key = key),
    () => {
      entry.failed = true;
      return null;
    },
  );
  return entry;
}

/** 0: still importing, 1: ready, 2: the host cannot use this key. */
export function hostKeyState(entry) {
  return entry.key ? 1 : entry.failed ? 2 : 0;
}

/** Settles when the import has: with the CryptoKey, or null if the host cannot use the key. */
export function hostKeyImported(entry) {
  return entry.pending;
}

/**
 * The promise of `verifyAsync` for a ready host key: settles with `outcome` (a result, or the
 * error a valid token would get from its claims) once the host says the signature is valid,
 * and with invalid_signature otherwise, so the signature is still checked first. A host that
 * throws while checking, or a key that is not ready, means "invalid": this fails closed.
 */
export function settleAfterHostCheck(entry, alg, signature, data, ok, outcome, message) {
  // Copies: the views point into wasm memory, which later calls reuse.
  const [sig, input] = [signature.slice(), data.slice()];
  const verdict = Promise.resolve(entry.key && crypto.subtle.verify(ALGORITHMS[alg][1], entry.key, sig, input));
  return verdict.then(
    (valid) => {
      if (valid !== true) throw jwtRefreshError("invalid_signature", message);
      if (!ok) throw outcome;
      return outcome;
    },
    () => {
      throw jwtRefreshError("invalid_signature", message);
    },
  );
}

/**
 * The compact JWS of `signingInput`, signed by the host with a ready key. WebCrypto's ECDSA
 * and Ed25519 signatures are already in the JWS form (r || s for ECDSA). A host that fails
 * to sign is not asked again: the key is marked failed, so later calls sign in wasm.
 */
export function signWithHost(entry, alg, signingInput) {
  const data = new TextEncoder().encode(signingInput);
  return Promise.resolve()
    .then(() => crypto.subtle.sign(ALGORITHMS[alg][1], entry.key, data))
    .then(
      (signature) => `${signingInput}.${base64url(new Uint8Array(signature))}`,
      () => {
        entry.key = undefined;
        entry.failed = true;
        throw jwtRefreshError("invalid_key", "the host could not sign with this key");
      },
    );
}

/** Unpadded base64url, through the runtime's own base64 encoder. */
function base64url(bytes) {
  if (typeof bytes.toBase64 === "function") return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
