import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";
import { makeKeys } from "./keys.mjs";
const ROOT = new URL("..", import.meta.url).pathname;
const keys = makeKeys();
await esbuild.build({ entryPoints: [`${ROOT}bench/worker.mjs`], bundle: true, format: "esm", platform: "neutral",
  conditions: ["workerd", "worker"], loader: { ".wasm": "copy" }, external: ["cloudflare:*"],
  outdir: `${ROOT}target/bench-worker`, write: true, logLevel: "error" });
const mf = new Miniflare({ modules: true, modulesRoot: `${ROOT}target/bench-worker`, scriptPath: `${ROOT}target/bench-worker/worker.js`,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }], compatibilityDate: "2025-06-01", bindings: { KEYS: JSON.stringify(keys) } });
const call = async (body) => { const t0 = performance.now(); const res = await mf.dispatchFetch("http://bench/", { method: "POST", body: JSON.stringify(body) }); const j = await res.json(); return { ...j, outsideMs: performance.now() - t0 }; };
const algs = (process.env.ALGS ?? "EdDSA,ES256").split(","); const op = process.env.OP ?? "verify";
for (let round = 0; round < 3; round++) for (const alg of algs) {
  const r = {};
  for (const lib of ["jwt-refresh", "jose"]) {
    const count = alg === "HS256" ? 3000 : 1000;
    await call({ alg, lib, op, n: 50 });
    const best = async (k) => { let b; for (let i = 0; i < 3; i++) { const x = await call({ alg, lib, op, n: k }); if (!b || x.outsideMs < b.outsideMs) b = x; } return b; };
    const base = await best(0), timed = await best(count);
    r[lib] = Math.round(count * 1000 / (timed.outsideMs - base.outsideMs));
  }
  console.log(alg, op, JSON.stringify(r), (r["jwt-refresh"] / r.jose).toFixed(2));
}
await mf.dispose();
