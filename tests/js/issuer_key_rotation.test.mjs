// Rotating the access-token signing key: an Issuer given the old key's public JWK in
// `previousKeys` still accepts the tokens it signed, on every path, and signs anew with the
// new key; an Issuer without it refuses them. Runs against the built package in pkg/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Issuer, Key, MemoryStore, decodeUnverified } from "../../pkg/node.js";

const T0 = 1_800_000_000;
const at = (s) => ({ currentDate: new Date(s * 1000) });
const refreshKey = Key.generate("HS256", { kid: "r" });
const oldKey = await Key.generateAsync("ES256", { kid: "old" });
const newKey = await Key.generateAsync("EdDSA", { kid: "new" });

test("previousKeys keep the old key's access tokens valid while the new key signs", async () => {
  const store = new MemoryStore();
  const before = new Issuer(oldKey, refreshKey, { issuer: "https://auth", store });
  const pair = await before.startSession("alice", { plan: "pro" }, at(T0));

  const after = new Issuer(newKey, refreshKey, { issuer: "https://auth", store, previousKeys: [oldKey.toPublicJwk()] });
  assert.equal((await after.verifyAccessAsync(pair.access_token, at(T0 + 1))).payload.plan, "pro");
  assert.equal((await after.accessVerifier().verifyAsync(pair.access_token, new Date((T0 + 1) * 1000))).payload.sub, "alice");
  assert.deepEqual(after.jwks().keys.map((jwk) => jwk.kid).sort(), ["new", "old"]);

  // A refresh presenting the old key's access token is signed by the new key.
  const next = await after.refresh(pair.access_token, pair.refresh_token, at(T0 + 60));
  const { protectedHeader } = decodeUnverified(next.access_token);
  assert.deepEqual([protectedHeader.alg, protectedHeader.kid], ["EdDSA", "new"]);
  assert.equal((await after.verifyAccessAsync(next.access_token, at(T0 + 61))).payload.plan, "pro");

  // Without previousKeys the old tokens name a key the issuer does not have.
  const forgetful = new Issuer(newKey, refreshKey, { issuer: "https://auth", store });
  await assert.rejects(forgetful.verifyAccessAsync(pair.access_token, at(T0 + 1)), (e) => e.code === "key_not_found");
});
