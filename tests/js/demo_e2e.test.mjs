// The demo as a person uses it (playwright-core + Debian's Chromium): log in, watch the
// automatic refresh, a second tab follows, a stolen refresh token is replayed and the session
// is revoked in every tab, log in again, log out everywhere. Screenshots go to artifacts/demo/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./support/chromium.mjs";
import { startDemo } from "../../www/serve.mjs";

const SHOTS = fileURLToPath(new URL("../../artifacts/demo/", import.meta.url));
let demo;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({ port: 0, accessTtl: "8s" });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

const logText = (page) => page.locator("#log").innerText();

async function login(page, name) {
  await page.fill("#username", name);
  await page.fill("#password", "demo");
  await page.click("#login-form button[type=submit]");
  await page.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
}

test("the demo: login, automatic refresh, second tab, stolen token, logout everywhere", async () => {
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
  await a.screenshot({ path: `${SHOTS}01-logged-in.png` });

  // The access token counts down, then the client refreshes on its own.
  await a.locator("#log li.refresh", { hasText: "this tab refreshed" }).first().waitFor({ timeout: 15_000 });
  await a.screenshot({ path: `${SHOTS}02-automatic-refresh.png` });

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
  await b.screenshot({ path: `${SHOTS}03-second-tab.png` });

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
  await a.screenshot({ path: `${SHOTS}04-stolen-token-revoked.png` });

  // Log in again: the other tab follows; log out everywhere from it.
  await login(a, "grace");
  await b.locator("#session-card").waitFor({ state: "visible", timeout: 10_000 });
  await b.click("#logout");
  for (const page of [a, b]) {
    await page.locator("#login-card").waitFor({ state: "visible", timeout: 10_000 });
  }
  await b.screenshot({ path: `${SHOTS}05-logged-out-everywhere.png` });
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
