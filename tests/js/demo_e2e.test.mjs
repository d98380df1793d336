// The demo as a person uses it, in Chromium (playwright-core) and WebKit (WebDriver): log in,
// watch the automatic refresh, a second tab follows, a stolen refresh token is replayed and the
// session is revoked in every tab, log in again, log out everywhere. Screenshots go to
// artifacts/demo/ (from Chromium).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./support/chromium.mjs";
import { launchWebKit } from "./support/webkit.mjs";
import { startDemo } from "../../www/serve.mjs";

const BROWSERS = {
  Chromium: { launch: launchChromium, shots: "../../artifacts/demo/" },
  // WebKitGTK's WebDriver never completes a screenshot under Xvfb here: WebKit takes none.
  WebKit: { launch: launchWebKit, shots: null },
};
let demo;
const browsers = [];

before(async () => {
  demo = await startDemo({ port: 0, accessTtl: "8s" });
});

after(async () => {
  for (const browser of browsers) await browser.close();
  await demo?.close();
});

const logText = (page) => page.locator("#log").innerText();

async function login(page, name) {
  await page.fill("#username", name);
  await page.fill("#password", "demo");
  await page.click("#login-form button[type=submit]");
  await page.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
}

for (const [browserName, { launch, shots }] of Object.entries(BROWSERS)) test(`${browserName}: the demo: login, automatic refresh, second tab, stolen token, logout everywhere`, { timeout: 180_000 }, async () => {
  const shot = async (page, name) => {
    if (!shots) return;
    const dir = fileURLToPath(new URL(shots, import.meta.url));
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: `${dir}${name}.png` });
  };
  const browser = await launch();
  browsers.push(browser);
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
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
  await shot(a, "01-logged-in");

  // The access token counts down, then the client refreshes on its own.
  await a.locator("#log li.refresh", { hasText: "this tab refreshed" }).first().waitFor({ timeout: 15_000 });
  await shot(a, "02-automatic-refresh");

  // A second tab signs in from storage and follows the next refresh.
  const b = await context.newPage();
  b.on("pageerror", (e) => errors.push(String(e)));
  await b.goto(demo.url);
  await b.locator("#session-card").waitFor({ state: "visible" });
  await a.click("#refresh-now");
  await b.locator("#log li.refresh", { hasText: "adopted from another tab" }).first().waitFor({ timeout: 10_000 });
  await b.click("#call-api");
  await b.locator("#api-result", { hasText: '"sub": "ada"' }).waitFor();
  assert.match(await b.locator("#api-result").innerText(), /^200 /);
  await shot(b, "03-second-tab");

  // An attacker copies the refresh token; the app rotates it; after the grace window the
  // replay is detected and the session is revoked in every tab.
  await a.click("#steal");
  await a.click("#refresh-now");
  await a.locator("#replay:not([disabled])").waitFor();
  await a.waitForTimeout(10_500);
  await a.click("#replay");
  await a.locator("#log li", { hasText: "refresh_token_reused" }).waitFor({ timeout: 10_000 });
  for (const page of [a, b]) {
    await page.locator("#login-card").waitFor({ state: "visible", timeout: 10_000 });
  }
  assert.match(await logText(b), /logged out/);
  await shot(a, "04-stolen-token-revoked");

  // Log in again: the other tab follows; log out everywhere from it.
  await login(a, "grace");
  await b.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
  await b.click("#logout");
  for (const page of [a, b]) {
    await page.locator("#login-card").waitFor({ state: "visible", timeout: 10_000 });
  }
  await shot(b, "05-logged-out-everywhere");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the demo's local server refuses a body past 1 MiB and keeps serving", async () => {
  const big = await fetch(new URL("/auth/refresh", demo.url), { method: "POST", body: "x".repeat(3 << 20) });
  assert.equal(big.status, 413);
  const next = await fetch(new URL("/auth/refresh", demo.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=refresh_token&refresh_token=x",
  });
  assert.equal(next.status, 400);
  assert.equal((await next.json()).error, "invalid_request");
});
