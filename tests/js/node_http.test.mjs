// jwt-refresh/node-http: the package's helpers behind a real node:http server on 127.0.0.1
// (`nodeHandler`), in header mode and in cookie mode (several Set-Cookie headers, the public
// origin given for the CSRF checks), and a handler that throws answering 500.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { Issuer, Key, MemoryStore, authenticateAsync, handleLogout, handleRefresh, tokenResponse } from "../../pkg/node.js";
import { nodeHandler } from "../../pkg/node-http.js";

/** Serves `handle` (fetch-style) through nodeHandler for the duration of `body(base)`. */
async function serving(handle, options, body) {
  const server = createServer(nodeHandler(handle, options));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await body(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const routes = (issuer) => async (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/auth/login") return tokenResponse(await issuer.startSession((await request.json()).user), issuer);
  if (pathname === "/auth/refresh") return handleRefresh(request, issuer);
  if (pathname === "/auth/logout") return handleLogout(request, issuer);
  if (pathname === "/boom") throw new Error("a bug in the app");
  const auth = await authenticateAsync(request, issuer);
  return auth.ok ? Response.json({ sub: auth.payload.sub }) : auth.response;
};

test("header mode behind node:http: login, a protected route, refresh, logout", async () => {
  const issuer = new Issuer(await Key.generateAsync("EdDSA"), Key.generate("HS256"), { issuer: "https://auth.test", store: new MemoryStore() });
  await serving(routes(issuer), undefined, async (base) => {
    const tokens = await (await fetch(`${base}/auth/login`, { method: "POST", body: '{"user":"nia"}' })).json();
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.deepEqual(await me.json(), { sub: "nia" });
    const denied = await fetch(`${base}/api/me`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), "Bearer");
    const refreshed = await fetch(`${base}/auth/refresh`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`,
    });
    assert.equal(refreshed.status, 200);
    const next = await refreshed.json();
    const logout = await fetch(`${base}/auth/logout`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: next.refresh_token }) });
    assert.equal(logout.status, 204);
    const boom = await fetch(`${base}/boom`);
    assert.equal(boom.status, 500);
    assert.deepEqual(await boom.json(), { error: "server_error" });
  });
});

test("cookie mode behind node:http: both cookies set apart, refreshed from them, cleared", async () => {
  const issuer = new Issuer(Key.generate("HS256"), Key.generate("HS256"), { issuer: "https://auth.test", store: new MemoryStore(), cookies: true });
  const origin = "https://app.example";
  await serving(routes(issuer), { origin }, async (base) => {
    const login = await fetch(`${base}/auth/login`, { method: "POST", body: '{"user":"ola"}' });
    const cookies = login.headers.getSetCookie();
    assert.equal(cookies.length, 3, "each Set-Cookie as its own header (both tokens, the hint)");
    const jar = cookies.map((c) => c.split(";")[0]).join("; ");
    const headers = { cookie: jar, origin, "sec-fetch-site": "same-origin", "content-type": "application/json" };
    const refreshed = await fetch(`${base}/auth/refresh`, { method: "POST", headers, body: "{}" });
    assert.equal(refreshed.status, 200, await refreshed.clone().text());
    const jar2 = refreshed.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    // The origin the server was given is the one the CSRF check compares with.
    const foreign = await fetch(`${base}/auth/refresh`, { method: "POST", headers: { ...headers, cookie: jar2, origin: "https://evil.example", "sec-fetch-site": "cross-site" }, body: "{}" });
    assert.equal(foreign.status, 403);
    const logout = await fetch(`${base}/auth/logout`, { method: "POST", headers: { ...headers, cookie: jar2 }, body: "{}" });
    assert.equal(logout.status, 204);
    assert.equal(logout.headers.getSetCookie().length, 3);
  });
});

test("cookies.sessionHint: named, turned off, or refused when it is no cookie name", async () => {
  const make = (sessionHint) => new Issuer(Key.generate("HS256"), Key.generate("HS256"), { issuer: "https://auth.test", store: new MemoryStore(), cookies: { sessionHint } });
  const namesSet = async (issuer) => {
    const login = await tokenResponse(await issuer.startSession("ola"), issuer);
    return login.headers.getSetCookie().map((c) => c.split("=")[0]);
  };
  assert.deepEqual(await namesSet(make(undefined)), ["__Secure-refresh_token", "__Secure-access_token", "__Host-jwt-refresh-session"]);
  assert.deepEqual(await namesSet(make("signed-in")), ["__Secure-refresh_token", "__Secure-access_token", "signed-in"]);
  assert.deepEqual(await namesSet(make(false)), ["__Secure-refresh_token", "__Secure-access_token"]);
  for (const bad of [5, true, "two words", "__Secure-refresh_token"]) {
    assert.throws(() => make(bad), (e) => e.code === "invalid_options", String(bad));
  }
});
