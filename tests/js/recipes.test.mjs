// docs/recipes.md, run as a reader would: every file after a `<!-- file: … -->` marker is
// copied into a fresh folder with the packed package installed. The Worker runs in workerd
// (Miniflare) with the Durable Object binding its wrangler.toml declares and the keys
// `npx jwt-refresh keygen` writes to .dev.vars; the Node server serves the Vite build of the
// SPA, which signs in, calls the API, and stays signed in across a reload (the cookie).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse as parseToml } from "smol-toml";
import { Miniflare } from "miniflare";
import { launchChromium } from "./support/chromium.mjs";

const run = promisify(execFile);
const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = join(HERE, "../..");
const BIN = join(HERE, "node_modules/.bin");
let work;
let tarball;

/** The recipe files: path → text, in the order the page gives them. */
function recipes() {
  const page = readFileSync(join(ROOT, "docs/recipes.md"), "utf8");
  return Object.fromEntries([...page.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
}

/** A folder with the packed package installed and `prefix`'s recipe files written. */
function folder(prefix) {
  const dir = join(work, prefix);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `recipe-${prefix}`, private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball], { cwd: dir });
  for (const [path, text] of Object.entries(recipes()).filter(([path]) => path.startsWith(`${prefix}/`))) {
    const file = join(work, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "jwt-refresh-recipes-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: join(ROOT, "pkg") });
  tarball = join(work, JSON.parse(out)[0].filename);
});

after(() => rmSync(work, { recursive: true, force: true }));

test("the Worker recipe: wrangler.toml's Durable Object, keygen's .dev.vars, login to logout", async () => {
  const dir = folder("worker");
  writeFileSync(join(dir, ".dev.vars"), (await run("npx", ["--no-install", "jwt-refresh", "keygen"], { cwd: dir })).stdout);
  const config = parseToml(readFileSync(join(dir, "wrangler.toml"), "utf8"));
  const vars = Object.fromEntries(
    readFileSync(join(dir, ".dev.vars"), "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 2, -1)]),
  );
  execFileSync(join(BIN, "esbuild"), [config.main, "--bundle", "--format=esm", "--platform=neutral", "--conditions=workerd,worker", "--loader:.wasm=copy", "--external:cloudflare:*", "--outdir=dist"], { cwd: dir, stdio: "pipe" });
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(dir, "dist"),
    scriptPath: join(dir, "dist/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibility_date,
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, b.class_name])),
    bindings: vars,
  });
  try {
    const call = (path, init) => mf.dispatchFetch(`https://auth.example${path}`, init);
    const tokens = await (await call("/auth/login", { method: "POST", body: '{"user":"wren"}' })).json();
    assert.equal(tokens.token_type, "Bearer");
    const bearer = { headers: { authorization: `Bearer ${tokens.access_token}` } };
    assert.deepEqual(await (await call("/api/me", bearer)).json(), { sub: "wren", role: "reader" });
    assert.equal((await call("/api/me")).status, 401);
    assert.equal((await (await call("/.well-known/jwks.json")).json()).keys[0].alg, "EdDSA");
    const refreshed = await call("/auth/refresh", {
      method: "POST",
      headers: { ...bearer.headers, "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`,
    });
    assert.equal(refreshed.status, 200);
    const next = await refreshed.json();
    assert.equal((await call("/auth/logout", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: next.refresh_token }) })).status, 204);
  } finally {
    await mf.dispose();
  }
});

test("the Node server and Vite SPA recipe: signed in, the API called, still signed in after a reload", async () => {
  const dir = folder("app");
  execFileSync(join(BIN, "vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
  const server = spawn(process.execPath, ["server.mjs"], { cwd: dir, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the server did not start")), 20_000);
      server.stdout.on("data", (chunk) => {
        const found = /listening (http:\/\/\S+)/.exec(String(chunk));
        if (found) (clearTimeout(timer), resolve(found[1]));
      });
      server.on("exit", (code) => reject(new Error(`the server exited (${code})`)));
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const signedIn = () => page.waitForFunction(() => document.getElementById("out")?.textContent === "signed in as vite-user", null, { timeout: 20_000 });
      await page.goto(`${url}/`);
      await signedIn();
      // A reload: the access token was in memory only; the refresh cookie signs the tab in.
      let logins = 0;
      page.on("request", (request) => request.url().endsWith("/auth/login") && logins++);
      await page.reload();
      await signedIn();
      assert.equal(logins, 0, "the reload refreshed through the cookie, it did not log in again");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
});
