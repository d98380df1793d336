// The host's native crypto for signatures of asymmetric algorithms, and the one constructor of
// this library's errors. Node, Deno and Bun: node:crypto's one-shot sign/verify, synchronous
// native calls (their WebCrypto hops to a thread pool: several times slower per token).
// workerd and browsers: WebCrypto (workerd's is near-synchronous).
const ALGORITHMS = {
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  PS256: [{ name: "RSA-PSS", hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }],
};

/** node:crypto's digest and options for each algorithm (JWS wants ECDSA as r || s). */
const NODE_ALGORITHMS = {
  ES256: ["sha256", { dsaEncoding: "ieee-p1363" }],
  EdDSA: [null, {}],
  RS256: ["sha256", {}],
  PS256: ["sha256", { padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }],
};

/**
 * node:crypto where it is Node's own or a faithful copy (Node, Deno, Bun); undefined in browsers
 * and in workerd, whose node:crypto is a compatibility layer over a WebCrypto that is already
 * fast. Looked up per key import, so that it can be turned off (tests do).
 */
function nodeCrypto() {
  const process = globalThis.process;
  if (!process?.versions?.node || globalThis.navigator?.userAgent === "Cloudflare-Workers") return undefined;
  return process.getBuiltinModule?.("node:crypto");
}

/** A real `Error` (with a stack) named JwtRefreshError, carrying the stable `code`. */
export function jwtRefreshError(code, message) {
  const error = new Error(message);
  error.name = "JwtRefreshError";
  error.code = code;
  return error;
}

/** The host cannot use this key after all: later calls leave its work to wasm. */
function hostKeyFailed(entry) {
  entry.key = undefined;
  entry.failed = true;
}

/** What `signAsync` rejects with when a host that took the key fails to sign with it. */
const hostCannotSign = () => jwtRefreshError("invalid_key", "the host could not sign with this key");

/**
 * Imports a JWK for `usage` ("verify" or "sign"); returns the key's host state: `key` once it
 * is a KeyObject (node:crypto, at once) or a non-extractable CryptoKey (WebCrypto, when its
 * import settles), `failed` if this host cannot use it (e.g. no Ed25519).
 */
export function importHostKey(jwk, alg, usage) {
  const entry = { key: undefined, node: undefined, failed: false, pending: undefined };
  const node = nodeCrypto();
  if (node) {
    try {
      const input = { key: jwk, format: "jwk" };
      entry.key = usage === "sign" ? node.createPrivateKey(input) : node.createPublicKey(input);
      entry.node = node;
      entry.pending = Promise.resolve(entry.key);
      return entry;
    } catch {
      // This node:crypto cannot take the key: WebCrypto may.
    }
  }
  entry.pending = crypto.subtle.importKey("jwk", jwk, ALGORITHMS[alg][0], false, [usage]).then(
    (key) => (entry.key = key),
    () => {
      hostKeyFailed(entry);
      return null;
    },
  );
  return entry;
}

/** 0: still importing, 1: ready, 2: the host cannot use this key. */
export function hostKeyState(entry) {
  return entry.key ? 1 : entry.failed ? 2 : 0;
}

/** Settles when the import has: with the host's key, or null if the host cannot use the key. */
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
  return verifyWithHost(entry, alg, signature, data).then((valid) => {
    if (!valid) throw jwtRefreshError("invalid_signature", message);
    if (!ok) throw outcome;
    return outcome;
  });
}

/** Whether this host answers signature checks synchronously (node:crypto). */
export function hasSynchronousHost() {
  return nodeCrypto() !== undefined;
}

/**
 * The host's verdict at once: 1 valid, 0 invalid (or the host threw: fails closed), 2 this
 * entry has no synchronous form (WebCrypto), so the caller checks by itself.
 */
export function verifyNow(entry, alg, signature, data) {
  if (!entry.node) return 2;
  const [digest, options] = NODE_ALGORITHMS[alg];
  try {
    return entry.node.verify(digest, data, { ...options, key: entry.key }, signature) === true ? 1 : 0;
  } catch {
    return 0;
  }
}

/**
 * The compact JWS of `signingInput` at once where the host signs synchronously (node:crypto);
 * undefined elsewhere, or if it fails (then the key is not asked again), so the caller signs
 * in wasm: the same token either way.
 */
export function signNow(entry, alg, signingInput) {
  if (!entry.node || !entry.key) return undefined;
  const [digest, options] = NODE_ALGORITHMS[alg];
  try {
    const signature = entry.node.sign(digest, new TextEncoder().encode(signingInput), { ...options, key: entry.key });
    return `${signingInput}.${base64url(new Uint8Array(signature))}`;
  } catch {
    hostKeyFailed(entry);
    return undefined;
  }
}

/** Whether the host finds `signature` valid over `data`; false if it throws (fails closed). */
export function verifyWithHost(entry, alg, signature, data) {
  if (entry.node) return Promise.resolve(verifyNow(entry, alg, signature, data) === 1);
  // Copies: the views point into wasm memory, which later calls reuse.
  const [sig, input] = [signature.slice(), data.slice()];
  return Promise.resolve(entry.key && crypto.subtle.verify(ALGORITHMS[alg][1], entry.key, sig, input)).then(
    (valid) => valid === true,
    () => false,
  );
}

/**
 * The compact JWS of `signingInput`, signed by the host with a ready key. WebCrypto's ECDSA
 * and Ed25519 signatures are already in the JWS form (r || s for ECDSA; node:crypto is asked
 * for it). A host that fails to sign is not asked again: the key is marked failed, so later
 * calls sign in wasm.
 */
export function signWithHost(entry, alg, signingInput) {
  if (entry.node) {
    const token = signNow(entry, alg, signingInput);
    return token === undefined ? Promise.reject(hostCannotSign()) : Promise.resolve(token);
  }
  const data = new TextEncoder().encode(signingInput);
  return Promise.resolve()
    .then(() => crypto.subtle.sign(ALGORITHMS[alg][1], entry.key, data))
    .then(
      (signature) => `${signingInput}.${base64url(new Uint8Array(signature))}`,
      () => {
        hostKeyFailed(entry);
        throw hostCannotSign();
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
