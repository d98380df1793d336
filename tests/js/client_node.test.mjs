// The AuthClient where browser storages do not exist (Node: no window, no localStorage,
// no IndexedDB): a typed error, never a crash; memory and custom storages still work.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as server from "../../pkg/node.js";
import * as clientEntry from "../../pkg/client-node.js";

const ENTRY = "jwt-refresh/client";
const { AuthClient, isJwtRefreshError } = clientEntry;

test("the main entry has no AuthClient: servers do not load the browser client", () => {
  assert.equal(server.AuthClient, undefined);
  assert.equal(typeof server.Issuer, "function");
  assert.equal(clientEntry.Issuer, undefined);
  assert.equal(clientEntry.Key, undefined);
});

test(`${ENTRY}: no window: browser storages are storage_unavailable, memory works`, async () => {
  assert.equal(typeof globalThis.localStorage, "undefined");
  for (const storage of ["localStorage", "sessionStorage", "indexedDB"]) {
    await assert.rejects(
      AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh", storage }),
      (e) => isJwtRefreshError(e) && e.code === "storage_unavailable",
      storage,
    );
  }
  const client = await AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh" });
  assert.equal(client.state.status, "unauthenticated");
  assert.equal(await client.getAccessToken(), null);
  client.close();
});

test(`${ENTRY}: options are checked`, async () => {
  await assert.rejects(AuthClient.create({}), (e) => e.code === "invalid_options");
  await assert.rejects(AuthClient.create({ refreshUrl: "/r", refreshMargn: "5s" }), (e) => e.code === "invalid_options");
  await assert.rejects(AuthClient.create({ refreshUrl: "/r", fetch: 5 }), (e) => e.code === "invalid_options");
  for (const bad of [{ split: "yes" }, { maxRefreshAttempts: 1.5 }, { backoff: { baseMs: 10 } }, { backoff: { baseMs: 10, maxMs: 50, jitter: 1 } }, { lockTimeout: "1s" }]) {
    await assert.rejects(AuthClient.create({ refreshUrl: "/r", ...bad }), (e) => e.code === "invalid_options", JSON.stringify(bad));
  }
});

test(`${ENTRY}: mode "cookie" keeps storage and split out; unknown modes are refused`, async () => {
  for (const bad of [{ mode: "cookies" }, { mode: "cookie", storage: "localStorage" }, { mode: "cookie", split: true }, { mode: "cookie", sessionHint: 1 }]) {
    await assert.rejects(AuthClient.create({ refreshUrl: "/r", ...bad }), (e) => e.code === "invalid_options", JSON.stringify(bad));
  }
  const client = await AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh", mode: "cookie", storage: "memory" });
  client.close();
});

test(`${ENTRY}: decodeUnverified (the host parses and decodes each segment) reads what the main entry reads, and refuses the same`, () => {
  const key = server.Key.generate("HS256");
  // Every length of the last base64url quantum, and text beyond ASCII.
  for (const name of ["Ada", "Adaa", "Adaaa", "Ådå ✓ 名前 🙂"]) {
    const token = key.sign({ name, role: "reader", nested: { n: 1.5, list: [1, "a"] } }, { subject: "ada", expiresIn: "5m", typ: "at+jwt" });
    assert.deepEqual(clientEntry.decodeUnverified(token), server.decodeUnverified(token));
    assert.equal(clientEntry.decodeUnverified(token).payload.name, name);
  }
  const b64 = (text) => Buffer.from(text).toString("base64url");
  const header = b64('{"alg":"HS256"}');
  const refused = [`${header}.${b64("[1]")}.sig`, `${b64("null")}.${b64("{}")}.sig`, `${header}.${b64("{")}.sig`, `${header}.e30=.sig`, "a.b", 42];
  // "e31" spells "{}" with a stray trailing bit; a segment of 4n + 1 characters spells nothing;
  // the payload's bytes not UTF-8.
  refused.push(`${header}.e31.sig`, `${header}.e30ab.sig`, `${header}.${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.sig`);
  for (const bad of refused) {
    for (const entry of [clientEntry, server]) {
      assert.throws(() => entry.decodeUnverified(bad), (e) => isJwtRefreshError(e) && e.code === "malformed_token", String(bad));
    }
  }
});

test(`${ENTRY}: setTokens refuses a pair that is not two JWTs, naming which`, async () => {
  const client = await AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh" });
  const jwt = server.Key.generate("HS256").sign({ sub: "ada" }, { expiresIn: "5m" });
  for (const [pair, named] of [
    [{ access_token: "opaque", refresh_token: jwt, token_type: "Bearer" }, "access_token"],
    [{ access_token: jwt, refresh_token: "x.y", token_type: "Bearer" }, "refresh_token"],
  ]) {
    await assert.rejects(client.setTokens(pair), (e) => isJwtRefreshError(e) && e.code === "malformed_token" && e.message.startsWith(`the token response's ${named} is not a JWT`), named);
  }
  assert.equal(client.state.status, "unauthenticated");
  client.close();
});

test(`${ENTRY}: on() returns an unsubscribe that can be called again; a throwing listener does not silence the others and is reported`, async () => {
  const client = await AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh" });
  const key = server.Key.generate("HS256");
  const pair = () => ({
    access_token: key.sign({ sub: "ada" }, { expiresIn: "5m" }),
    refresh_token: key.sign({ sub: "ada" }, { expiresIn: "1d" }),
    token_type: "Bearer",
    expires_in: 300,
  });
  const heard = [];
  const bug = new Error("a listener's own bug");
  const offBug = client.on("refresh", () => {
    throw bug;
  });
  const off = client.on("refresh", (detail) => heard.push(detail.source));
  const unsubscribe = client.subscribe(() => heard.push("change"));
  // Where the host has reportError (browsers, Deno, Bun), the error goes there...
  const reported = [];
  globalThis.reportError = (error) => reported.push(error);
  try {
    await client.setTokens(pair());
  } finally {
    delete globalThis.reportError;
  }
  assert.deepEqual(heard, ["login", "change"]);
  assert.deepEqual(reported, [bug]);
  // ...and to the console where it has none (Node).
  const logged = [];
  const consoleError = console.error;
  console.error = (...args) => logged.push(args);
  try {
    await client.setTokens(pair());
  } finally {
    console.error = consoleError;
  }
  assert.deepEqual(logged, [[bug]]);
  assert.deepEqual(heard, ["login", "change", "login", "change"]);
  heard.length = 0;
  off();
  off();
  offBug();
  unsubscribe();
  unsubscribe();
  await client.setTokens(pair());
  assert.deepEqual(heard, [], "nothing heard after unsubscribing");
  client.close();
});
