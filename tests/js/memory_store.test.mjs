// MemoryStore is the core's own store, the same one an Issuer without `store` keeps, behind
// the session store protocol: versions, a new session never overwritten, list per subject,
// separators kept apart, bad arguments typed; one store shared by two issuers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Issuer, Key, MemoryStore, isJwtRefreshError } from "../../pkg/node.js";
import { checkStoreContract } from "./support/store-contract.mjs";

test("MemoryStore keeps the store protocol", async () => {
  // The core's store has no clock of its own: it forgets expired records when an issuer's
  // logins tell it the time (below); the session's own expiry is checked on read.
  const store = new MemoryStore();
  await checkStoreContract(store, { forgetsExpired: false });
  const later = Math.floor(Date.now() / 1000) + 3600;
  for (const call of [() => store.get(1, "s"), () => store.put("ada", "s3", {}, null, later), () => store.put("ada", "s3", "v", 1.5, later), () => store.list(undefined)]) {
    assert.throws(call, (e) => isJwtRefreshError(e) && e.code === "invalid_options");
  }
  assert.throws(() => store.forgetExpired("soon"), (e) => isJwtRefreshError(e) && e.code === "invalid_options");
});

test("an issuer's logins make its MemoryStore forget the sessions expired by the issuer's clock", async () => {
  const store = new MemoryStore();
  const keys = [Key.generate("HS256"), Key.generate("HS256")];
  const issuer = new Issuer(keys[0], keys[1], { issuer: "https://auth.test", store, refreshTtl: "1h", gracePeriod: 0 });
  const at = (seconds) => ({ currentDate: new Date(seconds * 1000) });
  const t0 = 1_700_000_000;
  for (let i = 0; i < 100; i++) await issuer.startSession(`old-${i}`, {}, at(t0));
  const later = t0 + 3601;
  for (let i = 0; i < 100; i++) await issuer.startSession(`new-${i}`, {}, at(later));
  const held = async (prefix, n) => (await Promise.all(Array.from({ length: n }, (_, i) => store.list(`${prefix}-${i}`)))).flat().length;
  assert.equal(await held("old", 100), 0, "the expired sessions are forgotten");
  assert.equal(await held("new", 100), 100, "the live ones kept");
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
