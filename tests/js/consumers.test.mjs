// The package as people install it: `npm pack` of pkg/, installed into fresh temporary
// projects, used from Node ESM, Deno, Bun, workerd, a Vite production build and a plain
// <script type="module"> page in Chromium. Each issues a pair, verifies it and refreshes.
// Also: publint, arethetypeswrong (ESM-only profile) and tsc --strict on the installed types.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { launchChromium } from "./support/chromium.mjs";
import { launchFirefox } from "./support/firefox.mjs";
import { bundleWorker } from "./support/workerd-bundle.mjs";

const run = promisify(execFile);
const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = join(HERE, "../..");
const BIN = join(HERE, "node_modules/.bin");
let tarball;
let work;

// The same flow everywhere: issue, verify, refresh; prints one JSON line.
const FLOW = `
const issuer = new Issuer(await Key.generateAsync("EdDSA"), Key.generate("HS256"), { issuer: "consumer", accessTtl: "5m" });
const pair = await issuer.startSession("user-1", { plan: "pro" });
const verified = await issuer.verifyAccessAsync(pair.access_token);
const next = await issuer.refresh(pair.access_token, pair.refresh_token);
let reused = "";
try { await issuer.refresh(pair.access_token, pair.refresh_token, { currentDate: new Date(Date.now() + 60_000) }); }
catch (e) { reused = isJwtRefreshError(e) ? e.code : String(e); }
// The host's crypto (node:crypto in Node, Deno and Bun; WebCrypto elsewhere) signs and checks.
const hostChecked = (await issuer.accessVerifier().verifyAsync(next.access_token)).payload.sub;
const es = await Key.generateAsync("ES256");
const esToken = await es.signAsync({ sub: "user-2" }, { expiresIn: 60 });
const esSub = (await es.verifyAsync(esToken)).payload.sub;
const [h, p, sig] = esToken.split(".");
let forged = "";
try { await es.verifyAsync(\`\${h}.\${p}.\${sig[0] === "A" ? "B" : "A"}\${sig.slice(1)}\`); }
catch (e) { forged = isJwtRefreshError(e) ? e.code : String(e); }
// A verifier with a signature cache: the repeated token still expires.
const cachedVerifier = es.verifier({ cache: 10 });
const cached = [];
for (let i = 0; i < 2; i++) cached.push((await cachedVerifier.verifyAsync(esToken)).payload.sub);
let cachedExpired = "";
try { await cachedVerifier.verifyAsync(esToken, new Date(Date.now() + 120_000)); }
catch (e) { cachedExpired = isJwtRefreshError(e) ? e.code : String(e); }
const result = { sub: verified.payload.sub, plan: verified.payload.plan, rotated: next.refresh_token !== pair.refresh_token, reused, hostChecked, esSub, forged, cached, cachedExpired };
`;
const IMPORTS = `import { Issuer, Key, isJwtRefreshError } from "jwt-refresh";`;
const EXPECTED = { sub: "user-1", plan: "pro", rotated: true, reused: "refresh_token_reused", hostChecked: "user-1", esSub: "user-2", forged: "invalid_signature", cached: ["user-2", "user-2"], cachedExpired: "token_expired" };

// jose interop both ways, every algorithm, on the runtime's own crypto: we sign and jose
// verifies; jose signs (its own keys) and we verify.
const ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const INTEROP = `
result.interop = {};
for (const alg of ${JSON.stringify(ALGORITHMS)}) {
  const hmac = alg.startsWith("HS");
  const ours = await Key.generateAsync(alg, { kid: "ours" });
  const joseVerifying = await jose.importJWK(hmac ? ours.toPrivateJwk() : ours.toPublicJwk(), alg);
  const signed = await ours.signAsync({ sub: alg }, { expiresIn: 60 });
  const joseAccepts = (await jose.jwtVerify(signed, joseVerifying, { algorithms: [alg] })).payload.sub === alg;
  const pair = hmac ? null : await jose.generateKeyPair(alg, { extractable: true });
  const joseSigning = hmac ? await jose.importJWK(ours.toPrivateJwk(), alg) : pair.privateKey;
  const theirs = await new jose.SignJWT({ sub: alg }).setProtectedHeader({ alg, kid: "jose" }).setExpirationTime("1m").sign(joseSigning);
  const verifying = hmac ? Key.fromJwk(ours.toPrivateJwk(), { kid: "jose" }) : Key.fromJwk(await jose.exportJWK(pair.publicKey), { alg, kid: "jose" });
  const weAccept = (await verifying.verifyAsync(theirs, { algorithms: [alg] })).payload.sub === alg;
  result.interop[alg] = joseAccepts && weAccept;
}
`;
const FULL_IMPORTS = `${IMPORTS}\nimport * as jose from "jose";`;
const FULL_FLOW = `${FLOW}\n${INTEROP}`;
const FULL_EXPECTED = { ...EXPECTED, interop: Object.fromEntries(ALGORITHMS.map((alg) => [alg, true])) };
const JOSE = `jose@${JSON.parse(readFileSync(join(HERE, "node_modules/jose/package.json"), "utf8")).version}`;

function project(name) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball, JOSE], { cwd: dir });
  return dir;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "jwt-refresh-consumers-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: join(ROOT, "pkg") });
  tarball = join(work, JSON.parse(out)[0].filename);
});

after(() => rmSync(work, { recursive: true, force: true }));

test("publint and arethetypeswrong report nothing", async () => {
  const lint = await run(join(BIN, "publint"), ["run", "--strict", join(ROOT, "pkg")]);
  assert.match(lint.stdout, /All good/);
  // ESM-only by design (top-level await in browsers, wasm instantiation): the esm-only
  // profile is attw's rule set for such packages.
  await run(join(BIN, "attw"), ["--profile", "esm-only", tarball]);
});

for (const [runtime, command] of [
  ["node", (file) => [process.execPath, [file]]],
  ["deno", (file) => [join(BIN, "deno"), ["run", "--allow-read", "--allow-env", file]]],
  ["bun", (file) => [join(BIN, "bun"), ["run", file]]],
]) {
  test(`${runtime}: one import, issue, verify, refresh`, async () => {
    const dir = project(`consumer-${runtime}`);
    writeFileSync(join(dir, "main.js"), `${FULL_IMPORTS}\n${FULL_FLOW}\nconsole.log(JSON.stringify(result));\n`);
    const [bin, args] = command(join(dir, "main.js"));
    const { stdout } = await run(bin, args, { cwd: dir, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), FULL_EXPECTED);
  });
}

// jwt-refresh/hono as each runtime loads it from the installed package, through Hono's own
// request path: the middleware, the expired signal, the refresh handler.
const HONO_FLOW = `
import { Hono } from "hono";
import { Issuer, Key, tokenResponse } from "jwt-refresh";
import { jwtRefresh, refreshHandler } from "jwt-refresh/hono";
const issuer = new Issuer(await Key.generateAsync("EdDSA"), Key.generate("HS256"), { issuer: "https://auth.test" });
const app = new Hono();
app.post("/login", async (c) => tokenResponse(await issuer.startSession("hono-user"), issuer));
app.post("/refresh", refreshHandler(issuer));
app.use("/api/*", jwtRefresh(issuer));
app.get("/api/me", (c) => c.json({ sub: c.get("auth").payload.sub }));
app.use("/later/*", jwtRefresh(issuer, { currentDate: new Date(Date.now() + 3_600_000) }));
app.get("/later/me", (c) => c.json({}));
const tokens = await (await app.request("/login", { method: "POST" })).json();
const bearer = { headers: { authorization: "Bearer " + tokens.access_token } };
const me = await (await app.request("/api/me", bearer)).json();
const later = await app.request("/later/me", bearer);
const refreshed = await app.request("/refresh", {
  method: "POST",
  headers: { ...bearer.headers, "content-type": "application/x-www-form-urlencoded" },
  body: "grant_type=refresh_token&refresh_token=" + tokens.refresh_token,
});
console.log(JSON.stringify({ me, later: later.status, expired: /token_expired/.test(later.headers.get("www-authenticate")), refreshed: refreshed.status }));
`;

for (const [runtime, command] of [
  ["node", (file) => [process.execPath, [file]]],
  ["deno", (file) => [join(BIN, "deno"), ["run", "--allow-read", "--allow-env", file]]],
  ["bun", (file) => [join(BIN, "bun"), ["run", file]]],
]) {
  test(`${runtime}: jwt-refresh/hono in a Hono app`, async () => {
    const dir = project(`consumer-hono-${runtime}`);
    const hono = `hono@${JSON.parse(readFileSync(join(HERE, "node_modules/hono/package.json"), "utf8")).version}`;
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", hono], { cwd: dir });
    writeFileSync(join(dir, "main.js"), HONO_FLOW);
    const [bin, args] = command(join(dir, "main.js"));
    const { stdout } = await run(bin, args, { cwd: dir, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), { me: { sub: "hono-user" }, later: 401, expired: true, refreshed: 200 });
  });
}

test("npx jwt-refresh keygen: a signing key, its JWKS and a refresh secret that work", async () => {
  const dir = project("consumer-keygen");
  const npx = (...args) => run("npx", ["--no-install", "jwt-refresh", ...args], { cwd: dir });
  const keys = JSON.parse((await npx("keygen", "ES256", "--kid", "k-2026", "--format", "json")).stdout);
  const check = `
    import { Key, KeySet, Issuer } from "jwt-refresh";
    const keys = JSON.parse(process.argv[2]);
    const signing = Key.fromJwk(JSON.parse(keys.SIGNING_JWK));
    const refresh = Key.fromJwk(JSON.parse(keys.REFRESH_JWK));
    const token = await signing.signAsync({ sub: "k" }, { expiresIn: 60 });
    const verified = await KeySet.fromJwks(JSON.parse(keys.JWKS)).verifyAsync(token);
    const pair = await new Issuer(signing, refresh, { issuer: "https://k.example" }).startSession("k");
    console.log(JSON.stringify({ sub: verified.payload.sub, kid: signing.kid, alg: signing.alg, refreshAlg: refresh.alg, canSign: signing.canSign, type: pair.token_type }));`;
  writeFileSync(join(dir, "check.mjs"), check);
  const { stdout } = await run(process.execPath, ["check.mjs", JSON.stringify(keys)], { cwd: dir });
  assert.deepEqual(JSON.parse(stdout), { sub: "k", kid: "k-2026", alg: "ES256", refreshAlg: "HS256", canSign: true, type: "Bearer" });
  // .dev.vars lines and wrangler commands carry the same kind of values; bad input is exit 2.
  const devVars = (await npx("keygen")).stdout;
  assert.match(devVars, /^SIGNING_JWK='\{"alg":"EdDSA",/m);
  assert.match(devVars, /^REFRESH_JWK='\{"alg":"HS256",/m);
  assert.match((await npx("keygen", "--format", "wrangler")).stdout, /\| npx wrangler secret put REFRESH_JWK$/m);
  await assert.rejects(npx("keygen", "--format", "yaml"), (e) => e.code === 2 && /unknown format yaml/.test(e.stderr));
  await assert.rejects(npx("keygen", "HS1"), (e) => e.code === 2 && /alg_not_allowed|not supported/.test(e.stderr));
  // Asked to, it refuses to print secrets anywhere but a terminal (here stdout is a pipe).
  await assert.rejects(npx("keygen", "--tty-only"), (e) => e.code === 2 && e.stdout === "" && /stdout is not a terminal/.test(e.stderr));
});

test("workerd: a Worker bundled with esbuild, the wasm imported as a module", async () => {
  const dir = project("consumer-workerd");
  writeFileSync(
    join(dir, "worker.js"),
    `${FULL_IMPORTS}\nexport default { async fetch() {\n${FULL_FLOW}\nreturn Response.json(result); } };\n`,
  );
  bundleWorker(dir, "worker.js");
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(dir, "dist"),
    scriptPath: join(dir, "dist/worker.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-06-01",
  });
  try {
    const response = await mf.dispatchFetch("http://localhost/");
    assert.deepEqual(await response.json(), FULL_EXPECTED);
  } finally {
    await mf.dispose();
  }
});

test("workerd: importing jwt-refresh/client fails at import, naming the entry to use", async () => {
  const dir = project("consumer-workerd-client");
  writeFileSync(
    join(dir, "worker.js"),
    `import { AuthClient } from "jwt-refresh/client";\nexport default { fetch() { return new Response(typeof AuthClient); } };\n`,
  );
  bundleWorker(dir, "worker.js");
  const mf = new Miniflare({
    modules: true,
    modulesRoot: join(dir, "dist"),
    scriptPath: join(dir, "dist/worker.js"),
    compatibilityDate: "2025-06-01",
  });
  try {
    await assert.rejects(
      (async () => {
        const response = await mf.dispatchFetch("http://localhost/");
        throw new Error(`the Worker started: ${response.status} ${await response.text()}`);
      })(),
      (error) => /import "jwt-refresh"/.test(String(error?.message ?? error)) && !/Invalid URL/.test(String(error?.message)),
    );
  } finally {
    await mf.dispose().catch(() => {});
  }
});

// esbuild keeps quiet about files under node_modules, so a package installed from the registry
// hides its warnings; linked or workspace installs (and wrangler on a linked package) show them.
// Each entry file is bundled where it lies, as such an install would.
test("esbuild bundles every entry file without a warning", async () => {
  const { build } = await import("esbuild");
  const pkg = join(ROOT, "pkg");
  const warnings = [];
  for (const [file, platform] of [
    ["browser.js", "browser"], ["node.js", "node"], ["workerd.js", "neutral"],
    ["client.js", "browser"], ["client-node.js", "node"], ["durable-object.js", "neutral"], ["hono.js", "neutral"], ["node-http.js", "node"],
  ]) {
    const result = await build({
      entryPoints: [join(pkg, file)], bundle: true, write: false, format: "esm", platform,
      logLevel: "silent", loader: { ".wasm": "file" }, external: ["node:*", "cloudflare:*"],
      outdir: join(work, "bundle-warnings"),
    });
    for (const w of result.warnings) warnings.push(`${file}: ${w.text}`);
  }
  assert.deepEqual(warnings, []);
});

// build-pkg.sh drops wasm-bindgen's hash from each import name (scripts/shorten-import-names.mjs):
// none is left in either binary, and the glue provides every import of its own module by the
// new name (the flows above prove the binaries still load and work).
test("the package's import names carry no wasm-bindgen hash, in the wasm or its glue", () => {
  const pkg = join(ROOT, "pkg");
  for (const [wasm, glue] of [["jwt_refresh_bg.wasm", "jwt_refresh.js"], ["jwt_refresh_client_bg.wasm", "jwt_refresh_client.js"]]) {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(pkg, wasm))));
    assert.deepEqual(imports.filter(({ name }) => /_[0-9a-f]{16}$/.test(name)).map(({ name }) => name), [], wasm);
    const text = readFileSync(join(pkg, glue), "utf8");
    assert.doesNotMatch(text, /\b__wb\w*_[0-9a-f]{16}\b/, glue);
    const own = imports.filter(({ module }) => module === `./${wasm.replace("_bg.wasm", "_bg.js")}`);
    assert.ok(own.length > 50, `${wasm} imports ${own.length} functions from its glue`);
    for (const { name } of own) assert.match(text, new RegExp(`\\b${name}: function`), `${glue} provides ${name}`);
  }
});

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/** Serves `dir` on 127.0.0.1 and runs `page` in headless Chromium until window.result is set. */
const inChromium = (dir, path) => inBrowser(launchChromium, dir, path);

/** The same in the browser `launch` starts (Chromium, or Firefox through WebDriver). */
async function inBrowser(launch, dir, path) {
  const server = createServer((req, res) => {
    const file = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await launch();
  try {
    const page = await (browser.newContext ? await browser.newContext() : browser).newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 20_000 }).catch(() => {});
    assert.deepEqual(errors, []);
    return await page.evaluate(() => window.result);
  } finally {
    await browser.close();
    server.close();
  }
}

test("Vite production build, loaded in headless Chromium and Firefox", async () => {
  const dir = project("consumer-vite");
  writeFileSync(join(dir, "index.html"), `<!doctype html><script type="module" src="/main.js"></script>`);
  writeFileSync(join(dir, "main.js"), `${FULL_IMPORTS}\n${FULL_FLOW}\nwindow.result = result;\n`);
  execFileSync(join(BIN, "vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
  assert.deepEqual(await inChromium(join(dir, "dist"), "/index.html"), FULL_EXPECTED);
  assert.deepEqual(await inBrowser(launchFirefox, join(dir, "dist"), "/index.html"), FULL_EXPECTED, "Firefox");
});

test("a plain <script type=module> page, no bundler", async () => {
  const dir = project("consumer-plain");
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html><script type="module">
import { Issuer, Key, isJwtRefreshError } from "./node_modules/jwt-refresh/browser.js";
${FLOW}
window.result = result;
</script>`,
  );
  assert.deepEqual(await inChromium(dir, "/index.html"), EXPECTED);
});

// "jwt-refresh/client": the AuthClient alone, with its own (smaller) wasm.
const NOW = Math.floor(Date.now() / 1000);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const ACCESS = `${b64({ alg: "HS256", typ: "at+jwt" })}.${b64({ sub: "user-1", iat: NOW, exp: NOW + 300 })}.c2ln`;
const REFRESH = `${b64({ alg: "HS256", typ: "rt+jwt" })}.${b64({ sub: "user-1", exp: NOW + 3600 })}.c2ln`;
const CLIENT_FLOW = `
import { AuthClient, decodeUnverified } from "jwt-refresh/client";
const client = await AuthClient.create({ refreshUrl: "/auth/refresh", storage: "memory" });
await client.setTokens({ access_token: "${ACCESS}", refresh_token: "${REFRESH}", token_type: "Bearer", expires_in: 300 });
const result = {
  sub: decodeUnverified(await client.getAccessToken()).payload.sub,
  status: client.state.status,
};
client.close();
`;
const CLIENT_EXPECTED = { sub: "user-1", status: "authenticated" };

test("jwt-refresh/client: Node, and a Vite build that ships only the client's wasm", async () => {
  const dir = project("consumer-client");
  writeFileSync(join(dir, "main.js"), `${CLIENT_FLOW}\nconsole.log(JSON.stringify(result));\n`);
  const { stdout } = await run(process.execPath, [join(dir, "main.js")], { cwd: dir });
  assert.deepEqual(JSON.parse(stdout.trim()), CLIENT_EXPECTED);

  writeFileSync(join(dir, "index.html"), `<!doctype html><script type="module" src="/app.js"></script>`);
  writeFileSync(join(dir, "app.js"), `${CLIENT_FLOW}\nwindow.result = result;\n`);
  execFileSync(join(BIN, "vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
  const assets = readdirSync(join(dir, "dist/assets"));
  const wasm = assets.filter((name) => name.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one wasm: ${wasm}`);
  assert.match(wasm[0], /^jwt_refresh_client_bg/);
  assert.deepEqual(await inChromium(join(dir, "dist"), "/index.html"), CLIENT_EXPECTED);
});

// A React component reads the client through useSyncExternalStore(auth.subscribe, () => auth.state)
// and must re-render on login, refresh and logout (and not on anything else: the snapshot is the
// same object until the state changes, or React would loop). The refresh endpoint is a fake
// fetch in the page that answers a new pair.
const REACT_APP = `
import { createElement, useSyncExternalStore } from "react";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { AuthClient } from "jwt-refresh/client";

const b64 = (v) => btoa(JSON.stringify(v)).replace(/=+$/, "").replace(/\\+/g, "-").replace(/\\//g, "_");
let generation = 0;
const pair = () => {
  generation += 1;
  const now = Math.floor(Date.now() / 1000);
  const token = (typ, ttl) => b64({ alg: "HS256", typ }) + "." + b64({ sub: "user-1", gen: generation, iat: now, exp: now + ttl }) + ".c2ln";
  return { access_token: token("at+jwt", 600 + generation), refresh_token: token("rt+jwt", 3600), token_type: "Bearer" };
};
const fetch = async () => new Response(JSON.stringify(pair()), { status: 200, headers: { "content-type": "application/json" } });
const auth = await AuthClient.create({ refreshUrl: "https://auth.example/refresh", fetch });

const renders = [];
function Status() {
  const state = useSyncExternalStore((listener) => auth.subscribe(listener), () => auth.state);
  renders.push(state.status === "unauthenticated" ? state.status : state.status + "@" + state.accessExpiresAt);
  return createElement("p", { id: "status" }, state.status);
}
const root = createRoot(document.body.appendChild(document.createElement("div")));
flushSync(() => root.render(createElement(Status)));
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
await auth.setTokens(pair());
await settle();
await auth.refresh();
await settle();
const afterRefresh = document.getElementById("status").textContent;
await auth.logout();
await settle();
window.result = { renders, afterRefresh, final: document.getElementById("status").textContent };
`;

test("React: useSyncExternalStore re-renders on login, the start and end of a refresh, and logout (Vite, Chromium)", async () => {
  const dir = project("consumer-react");
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "react@19.3.1", "react-dom@19.3.1"], { cwd: dir });
  writeFileSync(join(dir, "index.html"), `<!doctype html><script type="module" src="/app.js"></script>`);
  writeFileSync(join(dir, "app.js"), REACT_APP);
  execFileSync(join(BIN, "vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
  const result = await inChromium(join(dir, "dist"), "/index.html");
  assert.equal(result.afterRefresh, "authenticated");
  assert.equal(result.final, "unauthenticated");
  // One render per state: signed out, the login's pair, refreshing, the refreshed pair (a later
  // expiry), signed out.
  const [first, login, refreshing, refreshed, last] = result.renders;
  assert.equal(result.renders.length, 5, JSON.stringify(result.renders));
  assert.equal(first, "unauthenticated");
  assert.match(login, /^authenticated@/);
  assert.match(refreshing, /^refreshing@/);
  assert.match(refreshed, /^authenticated@/);
  assert.notEqual(refreshed, login, "the refresh re-rendered with the new expiry");
  assert.equal(last, "unauthenticated");
});

test("tsc --strict accepts a consumer of every export, against the installed types", async () => {
  const dir = project("consumer-ts");
  // jwt-refresh/hono's types refer to Hono's, a peer the app installs.
  const hono = `hono@${JSON.parse(readFileSync(join(HERE, "node_modules/hono/package.json"), "utf8")).version}`;
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", hono], { cwd: dir });
  copyFileSync(join(ROOT, "tests/js/consumer.ts"), join(dir, "consumer.ts"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true,
        target: "es2022", module: "es2022", moduleResolution: "bundler", lib: ["es2022", "dom"], types: [],
      },
      files: ["consumer.ts"],
    }),
  );
  await run(join(BIN, "tsc"), ["-p", "tsconfig.json"], { cwd: dir });
});
