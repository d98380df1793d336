// MemoryStore is the core's own store, the same one an Issuer without `store` keeps, behind
// the session store protocol: versions, a new session never overwritten, list per subject,
// separators kept apart, bad arguments typed; one store shared by two issuers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Issuer, Key, MemoryStore, isJwtRefreshError } from "../../pkg/node.js";
import { checkStoreContract } from "./support/store-contract.mjs";

test("MemoryStore keeps the store protocol", async () => {
  // The core's store keeps records past their expiry (the protocol lets a store forget them,
  // and the core has no clock of its own); the session's own expiry is checked on read.
  const store = new MemoryStore();
  await checkStoreContract(store, { forgetsExpired: false });
  const later = Math.floor(Date.now() / 1000) + 3600;
  for (const call of [() => store.get(1, "s"), () => store.put("ada", "s3", {}, null, later), () => store.put("ada", "s3", "v", 1.5, later), () => store.list(undefined)]) {
    assert.throws(call, (e) => isJwtRefreshError(e) && e.code === "invalid_options");
  }
});

test("one MemoryStore shared by two issuers: a session started by one refreshes with the other", async () => {
  const store = new MemoryStore();
  const keys = [Key.generate("HS256"), Key.generate("HS256")];
  const [first, second] = [0, 1].map(() => new Issuer(keys[0], keys[1], { issuer: "https://auth.test", store, gracePeriod: 0 }));
  const pair = await first.startSession("ada");
  const next = await second.refresh(pair.access_token, pair.refresh_token);
  await assert.rejects(first.refresh(pair.access_token, pair.refresh_token), (e) => e.code === "refresh_token_reused");
  await assert.rejects(second.refresh(next.access_token, next.refresh_token), (e) => e.code === "session_revoked");
  assert.equal((await store.list("ada")).length, 1);
});
