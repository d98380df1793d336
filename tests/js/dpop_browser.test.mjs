// DPoP end to end in Chromium (playwright-core), Firefox (geckodriver) and WebKit (WebKitGTK
// through WebDriver): the AuthClient with `dpop: true` in header mode over localStorage,
// against the fixture Worker in workerd (Miniflare) with its Durable Object store, over real
// HTTP on 127.0.0.1. The key is not
// extractable; a pair stolen from storage and replayed from Node, with another key or none, is
// refused; a reloaded lone tab stays signed in; five tabs share one key and make one refresh;
// logout replaces the key.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as jose from "jose";
import * as dpop from "dpop";
import { launchChromium } from "./support/chromium.mjs";
import { launchFirefox } from "./support/firefox.mjs";
import { launchWebKit } from "./support/webkit.mjs";
import { startDemo } from "../../www/serve.mjs";
import { Key } from "../../pkg/node.js";

const BROWSERS = { Chromium: launchChromium, Firefox: launchFirefox, WebKit: launchWebKit };
let front;
const launched = [];

before(async () => {
  front = await startDemo({
    port: 0,
    pages: "tests/js/support/app",
    worker: {
      scriptPath: fileURLToPath(new URL("./worker/worker.mjs", import.meta.url)),
      durableObjects: { SESSIONS_DO: "SessionStoreObject" },
      bindings: {
        SIGNING_JWK: JSON.stringify((await Key.generateAsync("ES256", { kid: "dpop-e2e" })).toPrivateJwk()),
        REFRESH_JWK: JSON.stringify(Key.generate("HS256", { kid: "refresh" }).toPrivateJwk()),
        ACCESS_TTL: "8s",
      },
    },
  });
});

after(async () => {
  for (const browser of launched) await browser.close();
  await front?.close();
});

/** Polls `check` (bounded in count and time) until it returns true. */
async function until(check, what, { tries = 200, everyMs = 100 } = {}) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const status = (page) => page.evaluate(() => window.auth.state.status);
const exchanges = (path, from = 0) => front.exchanges.slice(from).filter((e) => e.path === path);
const api = (url) => new URL(url, front.url).href;

/** The thumbprint of the key that signed a proof, checked as an independent verifier would. */
async function proofKey(proof) {
  const { protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256"] });
  return jose.calculateJwkThumbprint(protectedHeader.jwk);
}

async function openTab(context, ns) {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`${ns}:`, e));
  await page.goto(api(`/dpop.html?ns=${ns}`));
  await page.waitForFunction(() => window.ready === true);
  return page;
}

/** Logs in through the client (a proof binds the session); the token response's type and jkt. */
async function login(page, user) {
  return page.evaluate(async (name) => {
    const res = await window.auth.fetch("/auth/login?store=do", { method: "POST", body: JSON.stringify({ user: name }) });
    const tokens = await res.json();
    await window.auth.setTokens(tokens);
    return { tokenType: tokens.token_type, jkt: JSON.parse(atob(tokens.access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).cnf?.jkt };
  }, user);
}

for (const [browserName, launch] of Object.entries(BROWSERS)) {
  let context;
  const ready = async () => {
    if (!context) {
      const browser = await launch();
      launched.push(browser);
      context = await browser.newContext();
    }
  };

  test(`${browserName}: a bound session, an unexportable key, a stolen pair refused, a reload still signed in`, { timeout: 120_000 }, async () => {
    await ready();
    const ns = `${browserName}-lone`;
    let page = await openTab(context, ns);
    const from = front.exchanges.length;
    const { tokenType, jkt } = await login(page, "ada");
    assert.equal(tokenType, "DPoP");
    const [loginRequest] = exchanges("/auth/login", from);
    assert.equal(await proofKey(loginRequest.headers.dpop), jkt, "the session is bound to the proof's key");

    // The key: a CryptoKey in IndexedDB whose private half no script can export.
    const key = await page.evaluate(async () => {
      const stored = await window.storedKey();
      const exported = await crypto.subtle.exportKey("jwk", stored.privateKey).then(() => "exported", (e) => e.name);
      const pkcs8 = await crypto.subtle.exportKey("pkcs8", stored.privateKey).then(() => "exported", (e) => e.name);
      return { extractable: stored.privateKey.extractable, type: stored.privateKey.type, exported, pkcs8, jwk: stored.jwk };
    });
    assert.deepEqual({ ...key, jwk: undefined }, { extractable: false, type: "private", exported: "InvalidAccessError", pkcs8: "InvalidAccessError", jwk: undefined });
    assert.equal(await jose.calculateJwkThumbprint(key.jwk), jkt);

    // The API through the client: DPoP scheme, a proof by the key.
    const me = await page.evaluate(async () => {
      const res = await window.auth.fetch("/api/me?store=do");
      return { status: res.status, body: await res.json() };
    });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.sub, "ada");
    const apiRequest = exchanges("/api/me", from).at(-1);
    assert.match(apiRequest.headers.authorization, /^DPoP /);
    assert.equal(await proofKey(apiRequest.headers.dpop), jkt);

    // A thief copies the pair out of localStorage and replays it from Node.
    const stolen = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), `${ns}:tokens`);
    const thief = await dpop.generateKeyPair("ES256");
    const refreshWith = async (proof) => {
      const headers = { "content-type": "application/x-www-form-urlencoded", authorization: `DPoP ${stolen.accessToken}` };
      if (proof) headers.dpop = proof;
      const res = await fetch(api("/auth/refresh?store=do"), { method: "POST", headers, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: stolen.refreshToken }) });
      return { status: res.status, error: (await res.json()).error };
    };
    assert.deepEqual(await refreshWith(null), { status: 400, error: "invalid_dpop_proof" }, "refresh without a proof");
    assert.deepEqual(await refreshWith(await dpop.generateProof(thief, api("/auth/refresh"), "POST")), { status: 400, error: "invalid_dpop_proof" }, "refresh with another key");
    for (const [what, headers] of [
      ["as Bearer", { authorization: `Bearer ${stolen.accessToken}` }],
      ["DPoP without a proof", { authorization: `DPoP ${stolen.accessToken}` }],
      ["another key's proof", { authorization: `DPoP ${stolen.accessToken}`, dpop: await dpop.generateProof(thief, api("/api/me"), "GET", undefined, stolen.accessToken) }],
    ]) {
      const res = await fetch(api("/api/me?store=do"), { headers });
      assert.equal(res.status, 401, what);
    }

    // A reload of the lone tab: the pair from localStorage, the key from IndexedDB.
    await page.reload();
    await page.waitForFunction(() => window.ready === true);
    assert.equal(await status(page), "authenticated", "a reload stays signed in");
    await page.evaluate(() => window.auth.refresh());
    const refresh = exchanges("/auth/refresh", from).at(-1);
    assert.equal(refresh.status, 200, "the owner refreshes after the thief's attempts");
    assert.equal(await proofKey(refresh.headers.dpop), jkt, "with the same key");
    assert.equal(await page.evaluate(async () => (await window.auth.fetch("/api/me?store=do")).status), 200);
    await page.evaluate(() => window.auth.logout());
    await page.close();
  });

  test(`${browserName}: five tabs share one key and make one refresh; logout replaces the key`, { timeout: 120_000 }, async () => {
    await ready();
    const ns = `${browserName}-five`;
    const pages = [];
    for (let i = 0; i < 5; i++) pages.push(await openTab(context, ns));
    const { jkt } = await login(pages[0], "five");
    await until(async () => (await Promise.all(pages.map(status))).every((s) => s === "authenticated"), "every tab to hold the login");
    const expiry = await pages[0].evaluate(() => window.auth.state.accessExpiresAt);
    const loginAccess = await pages[0].evaluate((key) => JSON.parse(localStorage.getItem(key)).accessToken, `${ns}:tokens`);
    // The proactive timers of the five tabs fire at the same moment (8 s tokens).
    const from = front.exchanges.length;
    await until(async () => {
      const expiries = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.accessExpiresAt)));
      return expiries.every((e) => e > expiry);
    }, "every tab to move to the next pair");
    // The login's pair is refreshed once. (A slow driver may watch long enough for the next
    // pair's own proactive refresh: that one presents another access token.)
    const refreshes = exchanges("/auth/refresh", from).filter((e) => e.headers.authorization === `DPoP ${loginAccess}`);
    assert.equal(refreshes.length, 1, "exactly one refresh request for five tabs");
    assert.equal(refreshes[0].status, 200);
    assert.equal(await proofKey(refreshes[0].headers.dpop), jkt);
    // Every tab calls the API with a proof by the one key.
    for (const page of pages) assert.equal(await page.evaluate(async () => (await window.auth.fetch("/api/me?store=do")).status), 200);
    const keys = await Promise.all(exchanges("/api/me", from).map((e) => proofKey(e.headers.dpop)));
    assert.deepEqual(new Set(keys), new Set([jkt]), "one key for every tab");

    // Logout in one tab: every tab signed out, the stored key gone; the next login, a new key.
    await pages[2].evaluate(() => window.auth.logout());
    await until(async () => (await Promise.all(pages.map(status))).every((s) => s === "unauthenticated"), "every tab to log out");
    assert.equal(await pages[4].evaluate(() => window.storedKey()), null, "the key is discarded");
    const next = await login(pages[4], "five");
    assert.notEqual(next.jkt, jkt, "a new session, a new key");
    await until(async () => (await Promise.all(pages.map(status))).every((s) => s === "authenticated"), "every tab to hold the new login");
    assert.equal(await pages[1].evaluate(async () => (await window.auth.fetch("/api/me?store=do")).status), 200, "another tab proves with the new key");
    assert.equal(await proofKey(exchanges("/api/me").at(-1).headers.dpop), next.jkt);
    for (const page of pages) await page.close();
  });
}
