// One adapter per library: the same sign/verify for each algorithm. Runs in Node and, bundled,
// in workerd. Returns null where a library lacks the algorithm.
import * as jose from "jose";
import * as tsndr from "@tsndr/cloudflare-worker-jwt";
import { CLAIMS } from "./claims.mjs";

export async function adapters(pkg, keys, { fastJwt } = {}) {
  const now = () => Math.floor(Date.now() / 1000);
  const out = {};
  for (const alg of ["HS256", "EdDSA", "ES256"]) {
    const k = keys[alg];
    const ours = pkg.Key.fromJwk(k.privateJwk, { alg });
    // Options parsed once, as fast-jwt's createSigner/createVerifier do.
    const signer = ours.signer({ expiresIn: 900 });
    const verifier = ours.verifier({ algorithms: [alg] });
    const cachedVerifier = ours.verifier({ algorithms: [alg], cache: 1000 });
    const joseSign = await jose.importJWK(k.privateJwk, alg);
    const joseVerify = await jose.importJWK(k.publicJwk, alg);
    const tsndrKey = alg === "HS256" ? k.secret : alg === "ES256" ? k.privateJwk : null;
    const tsndrPublic = alg === "HS256" ? k.secret : alg === "ES256" ? k.publicJwk : null;
    out[alg] = {
      "jwt-refresh": {
        // Asymmetric signatures through the host's WebCrypto (signAsync, verifyAsync); HMAC
        // stays in wasm.
        sign: alg === "HS256" ? () => signer.sign(CLAIMS) : () => signer.signAsync(CLAIMS),
        verify: alg === "HS256" ? (t) => verifier.verify(t) : (t) => verifier.verifyAsync(t),
      },
      jose: {
        sign: () => new jose.SignJWT(CLAIMS).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("15m").sign(joseSign),
        verify: (t) => jose.jwtVerify(t, joseVerify, { algorithms: [alg] }),
      },
      // Opt-in: signatures of tokens seen before are not checked again (claims are).
      "jwt-refresh (cache)": {
        verify: alg === "HS256" ? (t) => cachedVerifier.verify(t) : (t) => cachedVerifier.verifyAsync(t),
      },
      "cloudflare-worker-jwt": tsndrKey && {
        sign: () => tsndr.sign({ ...CLAIMS, iat: now(), exp: now() + 900 }, tsndrKey, { algorithm: alg }),
        verify: (t) => tsndr.verify(t, tsndrPublic, { algorithm: alg, throwError: true }),
      },
    };
    if (fastJwt) {
      const key = alg === "HS256" ? k.secret : k.pem.private;
      const publicKey = alg === "HS256" ? k.secret : k.pem.public;
      const signer = fastJwt.createSigner({ key, algorithm: alg, expiresIn: 900_000 });
      const verifier = fastJwt.createVerifier({ key: publicKey, algorithms: [alg], cache: false });
      const cachedVerifier = fastJwt.createVerifier({ key: publicKey, algorithms: [alg], cache: true });
      out[alg]["fast-jwt"] = { sign: () => signer(CLAIMS), verify: (t) => verifier(t) };
      out[alg]["fast-jwt (cache)"] = { verify: (t) => cachedVerifier(t) };
    }
  }
  return out;
}

/** A token for every algorithm, signed by jose: the same input for every verifier. */
export async function tokens(keys) {
  const out = {};
  for (const alg of ["HS256", "EdDSA", "ES256"]) {
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
