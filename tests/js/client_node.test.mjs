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
