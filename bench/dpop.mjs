// The cost of DPoP at the edge, the same code in Node and in workerd: a protected request
// (`authenticateAsync`) and a refresh (`handleRefresh`), each for a Bearer session and for a
// DPoP-bound one, where the proof is checked (its signature by the embedded key, typ, alg, htm,
// htu, iat, jti against replay, ath) and the token's binding to its key. Proofs come from
// panva's `dpop` and are made before each timed loop: every one needs a fresh jti.
import * as dpop from "dpop";

const ORIGIN = "https://bench.example";
export const DPOP_RUNS = ["protected request, Bearer", "protected request, DPoP", "refresh, Bearer", "refresh, DPoP"];

/** Four sessions of an ES256 Issuer (`pkg`: the package entry; `keys`: bench/keys.mjs). */
export async function dpopRuns(pkg, keys) {
  const issuer = new pkg.Issuer(pkg.Key.fromJwk(keys.ES256.privateJwk), pkg.Key.generate("HS256"), {
    issuer: ORIGIN, gracePeriod: 0, dpop: true,
  });
  const holder = await dpop.generateKeyPair("ES256");
  const proof = (path, method, accessToken) => dpop.generateProof(holder, `${ORIGIN}${path}`, method, undefined, accessToken);
  const sessions = {};
  for (const run of DPOP_RUNS) {
    const binding = run.endsWith("DPoP") ? { dpop: { proof: await proof("/login", "POST"), method: "POST", url: `${ORIGIN}/login` } } : {};
    sessions[run] = await issuer.startSession("user-1", {}, binding);
  }
  let proofs = [];
  return {
    /** Makes the proofs `n` steps of `run` need (outside the timing). */
    async prepare(run, n) {
      const tokens = sessions[run];
      const make = run.startsWith("refresh") ? () => proof("/auth/refresh", "POST") : () => proof("/api/me", "GET", tokens.access_token);
      proofs = run.endsWith("DPoP") ? await Promise.all(Array.from({ length: n }, make)) : [];
    },
    /** Runs `n` steps of `run`; a refused step throws. */
    async steps(run, n) {
      const bound = run.endsWith("DPoP");
      for (let i = 0; i < n; i++) {
        const tokens = sessions[run];
        const headers = { authorization: `${bound ? "DPoP" : "Bearer"} ${tokens.access_token}` };
        if (bound) headers.dpop = proofs[i];
        if (run.startsWith("protected")) {
          const auth = await pkg.authenticateAsync(new Request(`${ORIGIN}/api/me`, { headers }), issuer);
          if (!auth.ok) throw new Error(`${run}: ${auth.response.status} ${auth.response.headers.get("www-authenticate")}`);
        } else {
          headers["content-type"] = "application/x-www-form-urlencoded";
          const body = `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`;
          const response = await pkg.handleRefresh(new Request(`${ORIGIN}/auth/refresh`, { method: "POST", headers, body }), issuer);
          if (!response.ok) throw new Error(`${run}: ${response.status} ${await response.text()}`);
          sessions[run] = await response.json();
        }
      }
    },
  };
}
