// The AuthClient where browser storages do not exist (Node: no window, no localStorage,
// no IndexedDB): a typed error, never a crash; memory and custom storages still work.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as full from "../../pkg/node.js";
import * as clientOnly from "../../pkg/client-node.js";

// The same client from both entries: "jwt-refresh" and the lean "jwt-refresh/client".
for (const [entry, { AuthClient, isJwtRefreshError }] of [["jwt-refresh", full], ["jwt-refresh/client", clientOnly]]) {
  test(`${entry}: no window: browser storages are storage_unavailable, memory works`, async () => {
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

  test(`${entry}: options are checked`, async () => {
    await assert.rejects(AuthClient.create({}), (e) => e.code === "invalid_options");
    await assert.rejects(AuthClient.create({ refreshUrl: "/r", refreshMargn: "5s" }), (e) => e.code === "invalid_options");
    await assert.rejects(AuthClient.create({ refreshUrl: "/r", fetch: 5 }), (e) => e.code === "invalid_options");
  });
}
