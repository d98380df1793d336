// One adapter per library: the same sign/verify for each algorithm, each library at its
// fastest documented form, and every verify making the same checks: signature, algorithm
// allow-list, exp, iss and aud. Runs in Node and, bundled, in workerd. A library without an
// algorithm has no adapter for it.
import * as jose from "jose";
import * as tsndr from "@tsndr/cloudflare-worker-jwt";
import { CLAIMS, ALGORITHMS } from "./claims.mjs";
import { bareJwt } from "./bare.mjs";

/** What every verifier checks beyond the signature and the algorithm (exp is in the token). */
const EXPECTED = { iss: CLAIMS.iss, aud: CLAIMS.aud };

/** jose's fastest key: a CryptoKey (or KeyObject) imported once. `importJWK` of an oct key
 *  returns bytes, which jose imports again on every call: for HMAC, import it here. */
export async function joseKey(alg, jwk, usage) {
  if (alg !== "HS256") return jose.importJWK(jwk, alg);
  const raw = Uint8Array.from(atob(jwk.k.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

export async function adapters(pkg, keys, { fastJwt, nodeCrypto } = {}) {
  const now = () => Math.floor(Date.now() / 1000);
  const out = {};
  for (const alg of ALGORITHMS) {
    const k = keys[alg];
    const checks = { algorithms: [alg], issuer: EXPECTED.iss, audience: EXPECTED.aud };
    const signing = pkg.Key.fromJwk(k.privateJwk, { alg });
    const verifying = pkg.Key.fromJwk(alg === "HS256" ? k.privateJwk : k.publicJwk, { alg });
    // Options parsed once, as fast-jwt's createSigner/createVerifier do.
    const signer = signing.signer({ expiresIn: 900 });
    const verifier = verifying.verifier(checks);
    const cachedVerifier = verifying.verifier({ ...checks, cache: 1000 });
    const [joseSign, joseVerify] = [await joseKey(alg, k.privateJwk, "sign"), await joseKey(alg, k.publicJwk, "verify")];
    const tsndrKeys = { HS256: [k.secret, k.secret], ES256: [k.privateJwk, k.publicJwk], RS256: [k.privateJwk, k.publicJwk] }[alg];
    const bare = await bareJwt(alg, k.privateJwk, k.publicJwk, EXPECTED, nodeCrypto);
    const hmac = alg === "HS256";
    out[alg] = {
      "jwt-refresh": {
        // HMAC in wasm, synchronously; asymmetric signatures by the host (the async methods).
        sign: hmac ? () => signer.sign(CLAIMS) : () => signer.signAsync(CLAIMS),
        verify: hmac ? (t) => verifier.verify(t) : (t) => verifier.verifyAsync(t),
      },
      jose: {
        sign: () => new jose.SignJWT(CLAIMS).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("15m").sign(joseSign),
        verify: (t) => jose.jwtVerify(t, joseVerify, checks),
      },
      // Opt-in: signatures of tokens seen before are not checked again (claims are).
      "jwt-refresh (cache)": {
        verify: hmac ? (t) => cachedVerifier.verify(t) : (t) => cachedVerifier.verifyAsync(t),
      },
      "cloudflare-worker-jwt": tsndrKeys && {
        sign: () => tsndr.sign({ ...CLAIMS, iat: now(), exp: now() + 900 }, tsndrKeys[0], { algorithm: alg }),
        // It checks the signature, the algorithm and exp; iss and aud are checked here.
        verify: async (t) => {
          const { payload } = await tsndr.verify(t, tsndrKeys[1], { algorithm: alg, throwError: true });
          if (payload.iss !== EXPECTED.iss || payload.aud !== EXPECTED.aud) throw new Error("claims");
        },
      },
      "bare host crypto": { sign: () => bare.sign(CLAIMS), verify: (t) => bare.verify(t) },
    };
    if (fastJwt) {
      const key = hmac ? k.secret : k.pem.private;
      const publicKey = hmac ? k.secret : k.pem.public;
      const verifying = { key: publicKey, algorithms: [alg], allowedIss: EXPECTED.iss, allowedAud: EXPECTED.aud };
      const signer = fastJwt.createSigner({ key, algorithm: alg, expiresIn: 900_000 });
      const verifier = fastJwt.createVerifier({ ...verifying, cache: false });
      const cachedVerifier = fastJwt.createVerifier({ ...verifying, cache: true });
      out[alg]["fast-jwt"] = { sign: () => signer(CLAIMS), verify: (t) => verifier(t) };
      out[alg]["fast-jwt (cache)"] = { verify: (t) => cachedVerifier(t) };
    }
  }
  return out;
}

/** A token for every algorithm, signed by jose: the same input for every verifier. */
export async function tokens(keys) {
  const out = {};
  for (const alg of ALGORITHMS) {
    const key = await jose.importJWK(keys[alg].privateJwk, alg);
    out[alg] = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("1h").sign(key);
  }
  return out;
}

/** ops/s of `op` (awaited when it returns a promise) over about `ms`. */
async function timedOps(op, ms, clock) {
  let count = 0;
  const start = clock();
  do {
    for (let i = 0; i < 16; i++) {
      const r = op();
      if (r && typeof r.then === "function") await r;
    }
    count += 16;
  } while (clock() - start < ms);
  return (count * 1000) / (clock() - start);
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * ops/s of each of `ops` (name -> operation), side by side: each warms up for a quarter of
 * `budgetMs` (so that every library's hot code has reached its optimizing tier: JS JIT, wasm's
 * tier-up from Liftoff), then `rounds` rounds give each `budgetMs / rounds`, in an order that
 * rotates every round; each reports its median round. On a shared machine a slow spell then
 * falls on every library alike, not on whichever was being timed.
 */
export async function opsPerSecond(ops, budgetMs, rounds, clock = () => performance.now()) {
  const names = Object.keys(ops);
  for (const name of names) await timedOps(ops[name], budgetMs / 4, clock);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      samples[name].push(await timedOps(ops[name], budgetMs / rounds, clock));
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}
