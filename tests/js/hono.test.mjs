// jwt-refresh/hono: the middleware and the refresh and logout handlers in a Hono app, over
// real HTTP in Node (@hono/node-server on 127.0.0.1) and in workerd (Miniflare, the app
// bundled with esbuild, the issuer made from the environment); cookie mode through Hono's own
// request path.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import { Miniflare } from "miniflare";
import { Issuer, Key, MemoryStore, tokenResponse } from "../../pkg/node.js";
import { jwtRefresh, logoutHandler, refreshHandler } from "../../pkg/hono.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const later = { currentDate: new Date(Date.now() + 3_600_000) };

/** The app every runtime runs: login, refresh, logout, a protected route, and the same an hour later. */
function app(issuer) {
  const hono = new Hono();
  hono.post("/auth/login", async (c) => tokenResponse(await issuer.startSession((await c.req.json()).user, { role: "reader" }), issuer));
  hono.post("/auth/refresh", refreshHandler(issuer));
  hono.post("/auth/logout", logoutHandler(issuer));
  hono.use("/api/*", jwtRefresh(issuer));
  hono.get("/api/me", (c) => c.json({ sub: c.get("auth").payload.sub, role: c.get("auth").payload.role }));
  hono.use("/later/*", jwtRefresh(issuer, later));
  hono.get("/later/me", (c) => c.json({ sub: c.get("auth").payload.sub }));
  return hono;
}

/** The flow through `call(path, init)`: the same answers wherever the app runs. */
async function flow(call) {
  const json = (body) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
  const missing = await call("/api/me", {});
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get("www-authenticate"), "Bearer");
  const tokens = await (await call("/auth/login", json({ user: "hana" }))).json();
  assert.deepEqual(await (await call("/api/me", bearer(tokens.access_token))).json(), { sub: "hana", role: "reader" });
  const expired = await call("/later/me", bearer(tokens.access_token));
  assert.equal(expired.status, 401);
  assert.match(expired.headers.get("www-authenticate"), /error_description="token_expired"/);
  const form = (t) => ({
    method: "POST",
    headers: { authorization: `Bearer ${t.access_token}`, "content-type": "application/x-www-form-urlencoded" },
    body: `grant_type=refresh_token&refresh_token=${t.refresh_token}`,
  });
  const refreshed = await call("/auth/refresh", form(tokens));
  assert.equal(refreshed.status, 200);
  const next = await refreshed.json();
  assert.notEqual(next.refresh_token, tokens.refresh_token);
  const logout = await call("/auth/logout", json({ refresh_token: next.refresh_token }));
  assert.equal(logout.status, 204);
  const after = await call("/auth/refresh", form(next));
  assert.equal(after.status, 400);
  assert.equal((await after.json()).error_description, "session_revoked");
}

const keys = async () => [await Key.generateAsync("EdDSA", { kid: "h" }), Key.generate("HS256")];

test("Node: a Hono app over real HTTP (@hono/node-server)", async () => {
  const [signing, refresh] = await keys();
  const issuer = new Issuer(signing, refresh, { issuer: "https://auth.test", store: new MemoryStore() });
  const server = await new Promise((resolve) => {
    const s = serve({ fetch: app(issuer).fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    await flow((path, init) => fetch(`${base}${path}`, init));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("workerd: the same app bundled for Workers, the issuer from the environment", async () => {
  await esbuild.build({
    entryPoints: [`${ROOT}tests/js/worker/hono-worker.mjs`], bundle: true, format: "esm", platform: "neutral",
    conditions: ["workerd", "worker"], loader: { ".wasm": "copy" }, external: ["cloudflare:*"],
    outdir: `${ROOT}target/hono-worker`, mainFields: ["module", "main"], logLevel: "error",
    nodePaths: [`${ROOT}tests/js/node_modules`],
  });
  const [signing, refresh] = await keys();
  const mf = new Miniflare({
    modules: true, modulesRoot: `${ROOT}target/hono-worker`, scriptPath: `${ROOT}target/hono-worker/hono-worker.js`,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }], compatibilityDate: "2025-06-01",
    bindings: { SIGNING_JWK: JSON.stringify(signing.toPrivateJwk()), REFRESH_JWK: JSON.stringify(refresh.toPrivateJwk()) },
  });
  try {
    await flow((path, init) => mf.dispatchFetch(`http://worker.test${path}`, init));
  } finally {
    await mf.dispose();
  }
});

test("cookie mode through the handlers: set, refreshed from the cookies, cleared on logout", async () => {
  const [signing, refresh] = await keys();
  const issuer = new Issuer(signing, refresh, { issuer: "https://auth.test", store: new MemoryStore(), cookies: true });
  const hono = app(issuer);
  const origin = "https://app.example";
  const login = await hono.request(`${origin}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"user":"kai"}' });
  const cookies = login.headers.getSetCookie();
  assert.equal(cookies.length, 3, "both tokens and the session hint");
  assert.ok(!("refresh_token" in (await login.json())));
  const jar = cookies.map((c) => c.split(";")[0]).join("; ");
  const sameOrigin = { "sec-fetch-site": "same-origin", origin, cookie: jar, "content-type": "application/json" };
  const refreshed = await hono.request(`${origin}/auth/refresh`, { method: "POST", headers: sameOrigin, body: "{}" });
  assert.equal(refreshed.status, 200, await refreshed.clone().text());
  assert.equal(refreshed.headers.getSetCookie().length, 3);
  const crossSite = await hono.request(`${origin}/auth/refresh`, { method: "POST", headers: { ...sameOrigin, "sec-fetch-site": "cross-site" }, body: "{}" });
  assert.equal(crossSite.status, 403);
  const jar2 = refreshed.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const logout = await hono.request(`${origin}/auth/logout`, { method: "POST", headers: { ...sameOrigin, cookie: jar2 }, body: "{}" });
  assert.equal(logout.status, 204);
  assert.ok(logout.headers.getSetCookie().every((c) => /Max-Age=0/.test(c)));
});
