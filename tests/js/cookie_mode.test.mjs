// Cookie mode end to end, in Chromium (playwright-core) and Firefox (geckodriver): the demo's
// Worker in workerd (Miniflare) with its Durable Object store, over real HTTP on 127.0.0.1
// (a potentially trustworthy origin: both browsers keep `Secure` and `__Secure-` cookies
// there). The page is the demo's; `window.auth` is its AuthClient.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launchChromium } from "./support/chromium.mjs";
import { launchFirefox } from "./support/firefox.mjs";
import { startDemo } from "../../www/serve.mjs";

const REFRESH_COOKIE = "__Secure-refresh_token";
const ACCESS_COOKIE = "__Secure-access_token";
const BROWSERS = { Chromium: launchChromium, Firefox: launchFirefox };
let demo;
let attacker;
const launched = [];

before(async () => {
  demo = await startDemo({ port: 0, accessTtl: "10s", gracePeriod: "2s" });
  // Another site: `localhost` is not the same site as `127.0.0.1`.
  const target = demo.url.replace(/\/$/, "");
  attacker = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><title>evil</title>
      <form id="refresh" method="POST" action="${target}/auth/refresh" enctype="text/plain">
        <input name='{"grant_type":"refresh_token","x":"' value='"}'></form>
      <form id="logout" method="POST" action="${target}/auth/logout"></form>
      <script>
        window.tryFetch = (path) => fetch("${target}" + path, { method: "POST", mode: "no-cors", credentials: "include", body: "{}" })
          .then(() => "sent", (e) => String(e));
        window.tryJsonFetch = (path) => fetch("${target}" + path, { method: "POST", credentials: "include",
          headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.status, (e) => "blocked: " + e);
      </script>`);
  });
  await new Promise((resolve) => attacker.listen(0, "127.0.0.1", resolve));
});

after(async () => {
  for (const browser of launched) await browser.close();
  await demo?.close();
  attacker?.close();
});

/** Polls `check` (bounded in count and time) until it returns true. */
async function until(check, what, { tries = 150, everyMs = 100 } = {}) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const status = (page) => page.evaluate(() => window.auth?.state.status ?? "loading");
const stateOf = (page) => page.evaluate(() => window.auth.state);
const requests = (path, from = 0) => demo.exchanges.slice(from).filter((e) => e.path === path);

async function open(context) {
  const page = await context.newPage();
  await page.goto(demo.url);
  await until(async () => !["loading", "restoring"].includes(await status(page)), "the page to start");
  return page;
}

async function login(page, name) {
  await page.evaluate(async (username) => {
    const res = await fetch("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: "demo" }),
    });
    await window.auth.setTokens(await res.json());
  }, name);
  await until(async () => (await status(page)) === "authenticated", "the login");
}

/** The cookies the browser holds for the auth path, HttpOnly ones included. */
async function jar(browserName, browser, context) {
  const url = new URL("/auth/cookies", demo.url).href;
  const cookies = browserName === "Chromium" ? await context.cookies(url) : await browser.cookies(url);
  return Object.fromEntries(cookies.map((c) => [c.name, c]));
}

/** Everything a script on the page can read, as one string. */
const scriptVisible = (page) =>
  page.evaluate(async () => {
    const idb = [];
    for (const { name } of (await indexedDB.databases?.()) ?? []) {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((resolve) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => resolve([]);
        });
        idb.push(JSON.stringify(all));
      }
      db.close();
    }
    return JSON.stringify({
      cookie: document.cookie,
      local: { ...localStorage },
      session: { ...sessionStorage },
      idb,
      state: window.auth.state,
      access: await window.auth.getAccessToken(),
    });
  });

for (const [browserName, launch] of Object.entries(BROWSERS)) {
  let browser;
  let context;
  const ready = async () => {
    if (!browser) {
      browser = await launch();
      launched.push(browser);
      context = await browser.newContext();
    }
  };

  test(`${browserName}: a lone tab reloads and stays signed in; no script can find the refresh token`, { timeout: 120_000 }, async () => {
    await ready();
    const refreshesAtStart = requests("/auth/refresh").length;
    const page = await open(context);
    assert.equal(await status(page), "unauthenticated");
    assert.equal((await stateOf(page)).reason, "not_authenticated", "no session cookie yet");
    assert.equal(requests("/auth/refresh").length, refreshesAtStart, "no session hint: no refresh request");
    await login(page, "ada");
    const cookies = await jar(browserName, browser, context);
    // The hint scripts see says only that a session exists.
    assert.equal(cookies["__Host-jwt-refresh-session"]?.value, "1");
    assert.equal(cookies["__Host-jwt-refresh-session"].httpOnly, false);
    assert.equal(cookies["__Host-jwt-refresh-session"].path, "/");
    assert.match(await page.evaluate(() => document.cookie), /__Host-jwt-refresh-session=1/);
    for (const name of [REFRESH_COOKIE, ACCESS_COOKIE]) {
      assert.ok(cookies[name], `${name} is set`);
      assert.equal(cookies[name].httpOnly, true);
      assert.equal(cookies[name].secure, true);
      assert.equal(cookies[name].sameSite, "Strict");
      assert.equal(cookies[name].path, "/auth");
    }
    const refreshToken = cookies[REFRESH_COOKIE].value;
    assert.match(refreshToken, /^eyJ/);
    assert.ok(!(await scriptVisible(page)).includes(refreshToken), "the refresh token is out of every script's reach");

    const refreshesBefore = requests("/auth/refresh").length;
    await page.reload();
    await until(async () => (await status(page)) === "authenticated", "the reloaded tab to sign in through the cookie");
    assert.equal(requests("/auth/refresh").length, refreshesBefore + 1, "one refresh through the cookie");
    const answer = await page.evaluate(async () => {
      const res = await window.auth.fetch("/api/me");
      return { status: res.status, body: await res.json() };
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.sub, "ada");
    const rotated = (await jar(browserName, browser, context))[REFRESH_COOKIE].value;
    assert.notEqual(rotated, refreshToken, "the reload rotated the refresh cookie");
    assert.ok(!(await scriptVisible(page)).includes(rotated));
    await page.close();
  });

  test(`${browserName}: five tabs expiring together make one refresh; logout in one logs out all and clears the cookies`, { timeout: 120_000 }, async () => {
    await ready();
    const first = await open(context);
    // Earlier tests may have left a session (another subject) in the cookie jar.
    await first.evaluate(() => window.auth.logout());
    await login(first, "five");
    const pages = [first];
    for (let i = 1; i < 5; i++) pages.push(await open(context));
    for (const page of pages) assert.equal(await status(page), "authenticated");
    // Align every tab on one pair (a fresh login), then let the proactive timers fire.
    await login(first, "five");
    await until(async () => {
      const expiries = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.accessExpiresAt)));
      return new Set(expiries).size === 1;
    }, "every tab to hold the login's pair");
    const expiry = (await stateOf(first)).accessExpiresAt;
    const from = demo.exchanges.length;
    await until(async () => {
      const expiries = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.accessExpiresAt)));
      return expiries.every((e) => e > expiry);
    }, "every tab to move to the next pair", { tries: 200 });
    // The login's pair is refreshed once (a slow watcher may also see the next pair's own
    // proactive refresh, which presents an access token of a later expiry).
    const expiryOf = (authorization) => authorization && JSON.parse(Buffer.from(authorization.split(" ")[1].split(".")[1], "base64url")).exp;
    const ofLogin = requests("/auth/refresh", from).filter((e) => expiryOf(e.headers.authorization) === expiry);
    assert.equal(ofLogin.length, 1, "exactly one refresh request for five tabs");

    await pages[3].evaluate(() => window.auth.logout());
    await until(async () => (await Promise.all(pages.map(status))).every((s) => s === "unauthenticated"), "every tab to log out");
    assert.equal(requests("/auth/logout", from).length, 1);
    const cookies = await jar(browserName, browser, context);
    assert.equal(cookies[REFRESH_COOKIE], undefined, "the refresh cookie is gone");
    assert.equal(cookies[ACCESS_COOKIE], undefined, "the access cookie is gone");
    for (const page of pages) await page.close();
    // A new tab starts signed out.
    const after = await open(context);
    assert.equal(await status(after), "unauthenticated");
    await after.close();
  });

  test(`${browserName}: a reload while the logout request is in flight stays signed out and tells the server again`, { timeout: 120_000 }, async () => {
    await ready();
    const page = await open(context);
    await login(page, "quick");
    // The logout request never gets an answer in this page (as when the user reloads at once).
    await page.evaluate(() => {
      const realFetch = window.fetch;
      window.fetch = (input, init) =>
        new URL(input.url ?? input, location.href).pathname === "/auth/logout" ? new Promise(() => {}) : realFetch(input, init);
      window.auth.logout();
    });
    await until(async () => (await status(page)) === "unauthenticated", "the local logout");
    assert.ok((await jar(browserName, browser, context))[REFRESH_COOKIE], "the server was not told: the cookie is live");
    const from = demo.exchanges.length;
    await page.reload();
    await until(async () => (await status(page)) === "unauthenticated" && requests("/auth/logout", from).length === 1, "the reloaded tab to tell the server");
    assert.equal((await stateOf(page)).reason, "logout");
    assert.equal(requests("/auth/refresh", from).length, 0, "no refresh through the live cookie");
    assert.equal((await jar(browserName, browser, context))[REFRESH_COOKIE], undefined, "the cookie is gone");
    // The server has the request once it is counted; the page clears its note only when the
    // answer reaches it, a moment later.
    const noted = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("logout")).length);
    await until(async () => (await noted()) === 0, "nothing left noted once the server answered");
    // The next page load refreshes through the cookie again (there is none: signed out).
    await page.reload();
    await until(async () => (await status(page)) === "unauthenticated", "the next start");
    assert.equal((await stateOf(page)).reason, "not_authenticated");
    await page.close();
  });

  test(`${browserName}: another site's form posts and credentialed fetches get 403 csrf_rejected; the session is intact`, { timeout: 120_000 }, async () => {
    await ready();
    const victim = await open(context);
    await login(victim, "victim");
    const before = (await jar(browserName, browser, context))[REFRESH_COOKIE].value;
    const evil = await context.newPage();
    const evilUrl = `http://localhost:${attacker.address().port}/`;
    for (const path of ["/auth/refresh", "/auth/logout"]) {
      const from = demo.exchanges.length;
      await evil.goto(evilUrl);
      // The last form's answer page may still be leaving when `goto` returns (Firefox).
      await evil.waitForFunction(() => typeof window.tryFetch === "function");
      assert.equal(await evil.evaluate((p) => window.tryFetch(p), path), "sent");
      assert.match(String(await evil.evaluate((p) => window.tryJsonFetch(p), path)), /blocked/, "a JSON fetch needs a preflight the server does not grant");
      await evil.evaluate((id) => void setTimeout(() => document.getElementById(id).submit(), 0), path.slice(6));
      await evil.locator("body", { hasText: "csrf_rejected" }).waitFor({ timeout: 10_000 });
      const posts = requests(path, from).filter((e) => e.method === "POST");
      assert.deepEqual(posts.map((e) => e.status), [403, 403], `${path}: the no-cors fetch and the form, refused`);
    }
    await evil.close();
    assert.equal((await jar(browserName, browser, context))[REFRESH_COOKIE].value, before, "nothing rotated, nothing cleared");
    assert.equal(await victim.evaluate(async () => (await window.auth.fetch("/api/me")).status), 200);
    await victim.evaluate(() => window.auth.refresh());
    assert.equal(await status(victim), "authenticated", "the session was never revoked");
    await victim.close();
  });

  test(`${browserName}: a replayed old refresh cookie after the grace window revokes the session; a reload then starts signed out`, { timeout: 120_000 }, async () => {
    await ready();
    const page = await open(context);
    await login(page, "mallory-target");
    const stolen = await jar(browserName, browser, context);
    await page.evaluate(() => window.auth.refresh());
    await new Promise((r) => setTimeout(r, 2500)); // past the 2 s grace window
    // The thief replays both old cookies from their own machine (no browser: no CSRF headers).
    const replay = await fetch(new URL("/auth/refresh", demo.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: `${REFRESH_COOKIE}=${stolen[REFRESH_COOKIE].value}; ${ACCESS_COOKIE}=${stolen[ACCESS_COOKIE].value}`,
      },
      body: "{}",
    });
    const body = await replay.json();
    assert.equal(replay.status, 400);
    assert.equal(body.error_description, "refresh_token_reused");
    const cleared = replay.headers.getSetCookie();
    assert.deepEqual(cleared.map((c) => c.split("=")[0]), [REFRESH_COOKIE, ACCESS_COOKIE, "__Host-jwt-refresh-session"]);
    assert.ok(cleared.every((c) => c.includes("Max-Age=0")), "the answer clears the cookies");
    // The victim reloads: its cookie names a revoked session, which the answer says and clears.
    await page.reload();
    await until(async () => (await status(page)) === "unauthenticated", "the reload to settle");
    assert.equal((await stateOf(page)).reason, "session_revoked");
    assert.equal((await jar(browserName, browser, context))[REFRESH_COOKIE], undefined, "the cookies are gone");
    // And the next reload has no session cookie at all.
    await page.reload();
    await until(async () => (await status(page)) === "unauthenticated", "the second reload to settle");
    assert.equal((await stateOf(page)).reason, "not_authenticated");
    await page.close();
  });

  test(`${browserName}: after the refresh token's lifetime the cookie is gone and a new tab starts signed out`, { timeout: 120_000 }, async () => {
    await ready();
    const short = await startDemo({ port: 0, accessTtl: "1s", refreshTtl: "3s" });
    try {
      const page = await context.newPage();
      await page.goto(short.url);
      await until(async () => (await status(page)) === "unauthenticated", "the page to start");
      await page.evaluate(async () => {
        window.auth.setProactiveRefresh(false);
        const res = await fetch("/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "brief", password: "demo" }) });
        await window.auth.setTokens(await res.json());
      });
      await page.close();
      await new Promise((r) => setTimeout(r, 3500));
      const later = await context.newPage();
      await later.goto(short.url);
      await until(async () => (await status(later)) === "unauthenticated", "the new tab to start");
      assert.equal((await stateOf(later)).reason, "not_authenticated");
      // Neither start asked the server: the first had no session, and the second's hint
      // expired with the cookies.
      assert.deepEqual(short.exchanges.filter((e) => e.path === "/auth/refresh").map((e) => e.status), []);
      assert.equal(await later.evaluate(() => document.cookie), "", "no hint left either");
      await later.close();
    } finally {
      await short.close();
    }
  });
}
