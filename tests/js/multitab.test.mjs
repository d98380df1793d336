// Five real tabs of one browser profile whose access tokens expire at the same moment: exactly
// one refresh reaches the server, every tab continues with the new token, nobody is logged out.
// Then one logout logs out every tab, and a stale tab's refresh token inside the grace window
// does not revoke the session. In Chromium (playwright-core) and WebKit (WebKitGTK through
// WebDriver, support/webkit.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { launchChromium } from "./support/chromium.mjs";
import { launchWebKit } from "./support/webkit.mjs";

let server;
let base;
const BROWSERS = { Chromium: launchChromium, WebKit: launchWebKit };
const launched = new Map(); // name -> { browser, context }, launched on first use

async function contextOf(name) {
  if (!launched.has(name)) {
    const browser = await BROWSERS[name]();
    launched.set(name, { browser, context: await browser.newContext() });
  }
  return launched.get(name).context;
}

async function post(path, body = {}) {
  const res = await fetch(new URL(path, base), { method: "POST", body: JSON.stringify(body) });
  return res.json();
}
const stats = async () => (await fetch(new URL("/test/stats", base))).json();

/** Polls `check` (bounded in count and time) until it returns true. */
async function until(check, what, { tries = 150, everyMs = 100 } = {}) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  server = spawn(process.execPath, ["support/auth-server.mjs", "0"], {
    env: { ...process.env, SHORT_ACCESS_TTL: "8s" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = await once(server.stdout, "data");
  base = line.toString().match(/http:\/\/[\d.:]+/)[0];
});

after(async () => {
  for (const { browser } of launched.values()) await browser.close();
  server?.kill();
});

async function openTabs(browserName, count, ns, extra = "") {
  const context = await contextOf(browserName);
  const pages = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error(`tab ${i}:`, e));
    await page.goto(new URL(`/app/index.html?ns=${ns}${extra}`, base).href);
    await page.waitForFunction(() => window.ready === true);
    pages.push(page);
  }
  return pages;
}

const events = (page, type) => page.evaluate((t) => window.events.filter((e) => e.type === t), type);

for (const browserName of Object.keys(BROWSERS)) {
for (const [label, extra] of [["Web Locks", ""], ["no Web Locks: localStorage lock", "&nolocks"]]) test(`${browserName}: five tabs, one expiry moment (${label}): one refresh request, every tab continues`, { timeout: 120_000 }, async () => {
  await post("/test/reset");
  const ns = `${browserName}-${extra ? "five-nolocks" : "five"}`;
  // All tabs are open before the login, so that how long they take to load cannot matter.
  const pages = await openTabs(browserName, 5, ns, extra);
  const [first] = pages;
  if (extra) assert.equal(await first.evaluate(() => navigator.locks === undefined), true);
  await first.evaluate(async () => {
    const res = await fetch("/auth/login?short=1", { method: "POST", body: JSON.stringify({ user: "multi" }) });
    await window.auth.setTokens(await res.json());
  });
  await until(
    async () => (await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.status)))).every((s) => s === "authenticated"),
    "every tab to receive the login",
  );
  const expiries = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.accessExpiresAt)));
  assert.equal(new Set(expiries).size, 1, "all tabs hold the same access token expiry");
  await Promise.all(pages.map((p) => p.evaluate(() => (window.events = []))));
  assert.equal((await stats()).refreshRequests, 0);

  // Every tab's proactive timer fires at the same moment; wait until every tab has moved on.
  await until(
    async () => (await Promise.all(pages.map((p) => events(p, "refresh")))).every((e) => e.length >= 1),
    "every tab to get the new tokens",
  );
  const after = await stats();
  const seen = async () => JSON.stringify({ refreshes: after.refreshes, events: await Promise.all(pages.map((p) => p.evaluate(() => window.events))) });
  if (after.refreshRequests !== 1) assert.fail(`exactly one refresh request reached the server: ${await seen()}`);
  assert.equal(after.refreshSuccesses, 1);
  const newExpiries = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.accessExpiresAt)));
  assert.equal(new Set(newExpiries).size, 1);
  assert.ok(newExpiries[0] > expiries[0] + 60, "the refreshed token is the long-lived one");
  const sources = await Promise.all(pages.map(async (p) => (await events(p, "refresh")).map((e) => e.source)));
  assert.equal(sources.flat().filter((s) => s === "this-tab").length, 1, "one tab refreshed, the others adopted");

  // Every tab calls the API with the new token; nobody was logged out.
  for (const page of pages) {
    const status = await page.evaluate(async () => (await window.auth.fetch("/api/data")).status);
    assert.equal(status, 200);
    assert.deepEqual(await events(page, "logout"), []);
    assert.deepEqual(await events(page, "error"), []);
  }
  assert.equal((await stats()).refreshRequests, 1);

  // Logout in one tab logs out all of them, once each.
  await pages[2].evaluate(() => window.auth.logout());
  await until(
    async () => (await Promise.all(pages.map((p) => events(p, "logout")))).every((e) => e.length === 1),
    "every tab to log out",
  );
  for (const page of pages) {
    assert.equal(await page.evaluate(() => window.auth.state.status), "unauthenticated");
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), `${ns}:tokens`), null);
  }
  await new Promise((r) => setTimeout(r, 300));
  for (const page of pages) assert.equal((await events(page, "logout")).length, 1, "exactly one logout event");
  for (const page of pages) await page.close();
});

test(`${browserName}: header mode with split placement: a lone tab's reload starts signed out with a reason, never authenticated`, { timeout: 120_000 }, async () => {
  await post("/test/reset");
  const [page] = await openTabs(browserName, 1, `${browserName}-split-reload`, "&split");
  await page.evaluate(async () => {
    const res = await fetch("/auth/login", { method: "POST", body: JSON.stringify({ user: "split" }) });
    await window.auth.setTokens(await res.json());
  });
  assert.equal(await page.evaluate(() => window.auth.state.status), "authenticated");
  await page.reload();
  await page.waitForFunction(() => window.ready === true);
  await until(async () => (await page.evaluate(() => window.auth.state.status)) === "unauthenticated", "the reload to settle");
  const states = await page.evaluate(() => window.states);
  assert.deepEqual(states, ["restoring", "unauthenticated"], "restoring, then signed out: never authenticated");
  assert.equal(await page.evaluate(() => window.auth.state.reason), "no_access_token");
  assert.equal((await stats()).refreshRequests, 0, "no refresh the server would refuse with invalid_request");
  assert.deepEqual(await events(page, "logout"), [], "a reason, not a logout");
  await page.close();
});

test(`${browserName}: a logout followed at once by a reload still revokes the session on the server`, { timeout: 120_000 }, async () => {
  await post("/test/reset");
  const [page] = await openTabs(browserName, 1, "reload-logout");
  await page.evaluate(async () => {
    const res = await fetch("/auth/login", { method: "POST", body: JSON.stringify({ user: "leaving" }) });
    await window.auth.setTokens(await res.json());
  });
  const pair = await page.evaluate(() => JSON.parse(localStorage.getItem("reload-logout:tokens")));
  // The page goes away right after the logout starts: its request must still land.
  await page.evaluate(() => {
    setTimeout(() => {
      window.auth.logout();
      location.reload();
    }, 0);
  });
  await page.waitForFunction(() => window.ready === true && window.states.length === 1);
  const refused = async () => {
    const res = await fetch(new URL("/auth/refresh", base), {
      method: "POST",
      headers: { authorization: `Bearer ${pair.accessToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: pair.refreshToken }),
    });
    return res.status === 400 && (await res.json()).error_description === "session_revoked";
  };
  await until(refused, "the session to be revoked by the logout request");
  assert.equal(await page.evaluate(() => window.auth.state.status), "unauthenticated");
  await page.close();
});

test(`${browserName}: a stale tab's refresh token inside the grace window does not revoke the session`, { timeout: 120_000 }, async () => {
  await post("/test/reset");
  const [fresh, stale] = await openTabs(browserName, 2, "stale");
  await fresh.evaluate(async () => {
    const res = await fetch("/auth/login", { method: "POST", body: JSON.stringify({ user: "stale" }) });
    await window.auth.setTokens(await res.json());
  });
  await until(async () => (await stale.evaluate(() => window.auth.state.status)) === "authenticated", "the stale tab to see the login");
  // The stale tab remembers the pair as it was, then the fresh tab rotates it.
  const old = await stale.evaluate(() => JSON.parse(localStorage.getItem("stale:tokens")));
  await fresh.evaluate(() => window.auth.refresh());
  const current = await fresh.evaluate(() => JSON.parse(localStorage.getItem("stale:tokens")));
  assert.notEqual(current.refreshToken, old.refreshToken);
  // The stale tab presents the old refresh token within the grace window.
  const answer = await stale.evaluate(async ({ old }) => {
    const res = await fetch("/auth/refresh", {
      method: "POST",
      headers: { authorization: `Bearer ${old.accessToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: old.refreshToken }),
    });
    return { status: res.status, body: await res.json() };
  }, { old });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.refresh_token, current.refreshToken, "the same current refresh token");
  // The session lives on: both tabs can still call the API and refresh.
  for (const page of [fresh, stale]) {
    assert.equal(await page.evaluate(async () => (await window.auth.fetch("/api/data")).status), 200);
  }
  await fresh.evaluate(() => window.auth.refresh());
  assert.deepEqual(await events(fresh, "logout"), []);
  assert.deepEqual(await events(stale, "logout"), []);
});
}
