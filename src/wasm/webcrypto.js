// The host's native crypto for signatures of asymmetric algorithms, the one constructor of
// this library's errors, and a deadline on a promise. Node, Deno and Bun: node:crypto's
// one-shot sign/verify, synchronous native calls (their WebCrypto hops to a thread pool:
// several times slower per token). workerd and browsers: WebCrypto (workerd's is
// near-synchronous).

/** WebCrypto's import and sign/verify parameters per algorithm (RFC 7518 §3: PSS salt = hash). */
const rsa = (name, hash, extra) => [{ name, hash }, { name, ...extra }];
const ecdsa = (namedCurve, hash) => [{ name: "ECDSA", namedCurve }, { name: "ECDSA", hash }];
const ALGORITHMS = {
  RS256: rsa("RSASSA-PKCS1-v1_5", "SHA-256"),
  RS384: rsa("RSASSA-PKCS1-v1_5", "SHA-384"),
  RS512: rsa("RSASSA-PKCS1-v1_5", "SHA-512"),
  PS256: rsa("RSA-PSS", "SHA-256", { saltLength: 32 }),
  PS384: rsa("RSA-PSS", "SHA-384", { saltLength: 48 }),
  PS512: rsa("RSA-PSS", "SHA-512", { saltLength: 64 }),
  ES256: ecdsa("P-256", "SHA-256"),
  ES384: ecdsa("P-384", "SHA-384"),
  ES512: ecdsa("P-521", "SHA-512"),
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
};

/** node:crypto's digest and options for each algorithm (JWS wants ECDSA as r || s). */
const PSS = 6; // crypto.constants.RSA_PKCS1_PSS_PADDING
const P1363 = { dsaEncoding: "ieee-p1363" };
const NODE_ALGORITHMS = {
  RS256: ["sha256", {}],
  RS384: ["sha384", {}],
  RS512: ["sha512", {}],
  PS256: ["sha256", { padding: PSS, saltLength: 32 }],
  PS384: ["sha384", { padding: PSS, saltLength: 48 }],
  PS512: ["sha512", { padding: PSS, saltLength: 64 }],
  ES256: ["sha256", P1363],
  ES384: ["sha384", P1363],
  ES512: ["sha512", P1363],
  EdDSA: [null, {}],
};

/** node:crypto's key generation parameters per algorithm. */
function nodeKeyPair(alg) {
  if (alg === "EdDSA") return ["ed25519", {}];
  if (alg.startsWith("ES")) return ["ec", { namedCurve: ALGORITHMS[alg][0].namedCurve }];
  return ["rsa", { modulusLength: 2048 }];
}

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

/** The host cannot use this key after all (`why`: its words), and is not asked again. */
function hostKeyFailed(entry, why) {
  entry.key = undefined;
  entry.failed = true;
  entry.refusal = describe(why);
}

/** A short account of what a host threw. */
export function describe(thrown) {
  const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/**
 * `answer` (a promise, or a plain value: `Promise.race` takes either), or a rejection with
 * "timeout" past `timeoutMs`: a session store's answer, so that a hung backend cannot hang the
 * request. Here rather than a Rust closure per call: a timer
 * callback cleared before it runs would keep that closure's memory for good. Not a module of
 * its own: wasm-bindgen-test-runner's server (tiny_http) can leave one of a page's module
 * requests unanswered when more of them come at once (scripts/test.sh).
 */
export function withTimeout(answer, timeoutMs) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject("timeout"), timeoutMs);
  });
  return Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Imports a JWK for `usage` ("verify" or "sign"); returns the key's host state: `key` once it
 * is a KeyObject (node:crypto, at once) or a non-extractable CryptoKey (WebCrypto, when its
 * import settles), `failed` and `refusal` if this host cannot use it (a point off its curve,
 * an inconsistent RSA key, no Ed25519).
 */
export function importHostKey(published, alg, usage) {
  // The host needs the key's members only; WebKit refuses an OKP key that says `use: "sig"`.
  const { use, kid, ...jwk } = published;
  // The entry keeps its algorithm: the calls that use it pass no string that would need decoding.
  const entry = { alg, key: undefined, node: undefined, nodeCall: undefined, failed: false, refusal: "", pending: undefined };
  const node = nodeCrypto();
  if (node) {
    try {
      const input = { key: jwk, format: "jwk" };
      const key = usage === "sign" ? node.createPrivateKey(input) : node.createPublicKey(input);
      const [digest, options] = NODE_ALGORITHMS[alg];
      // Made once: every sign or verify with this key passes the same options object.
      const nodeCall = [digest, { ...options, key }];
      if (usage === "sign") {
        // A private JWK whose public members are not its own signs tokens that its published
        // key never verifies (hosts keep the given public point): a probe signature must verify.
        const probe = new Uint8Array(1);
        const signature = node.sign(digest, probe, nodeCall[1]);
        const published = node.createPublicKey({ key: publicMembers(jwk), format: "jwk" });
        if (!node.verify(digest, probe, { ...options, key: published }, signature)) {
          hostKeyFailed(entry, MISMATCHED);
          entry.pending = Promise.resolve(null);
          return entry;
        }
      }
      entry.key = key;
      entry.node = node;
      entry.nodeCall = nodeCall;
      entry.pending = Promise.resolve(entry.key);
      return entry;
    } catch {
      // This node:crypto cannot take the key: WebCrypto may (and says why if it cannot).
    }
  }
  entry.pending = Promise.resolve()
    .then(async () => {
      const [params, signing] = ALGORITHMS[alg];
      const key = await crypto.subtle.importKey("jwk", jwk, params, false, [usage]);
      if (usage === "sign") {
        // As above: a probe signature must verify under the JWK's public members.
        const verifying = await crypto.subtle.importKey("jwk", publicMembers(jwk), params, false, ["verify"]);
        const probe = new Uint8Array(1);
        const signature = await crypto.subtle.sign(signing, key, probe);
        if (!(await crypto.subtle.verify(signing, verifying, signature, probe))) throw MISMATCHED;
      }
      return (entry.key = key);
    })
    .catch((error) => {
      hostKeyFailed(entry, error);
      return null;
    });
  return entry;
}

const MISMATCHED = new Error("the private key does not match the JWK's public members");

/** A JWK without its private members. */
function publicMembers({ d, p, q, dp, dq, qi, ...members }) {
  return members;
}

/** 0: still importing, 1: ready, 2: the host cannot use this key. */
export function hostKeyState(entry) {
  return entry.key ? 1 : entry.failed ? 2 : 0;
}

/** Settles when the import has: with the host's key, or null if the host cannot use the key. */
export function hostKeyImported(entry) {
  return entry.pending;
}

/** Why the host cannot use the key ("" while it may). */
export function hostKeyRefusal(entry) {
  return entry.refusal;
}

/**
 * The promise of `verifyAsync` for a ready host key: settles with `outcome` (a result, or the
 * error a valid token would get from its claims) once the host says the signature is valid,
 * and with invalid_signature otherwise, so the signature is still checked first. A host that
 * throws while checking means "invalid": this fails closed.
 */
export function settleAfterHostCheck(entry, signature, data, ok, outcome, message) {
  const settle = (valid) => {
    if (!valid) throw jwtRefreshError("invalid_signature", message);
    if (!ok) throw outcome;
    return outcome;
  };
  if (!entry.node) {
    return Promise.resolve(webVerdict(entry, signature, data)).then(
      (valid) => settle(valid === true),
      () => settle(false),
    );
  }
  // node:crypto answers at once: the promise is made settled, without a reaction's extra turn.
  try {
    return Promise.resolve(settle(nodeVerdict(entry, signature, data)));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** node:crypto's synchronous verdict; false if it throws (fails closed). */
function nodeVerdict(entry, signature, data) {
  const [digest, options] = entry.nodeCall;
  try {
    return entry.node.verify(digest, data, options, signature) === true;
  } catch {
    return false;
  }
}

/** WebCrypto's verdict: its promise, or false if the host throws instead of rejecting. */
function webVerdict(entry, signature, data) {
  try {
    // Copies: the views point into wasm memory, which later calls reuse.
    return entry.key && crypto.subtle.verify(ALGORITHMS[entry.alg][1], entry.key, signature.slice(), data.slice());
  } catch {
    return false;
  }
}

/** Whether the host finds `signature` valid over `data`; false if it throws (fails closed). */
export function verifyWithHost(entry, signature, data) {
  if (entry.node) return Promise.resolve(nodeVerdict(entry, signature, data));
  return Promise.resolve(webVerdict(entry, signature, data)).then(
    (valid) => valid === true,
    () => false,
  );
}

/**
 * The compact JWS of `signingInput`, signed by the host with a ready key. WebCrypto's ECDSA
 * signatures are already in the JWS form (r || s; node:crypto is asked for it). A host that
 * fails to sign rejects with invalid_key.
 */
export function signWithHost(entry, bytes, signingInput) {
  const alg = entry.alg;
  const failed = (error) =>
    jwtRefreshError("invalid_key", `this host's crypto could not sign with the ${alg} key (${describe(error)})`);
  if (entry.node) {
    const data = bytes;
    // node:crypto signs synchronously and its Buffer encodes base64url natively.
    try {
      const [digest, options] = entry.nodeCall;
      const signature = entry.node.sign(digest, data, options);
      return Promise.resolve(`${signingInput}.${signature.toString("base64url")}`);
    } catch (error) {
      return Promise.reject(failed(error));
    }
  }
  // A copy: the view points into wasm memory, which later calls reuse.
  const data = bytes.slice();
  return Promise.resolve()
    .then(() => crypto.subtle.sign(ALGORITHMS[alg][1], entry.key, data))
    .then(
      (signature) => `${signingInput}.${base64url(new Uint8Array(signature))}`,
      (error) => {
        throw failed(error);
      },
    );
}

// WebKitGTK's Ed25519 generateKey fails about once in 150 calls with an OperationError (each
// call independently): a few more tries make that vanish. The browser client's proof keys are
// made here too.
export async function generateKeyPair(params, extractable) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await crypto.subtle.generateKey(params, extractable, ["sign", "verify"]);
    } catch (error) {
      if (error?.name !== "OperationError" || attempt === 4) throw error;
    }
  }
}

/**
 * A new key pair for `alg`, made by the host: resolves to its private JWK (the key is
 * exportable so that it can be persisted with `toPrivateJwk`). RSA keys have 2048 bits.
 */
export function generateHostKey(alg) {
  const node = nodeCrypto();
  const withNode = () =>
    new Promise((resolve, reject) => {
      const [type, options] = nodeKeyPair(alg);
      node.generateKeyPair(type, options, (error, _publicKey, privateKey) =>
        error ? reject(error) : resolve(privateKey.export({ format: "jwk" })),
      );
    });
  const withWebCrypto = async () => {
    const [params] = ALGORITHMS[alg];
    const rsaParams = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    const pair = await generateKeyPair(params.hash ? { ...params, ...rsaParams } : params, true);
    return crypto.subtle.exportKey("jwk", pair.privateKey);
  };
  // A node:crypto that cannot (a partial copy of Node's) leaves it to WebCrypto.
  const generating = node ? withNode().catch(withWebCrypto) : Promise.resolve().then(withWebCrypto);
  return generating.catch((error) => {
    throw jwtRefreshError("invalid_key", `this host cannot generate ${alg} keys (${describe(error)})`);
  });
}

const PEM = /^-----BEGIN (PUBLIC KEY|PRIVATE KEY)-----\s+([A-Za-z0-9+/=\s]+?)-----END \1-----\s*$/;

/**
 * The JWK of a PEM key for `alg`: SPKI ("PUBLIC KEY") or PKCS #8 ("PRIVATE KEY"), the forms
 * every host reads (node:crypto, else WebCrypto). Rejects with invalid_key otherwise.
 */
export function pemToJwk(pem, alg) {
  const refused = (why) => jwtRefreshError("invalid_key", `not a ${alg} key in SPKI or PKCS #8 PEM (${why})`);
  const match = typeof pem === "string" ? PEM.exec(pem.trim()) : null;
  if (!match) return Promise.reject(refused('expected "-----BEGIN PUBLIC KEY-----" or "-----BEGIN PRIVATE KEY-----"'));
  const isPrivate = match[1] === "PRIVATE KEY";
  const node = nodeCrypto();
  const withNode = () => {
    const key = isPrivate ? node.createPrivateKey(pem) : node.createPublicKey(pem);
    return key.export({ format: "jwk" });
  };
  const withWebCrypto = async () => {
    const der = bytesOfBase64(match[2].replace(/\s+/g, ""));
    const usages = isPrivate ? ["sign"] : ["verify"];
    const key = await crypto.subtle.importKey(isPrivate ? "pkcs8" : "spki", der, ALGORITHMS[alg][0], true, usages);
    return crypto.subtle.exportKey("jwk", key);
  };
  return Promise.resolve()
    .then(() => (node ? Promise.resolve().then(withNode).catch(withWebCrypto) : withWebCrypto()))
    .catch((error) => {
      throw refused(describe(error));
    });
}

const ENCODER = new TextEncoder();

/**
 * Unpadded base64url, through the runtime's own base64 encoder. The browser client's wasm
 * encodes with it too (src/base64url.rs).
 */
export function base64url(bytes) {
  if (typeof bytes.toBase64 === "function") return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of standard base64 `text`, through the runtime's own decoder. */
function bytesOfBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * The bytes of unpadded base64url `text`, for the browser client's wasm. src/base64url.rs has
 * checked that the text is canonical, so `atob` (which would take padding and stray bits)
 * sees none of that.
 */
export function base64urlDecode(text) {
  return bytesOfBase64(text.replace(/-/g, "+").replace(/_/g, "/"));
}
