// The reference row: a minimal JWT written directly over the host's crypto, with the checks
// every library in the benchmark makes (signature, algorithm, exp, iss, aud) and nothing else:
// the floor for any library that uses the host's crypto. node:crypto in Node (one-shot
// sign/verify: its WebCrypto hops to a thread pool), WebCrypto in workerd.
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

const b64url = (bytes) =>
  typeof Buffer !== "undefined"
    ? Buffer.from(bytes).toString("base64url")
    : btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromB64url = (text) =>
  typeof Buffer !== "undefined"
    ? Buffer.from(text, "base64url")
    : Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

const WEB = {
  HS256: { import: { name: "HMAC", hash: "SHA-256" }, op: { name: "HMAC" } },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, op: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { import: { name: "Ed25519" }, op: { name: "Ed25519" } },
  RS256: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, op: { name: "RSASSA-PKCS1-v1_5" } },
};
const NODE = { HS256: "sha256", ES256: "sha256", EdDSA: null, RS256: "sha256" };

/** sign(claims) and verify(token) for `alg` with the given JWKs, the keys imported once. */
export async function bareJwt(alg, privateJwk, publicJwk, { iss, aud }, nodeCrypto) {
  const header = b64url(ENCODER.encode(JSON.stringify({ alg, typ: "JWT" })));
  const now = () => Math.floor(Date.now() / 1000);
  const body = (claims) => {
    const iat = now();
    return `${header}.${b64url(ENCODER.encode(JSON.stringify({ ...claims, iat, exp: iat + 900 })))}`;
  };
  const checkClaims = (payloadPart, headerPart) => {
    if (JSON.parse(DECODER.decode(fromB64url(headerPart))).alg !== alg) throw new Error("alg");
    const payload = JSON.parse(DECODER.decode(fromB64url(payloadPart)));
    if (!(typeof payload.exp === "number" && now() < payload.exp)) throw new Error("exp");
    if (payload.iss !== iss) throw new Error("iss");
    if (payload.aud !== aud && !(Array.isArray(payload.aud) && payload.aud.includes(aud))) throw new Error("aud");
    return payload;
  };
  if (nodeCrypto) {
    const options = alg === "ES256" ? { dsaEncoding: "ieee-p1363" } : {};
    if (alg === "HS256") {
      const secret = nodeCrypto.createSecretKey(fromB64url(privateJwk.k));
      const mac = (data) => nodeCrypto.createHmac("sha256", secret).update(data).digest();
      return {
        sign: (claims) => {
          const data = body(claims);
          return `${data}.${b64url(mac(data))}`;
        },
        verify: (token) => {
          const [h, p, s] = token.split(".");
          const expected = mac(`${h}.${p}`);
          const given = fromB64url(s);
          if (given.length !== expected.length || !nodeCrypto.timingSafeEqual(given, expected)) throw new Error("signature");
          return checkClaims(p, h);
        },
      };
    }
    const signing = nodeCrypto.createPrivateKey({ key: privateJwk, format: "jwk" });
    const verifying = nodeCrypto.createPublicKey({ key: publicJwk, format: "jwk" });
    return {
      sign: (claims) => {
        const data = body(claims);
        return `${data}.${b64url(nodeCrypto.sign(NODE[alg], Buffer.from(data), { key: signing, ...options }))}`;
      },
      verify: (token) => {
        const [h, p, s] = token.split(".");
        if (!nodeCrypto.verify(NODE[alg], Buffer.from(`${h}.${p}`), { key: verifying, ...options }, fromB64url(s))) throw new Error("signature");
        return checkClaims(p, h);
      },
    };
  }
  const { import: params, op } = WEB[alg];
  const strip = ({ alg: _, key_ops: __, use: ___, kid: ____, ...members }) => members;
  const signing = await crypto.subtle.importKey("jwk", strip(privateJwk), params, false, ["sign"]);
  const verifying = await crypto.subtle.importKey("jwk", strip(alg === "HS256" ? privateJwk : publicJwk), params, false, ["verify"]);
  return {
    sign: async (claims) => {
      const data = body(claims);
      return `${data}.${b64url(await crypto.subtle.sign(op, signing, ENCODER.encode(data)))}`;
    },
    verify: async (token) => {
      const [h, p, s] = token.split(".");
      if (!(await crypto.subtle.verify(op, verifying, fromB64url(s), ENCODER.encode(`${h}.${p}`)))) throw new Error("signature");
      return checkClaims(p, h);
    },
  };
}
