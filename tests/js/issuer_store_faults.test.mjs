// The Issuer through the JS boundary with JS stores that fail: a throw, a rejection, a hang
// past the timeout, a malformed answer. Each is `store_unavailable` and changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Issuer, Key, MemoryStore, isJwtRefreshError, decodeUnverified } from "../../pkg/node.js";

const signingKey = await Key.generateAsync("ES256", { kid: "s" });
const refreshKey = Key.generate("HS256", { kid: "r" });
const T0 = 1_800_000_000;
const at = (s) => ({ currentDate: new Date(s * 1000) });

/** A MemoryStore whose methods can be made to misbehave. */
class FlakyStore {
  inner = new MemoryStore();
  mode = "ok";
  writes = 0;
  async #maybeFail(method) {
    switch (this.mode) {
      case `${method}:throw`:
        throw new Error("backend down");
      case `${method}:reject`:
        return Promise.reject(new Error("rejected"));
      case `${method}:hang`:
        return new Promise(() => {});
      case `${method}:garbage`:
        return "garbage";
      default:
        return undefined;
    }
  }
  async get(...args) {
    return (await this.#maybeFail("get")) ?? this.inner.get(...args);
  }
  async put(...args) {
    if (this.mode === "put:land-then-hang") {
      await this.inner.put(...args);
      return new Promise(() => {});
    }
    const failed = await this.#maybeFail("put");
    if (failed !== undefined) return failed;
    this.writes += 1;
    return this.inner.put(...args);
  }
  async list(...args) {
    return (await this.#maybeFail("list")) ?? this.inner.list(...args);
  }
}

async function code(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(isJwtRefreshError(e), String(e));
    return e.code;
  }
  return "resolved";
}

test("store failures are store_unavailable and change nothing", async () => {
  const store = new FlakyStore();
  const issuer = new Issuer(signingKey, refreshKey, { issuer: "https://auth.test", store, storeTimeout: 50 });
  const pair = await issuer.startSession("alice", { plan: "pro" }, at(T0));
  const sid = decodeUnverified(pair.access_token).payload.sid;
  const snapshot = async () => JSON.stringify(await store.inner.get("alice", sid));
  const before = await snapshot();
  for (const mode of ["get:throw", "get:reject", "get:hang", "get:garbage", "put:throw", "put:reject", "put:hang", "put:garbage"]) {
    store.mode = mode;
    assert.equal(await code(issuer.refresh(pair.access_token, pair.refresh_token, at(T0 + 61))), "store_unavailable", mode);
    assert.equal(await snapshot(), before, `${mode} changed the store`);
  }
  store.mode = "list:hang";
  assert.equal(await code(issuer.revokeAll("alice")), "store_unavailable");
  store.mode = "put:throw";
  assert.equal(await code(issuer.startSession("bob", {}, at(T0))), "store_unavailable");
  // Back to normal: the same refresh token still works (nothing lost, nothing extended).
  store.mode = "ok";
  const next = await issuer.refresh(pair.access_token, pair.refresh_token, at(T0 + 61));
  assert.equal(next.refresh_expires_in, 1_209_600);
  assert.equal((await issuer.verifyAccessAsync(next.access_token, at(T0 + 61))).payload.plan, "pro");
});

test("a write that outlived storeTimeout but landed: the retry gets the current pair", async () => {
  const store = new FlakyStore();
  // Default grace window; a short store timeout so that the test does not wait 5 s.
  const issuer = new Issuer(signingKey, refreshKey, { issuer: "https://auth.test", store, storeTimeout: 50 });
  const pair = await issuer.startSession("dana", {}, at(T0));
  const sid = decodeUnverified(pair.access_token).payload.sid;
  store.mode = "put:land-then-hang";
  assert.equal(await code(issuer.refresh(pair.access_token, pair.refresh_token, at(T0 + 61))), "store_unavailable");
  assert.equal(JSON.parse((await store.inner.get("dana", sid)).value).generation, 2, "the write landed");
  store.mode = "ok";
  // The browser client's retries, each after a store timeout (5 s by default) and a backoff.
  const retry = await issuer.refresh(pair.access_token, pair.refresh_token, at(T0 + 61 + 24));
  const record = JSON.parse((await store.inner.get("dana", sid)).value);
  assert.equal(record.revoked, undefined, "not revoked as reuse");
  assert.equal(record.generation, 2, "answered the current pair, not rotated again");
  assert.equal(decodeUnverified(retry.refresh_token).payload.gen, 2);
  // Past the grace window the same replay is reuse, as before.
  assert.equal(await code(issuer.refresh(pair.access_token, pair.refresh_token, at(T0 + 61 + 31))), "refresh_token_reused");
});

test("a store that is not a store is refused at construction", () => {
  for (const store of ["kv", 42]) {
    assert.throws(
      () => new Issuer(signingKey, refreshKey, { issuer: "x", store }),
      (e) => isJwtRefreshError(e) && e.code === "invalid_options",
    );
  }
  assert.throws(
    () => new Issuer(signingKey, refreshKey, { issuer: "x", storeTimeout: -1, store: new MemoryStore() }),
    (e) => e.code === "invalid_options",
  );
  assert.throws(
    () => new Issuer(signingKey, refreshKey, { issuer: "x", acessTtl: "1m" }),
    (e) => e.code === "invalid_options",
  );
  // Each option is read as the type it takes.
  for (const options of [{ issuer: 5 }, { issuer: "x", accessTtl: -5 }, { issuer: "x", audience: [1] }, { issuer: "x", previousKeys: {} }]) {
    assert.throws(() => new Issuer(signingKey, refreshKey, options), (e) => e.code === "invalid_options", JSON.stringify(options));
  }
  assert.throws(() => new Issuer(signingKey, signingKey, { issuer: "x" }), (e) => e.code === "invalid_key");
});

test("the JS MemoryStore and Rust's in-memory default behave alike", async () => {
  for (const store of [undefined, new MemoryStore()]) {
    const issuer = new Issuer(signingKey, refreshKey, { issuer: "https://auth.test", ...(store && { store }) });
    const first = await issuer.startSession("carol", {}, at(T0));
    const second = await issuer.refresh(first.access_token, first.refresh_token, at(T0 + 100));
    assert.equal(await code(issuer.refresh(first.access_token, first.refresh_token, at(T0 + 131))), "refresh_token_reused");
    assert.equal(await code(issuer.refresh(second.access_token, second.refresh_token, at(T0 + 132))), "session_revoked");
    assert.equal(await issuer.revokeAll("carol"), 1);
  }
});
