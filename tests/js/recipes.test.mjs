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
import { bundleWorker } from "./support/workerd-bundle.mjs";

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

test("the Worker recipe: wrangler.toml's Durable Object and assets, keygen's .dev.vars, login to logout", async () => {
  const dir = folder("worker");
  writeFileSync(join(dir, ".dev.vars"), (await run("npx", ["--no-install", "jwt-refresh", "keygen"], { cwd: dir })).stdout);
  const config = parseToml(readFileSync(join(dir, "wrangler.toml"), "utf8"));
  const vars = Object.fromEntries(
    readFileSync(join(dir, ".dev.vars"), "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 2, -1)]),
  );
  bundleWorker(dir, config.main);
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(dir, "dist"),
    scriptPath: join(dir, "dist/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibility_date,
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, b.class_name])),
    // As wrangler runs a Worker with assets: the files first, then the Worker (has_user_worker).
    assets: { directory: join(dir, config.assets.directory), routerConfig: { has_user_worker: true } },
    bindings: vars,
  });
  try {
    const call = (path, init) => mf.dispatchFetch(`https://auth.example${path}`, init);
    // The static files are served before the Worker is asked.
    const page = await call("/");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Your SPA goes here/);
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

/** The README's code block under the heading `title`. */
function readmeBlock(title) {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const found = new RegExp(`## ${title}\\n\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(found, `README: no code block under "## ${title}"`);
  return found[1];
}

test("the README's Worker and browser app, as they are: the app signs in through the Worker, cookie mode", async () => {
  const dir = folder("readme");
  // The browser app: the README's 15 lines, with the `render` it leaves to the reader, built by Vite.
  writeFileSync(join(dir, "app.js"), `${readmeBlock("A browser app in 15 lines")}\nwindow.app = { auth, login };\n`);
  writeFileSync(join(dir, "index.html"), `<!doctype html><title>readme</title>
    <script>window.states = []; window.render = (state) => window.states.push(state.status);</script>
    <script type="module" src="/app.js"></script>`);
  execFileSync(join(BIN, "vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
  // The Worker: the README's 20 lines, bundled, with keygen's keys and a Durable Object; it serves
  // the app as static assets.
  writeFileSync(join(dir, "worker.js"), readmeBlock("A Worker in 20 lines"));
  bundleWorker(dir, "worker.js", "worker-dist");
  const keys = JSON.parse((await run("npx", ["--no-install", "jwt-refresh", "keygen", "--format", "json"], { cwd: dir })).stdout);
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(dir, "worker-dist"),
    scriptPath: join(dir, "worker-dist/worker.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-06-01",
    durableObjects: { SESSIONS: "SessionStoreObject" },
    assets: { directory: join(dir, "dist"), routerConfig: { has_user_worker: true } },
    bindings: { SIGNING_JWK: keys.SIGNING_JWK, REFRESH_JWK: keys.REFRESH_JWK },
    host: "127.0.0.1",
    port: 0,
  });
  const browser = await launchChromium();
  try {
    const url = await mf.ready;
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url.href);
    // The app ran: it asked for /api/me signed out and logged out; now the reader's login.
    await page.waitForFunction(() => window.app !== undefined, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => window.app.auth.state.status), "unauthenticated");
    await page.evaluate(() => window.app.login("ada", "password"));
    assert.equal(await page.evaluate(() => window.app.auth.state.status), "authenticated");
    const me = await page.evaluate(async () => (await window.app.auth.fetch("/api/me")).json());
    assert.deepEqual(me, { sub: "user-1" });
    // A reload runs the app again: the refresh cookie signs the tab in (render sees it), the
    // app calls the API, then logs out as its last line says.
    await page.reload();
    await page.waitForFunction(() => window.app !== undefined, null, { timeout: 20_000 });
    const states = await page.evaluate(() => window.states);
    assert.ok(states.includes("authenticated"), `render saw the session: ${states}`);
    assert.equal(states.at(-1), "unauthenticated");
    assert.equal(await page.evaluate(async () => (await window.app.auth.fetch("/api/me")).status), 401, "logged out");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await mf.dispose();
  }
});
