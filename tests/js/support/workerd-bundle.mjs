// A Worker bundled as wrangler would for workerd: ESM, the workerd and worker export
// conditions, the wasm copied next to the bundle (imported as a module), `cloudflare:*` left
// to the runtime. The tests that install the packed package build their Workers with it.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ESBUILD = fileURLToPath(new URL("../node_modules/.bin/esbuild", import.meta.url));

/** Bundles `entry` (relative to `dir`) into `dir/outdir`. */
export function bundleWorker(dir, entry, outdir = "dist") {
  execFileSync(ESBUILD, [
    entry, "--bundle", "--format=esm", "--platform=neutral", "--conditions=workerd,worker",
    "--loader:.wasm=copy", "--external:cloudflare:*", `--outdir=${join(dir, outdir)}`,
  ], { cwd: dir, stdio: "pipe" });
}
