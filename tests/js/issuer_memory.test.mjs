// The Issuer's wasm memory over many refreshes through a JS session store (KV, D1, Durable
// Objects, Redis and PostgreSQL are all JS stores): what a Node server or a Worker isolate does
// for as long as it lives. A leak grows the memory; past the first refreshes it must stay put.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, Issuer, Key } from "../../pkg/jwt_refresh.js";
import { assertMemoryHolds } from "./support/wasm-memory.mjs";

const { memory } = initSync({ module: readFileSync(new URL("../../pkg/jwt_refresh_bg.wasm", import.meta.url)) });

/** A session store over a Map, as small as the interface allows. */
class MapStore {
  records = new Map();
  async get(subject, sessionId) {
    return this.records.get(`${subject}/${sessionId}`) ?? null;
  }
  async put(subject, sessionId, value, expectedVersion) {
    const id = `${subject}/${sessionId}`;
    const held = this.records.get(id);
    if ((held?.version ?? null) !== expectedVersion) return false;
    this.records.set(id, { value, version: (held?.version ?? 0) + 1 });
    return true;
  }
  async list(subject) {
    return [...this.records.keys()].filter((id) => id.startsWith(`${subject}/`)).map((id) => id.slice(subject.length + 1));
  }
}

test("the Issuer over a JS store: thousands of refreshes leave the wasm memory where the first ones did", { timeout: 120_000 }, async () => {
  const issuer = new Issuer(Key.generate("HS256", { kid: "s" }), Key.generate("HS256", { kid: "r" }), { issuer: "https://auth.test", store: new MapStore() });
  const T0 = 1_800_000_000;
  let pair = await issuer.startSession("ada", {}, { currentDate: new Date(T0 * 1000) });
  let refreshes = 0;
  const cycle = async (count) => {
    for (let i = 0; i < count; i++) {
      // Past the grace window each time, so that every call rotates.
      refreshes += 1;
      pair = await issuer.refresh(pair.access_token, pair.refresh_token, { currentDate: new Date((T0 + 60 * refreshes) * 1000) });
    }
  };
  // A timer closure per store call kept about 130 bytes a refresh; 44 fill a page over 1,500.
  await assertMemoryHolds(memory, cycle, { window: 1500 });
  const now = { currentDate: new Date((T0 + 60 * refreshes) * 1000) };
  assert.equal((await issuer.verifyAccessAsync(pair.access_token, now)).payload.sub, "ada");
});
