// The demo as a person uses it, in cookie mode, in Chromium (playwright-core, over http) and
// WebKit (WebDriver, over https with a throwaway certificate: WebKit keeps no Secure cookie
// over http): log in, watch the automatic refresh, reload and stay signed in, a second tab
// follows, the expired-signal path with proactive refresh paused, an injected script finds no
// refresh token, a stolen refresh cookie is replayed and the session is revoked in every tab,
// log out everywhere. Screenshots of each state go to artifacts/demo/ (from Chromium).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./support/chromium.mjs";
import { launchWebKit } from "./support/webkit.mjs";
import { startDemo, throwawayCertificate } from "../../www/serve.mjs";

const BROWSERS = {
  Chromium: { launch: launchChromium, shots: "../../artifacts/demo/", tls: false },
  // WebKitGTK's WebDriver never completes a screenshot under Xvfb here: WebKit takes none.
  WebKit: { launch: launchWebKit, shots: null, tls: true },
};
const demos = {};
const browsers = [];

before(async () => {
  demos.http = await startDemo({ port: 0, accessTtl: "8s", gracePeriod: "2s" });
  demos.https = await startDemo({ port: 0, accessTtl: "8s", gracePeriod: "2s", tls: throwawayCertificate() });
});

after(async () => {
  for (const browser of browsers) await browser.close();
  for (const demo of Object.values(demos)) await demo.close();
});

const logText = (page) => page.locator("#log").innerText();

async function login(page, name) {
  await page.fill("#username", name);
  await page.fill("#password", "demo");
  await page.click("#login-form button[type=submit]");
  await page.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
}

for (const [browserName, { launch, shots, tls }] of Object.entries(BROWSERS)) test(`${browserName}: the demo in cookie mode: login, refresh, reload, second tab, expired signal, XSS, stolen cookie, logout`, { timeout: 240_000 }, async () => {
  const demo = tls ? demos.https : demos.http;
  const shot = async (page, name) => {
    if (!shots) return;
    const dir = fileURLToPath(new URL(shots, import.meta.url));
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: `${dir}${name}.png`, fullPage: true });
  };
  const browser = await launch();
  browsers.push(browser);
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, ignoreHTTPSErrors: true });
  const a = await context.newPage();
  const errors = [];
  a.on("pageerror", (e) => errors.push(String(e)));
  await a.goto(demo.url);
  await a.locator("#login-card").waitFor({ state: "visible" });

  // A wrong password is refused.
  await a.fill("#password", "nope");
  await a.click("#login-form button[type=submit]");
  await a.locator("#login-error").filter({ hasText: "Wrong" }).waitFor();

  await login(a, "ada");
  assert.match(await a.locator("#who").innerText(), /ada \(reader\)/);
  assert.equal((await a.locator("#status").innerText()).toLowerCase(), "authenticated");
  await a.locator("#cookies", { hasText: "__Secure-refresh_token" }).waitFor();
  await a.locator("#exchanges li", { hasText: "POST /auth/login" }).first().waitFor();
  await shot(a, "01-logged-in");

  // The access token counts down, then the client refreshes on its own, through the cookie.
  await a.locator("#log li.refresh", { hasText: "this tab refreshed" }).first().waitFor({ timeout: 15_000 });
  await a.locator("#exchanges li", { hasText: "POST /auth/refresh" }).first().waitFor();
  await shot(a, "02-automatic-refresh");

  // A reload holds no token; the page refreshes through the cookie and stays signed in.
  await a.click("#reload");
  await a.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
  await a.locator("#log li", { hasText: "restoring the session through the refresh cookie" }).waitFor();
  await shot(a, "03-reloaded-still-signed-in");

  // A second tab starts the same way and follows the next refresh.
  const b = await context.newPage();
  b.on("pageerror", (e) => errors.push(String(e)));
  await b.goto(demo.url);
  await b.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
  await a.click("#refresh-now");
  await b.locator("#log li.refresh", { hasText: "adopted from another tab" }).first().waitFor({ timeout: 10_000 });
  await b.click("#call-api");
  await b.locator("#api-result", { hasText: '"sub": "ada"' }).waitFor();
  assert.match(await b.locator("#api-result").innerText(), /^200 /);
  await shot(b, "04-second-tab");

  // Proactive refresh paused in both tabs: the token expires, the API answers 401 with the
  // expired signal, the client refreshes once and retries; the strip shows each exchange.
  for (const page of [a, b]) await page.click("#pause-proactive");
  await a.waitForTimeout(9_000);
  await a.click("#call-api");
  await a.locator("#api-result", { hasText: '"sub": "ada"' }).waitFor({ timeout: 10_000 });
  await a.locator("#exchanges li", { hasText: 'error_description="token_expired"' }).first().waitFor();
  const strip = await a.locator("#exchanges").innerText();
  const order = ["GET /api/me", "POST /auth/refresh", "GET /api/me"].map((what) => strip.indexOf(what));
  assert.ok(strip.indexOf("← 401") >= 0, strip);
  assert.ok(order.every((i) => i >= 0), strip);
  await shot(a, "05-expired-signal");
  for (const page of [a, b]) await page.click("#pause-proactive");

  // An injected script finds no refresh token.
  await a.click("#xss");
  await a.locator("#log li", { hasText: "no refresh token anywhere a script can look" }).waitFor();
  await shot(a, "06-xss-finds-nothing");

  // The attacker copies the refresh cookie; the app rotates it; after the grace window the
  // replay is detected and the session is revoked in every tab, with a banner that says why.
  await a.click("#steal");
  await a.locator("#log li", { hasText: "the attacker copied the current refresh cookie" }).waitFor();
  await a.click("#refresh-now");
  await a.locator("#replay:not([disabled])").waitFor();
  await a.waitForTimeout(2_500);
  await a.click("#replay");
  await a.locator("#log li", { hasText: "refresh_token_reused" }).waitFor({ timeout: 10_000 });
  for (const page of [a, b]) {
    await page.locator("#login-card").waitFor({ state: "visible", timeout: 10_000 });
  }
  await a.locator("#revoked-banner", { hasText: "Session revoked" }).waitFor();
  assert.match(await logText(b), /logged out/);
  await shot(a, "07-stolen-token-revoked");

  // Log in again: the other tab follows; log out everywhere from it; a reload stays out.
  await login(a, "grace");
  await b.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
  await b.click("#logout");
  for (const page of [a, b]) {
    await page.locator("#login-card").waitFor({ state: "visible", timeout: 10_000 });
  }
  await b.reload();
  await b.locator("#login-card").waitFor({ state: "visible", timeout: 10_000 });
  await shot(b, "08-logged-out-everywhere");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the demo's local server refuses a body past 1 MiB and keeps serving", async () => {
  const big = await fetch(new URL("/auth/refresh", demos.http.url), { method: "POST", body: "x".repeat(3 << 20) });
  assert.equal(big.status, 413);
  const next = await fetch(new URL("/auth/refresh", demos.http.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(next.status, 400);
  assert.equal((await next.json()).error_description, "not_authenticated");
});
