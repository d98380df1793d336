// The session store protocol every store keeps (see SessionStore in the types): versions, a
// new session never overwritten, a stale version losing, list per subject, names with
// separators kept apart; a store that forgets expired records (`forgetsExpired`) no longer
// returns or lists one past its `expiresAt`.
import assert from "node:assert/strict";

export async function checkStoreContract(store, { forgetsExpired }) {
  const later = Math.floor(Date.now() / 1000) + 3600;
  assert.equal(await store.get("ada", "s1"), null);
  assert.equal(await store.put("ada", "s1", "v1", null, later), true);
  assert.equal(await store.put("ada", "s1", "again", null, later), false, "a new session never overwrites");
  assert.deepEqual(await store.get("ada", "s1"), { value: "v1", version: 1 });
  assert.equal(await store.put("ada", "s1", "v2", 7, later), false, "a stale version loses");
  assert.equal(await store.put("ada", "s1", "v2", 1, later), true);
  assert.deepEqual(await store.get("ada", "s1"), { value: "v2", version: 2 });
  assert.equal(await store.put("ada", "s2", "w1", null, later), true);
  if (forgetsExpired) {
    assert.equal(await store.put("ada", "gone", "x", null, Math.floor(Date.now() / 1000) - 1), true);
    assert.equal(await store.get("ada", "gone"), null, "expired");
  }
  assert.deepEqual((await store.list("ada")).sort(), ["s1", "s2"]);
  assert.deepEqual(await store.list("bob"), []);
  assert.equal(await store.put("a:b", "c", "1", null, later), true);
  assert.equal(await store.get("a", "b:c"), null, "names with separators stay apart");
}
