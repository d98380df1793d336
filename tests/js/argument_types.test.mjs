// Every string parameter of the JS API, given something else, through the real generated glue:
// a typed error (thrown, or the promise rejected), and the instance keeps working. Before,
// wasm-bindgen's string passing read `.length` of a number or an object and wasm wrote out of
// bounds ("RuntimeError: memory access out of bounds", a trap inside the allocator).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Issuer, Key, KeySet, MemoryStore, decodeUnverified, isExpiredSignal, isJwtRefreshError, parseDuration,
  unauthorizedResponse,
} from "../../pkg/node.js";
import { AuthClient } from "../../pkg/client-node.js";
import { everyMethod } from "./support/exports.mjs";

const NOT_STRINGS = [123, {}, [], undefined, null, true, 12n, Symbol("s"), () => "x"];
const key = Key.generate("HS256", { kid: "k" });
const token = key.sign({ sub: "u" }, { expiresIn: 600 });
const issuer = new Issuer(Key.generate("HS512", { kid: "a" }), Key.generate("HS256", { kid: "r" }), {
  issuer: "https://auth.example",
  store: new MemoryStore(),
});
const label = (value) => (typeof value === "symbol" ? "Symbol" : typeof value === "bigint" ? "12n" : JSON.stringify(value) ?? String(value));

/** The call throws (or its promise rejects) a JwtRefreshError with `code`; the instance still verifies. */
async function refuses(call, code, what) {
  let error;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  assert.ok(isJwtRefreshError(error), `${what}: ${error}`);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.equal(key.verify(token).payload.sub, "u", `${what}: the instance still works`);
}

test("tokens that are not strings are malformed_token, never a trap", async () => {
  const verifier = key.verifier();
  const keySet = new KeySet();
  keySet.add(key);
  for (const value of NOT_STRINGS) {
    const what = label(value);
    await refuses(() => key.verify(value), "malformed_token", `key.verify(${what})`);
    await refuses(() => key.verifyAsync(value), "malformed_token", `key.verifyAsync(${what})`);
    await refuses(() => keySet.verify(value), "malformed_token", `keySet.verify(${what})`);
    await refuses(() => keySet.verifyAsync(value), "malformed_token", `keySet.verifyAsync(${what})`);
    await refuses(() => verifier.verify(value), "malformed_token", `verifier.verify(${what})`);
    await refuses(() => verifier.verifyAsync(value), "malformed_token", `verifier.verifyAsync(${what})`);
    await refuses(() => decodeUnverified(value), "malformed_token", `decodeUnverified(${what})`);
    await refuses(() => issuer.verifyAccess(value), "malformed_token", `issuer.verifyAccess(${what})`);
    await refuses(() => issuer.verifyAccessAsync(value), "malformed_token", `issuer.verifyAccessAsync(${what})`);
    await refuses(() => issuer.refresh(value, token), "malformed_token", `issuer.refresh(${what}, token)`);
    await refuses(() => issuer.refresh(token, value), "malformed_token", `issuer.refresh(token, ${what})`);
    await refuses(() => issuer.revokeByRefreshToken(value), "malformed_token", `issuer.revokeByRefreshToken(${what})`);
  }
});

test("other string arguments that are not strings are invalid_options, never a trap", async () => {
  for (const value of NOT_STRINGS) {
    const what = label(value);
    await refuses(() => Key.generate(value), "invalid_options", `Key.generate(${what})`);
    await refuses(() => Key.generateAsync(value), "invalid_options", `Key.generateAsync(${what})`);
    await refuses(() => parseDuration(value), "invalid_options", `parseDuration(${what})`);
    await refuses(() => unauthorizedResponse(value), "invalid_options", `unauthorizedResponse(${what})`);
    await refuses(() => issuer.startSession(value), "invalid_options", `issuer.startSession(${what})`);
    await refuses(() => issuer.revokeSession(value, "sid"), "invalid_options", `issuer.revokeSession(${what}, sid)`);
    await refuses(() => issuer.revokeSession("sub", value), "invalid_options", `issuer.revokeSession(sub, ${what})`);
    await refuses(() => issuer.revokeAll(value), "invalid_options", `issuer.revokeAll(${what})`);
    await refuses(() => issuer.refreshHttp("application/json", null, value), "invalid_options", `refreshHttp body ${what}`);
    // A header is a string or absent (null/undefined, as Headers.get gives it).
    if (value !== undefined && value !== null) {
      await refuses(() => issuer.refreshHttp(value, null, "{}"), "invalid_options", `refreshHttp contentType ${what}`);
      await refuses(() => issuer.authenticateHttp(value), "invalid_options", `authenticateHttp(${what})`);
      await refuses(() => issuer.authenticateHttpAsync(value), "invalid_options", `authenticateHttpAsync(${what})`);
      // A predicate: anything but a header string is not the expired signal.
      assert.equal(isExpiredSignal(401, value), false, `isExpiredSignal(401, ${what})`);
    }
  }
  // Absent headers are still what they were: a 401 asking for a token, a 400 grant error.
  assert.equal(issuer.authenticateHttp(null).response.status, 401);
  assert.equal((await issuer.authenticateHttpAsync(undefined)).response.status, 401);
  assert.equal((await issuer.refreshHttp(null, undefined, "")).status, 400);
});

test("a currentDate that is not a Date is invalid_options; undefined and null mean now", async () => {
  const verifier = key.verifier();
  const signer = key.signer({ expiresIn: 600 });
  for (const value of [123, "2026-01-01", {}, [], true, 12n, Symbol("s"), () => 1, { getTime: () => 0 }]) {
    const what = label(value);
    await refuses(() => verifier.verify(token, value), "invalid_options", `verifier.verify(token, ${what})`);
    await refuses(() => verifier.verifyAsync(token, value), "invalid_options", `verifier.verifyAsync(token, ${what})`);
    await refuses(() => signer.sign({}, value), "invalid_options", `signer.sign({}, ${what})`);
    await refuses(() => signer.signAsync({}, value), "invalid_options", `signer.signAsync({}, ${what})`);
    await refuses(() => key.verify(token, { currentDate: value }), "invalid_options", `key.verify currentDate ${what}`);
  }
  for (const absent of [undefined, null]) {
    assert.equal(verifier.verify(token, absent).payload.sub, "u");
    assert.equal(key.verify(token, { currentDate: absent }).payload.sub, "u");
    assert.equal(key.verify(signer.sign({ sub: "v" }, absent)).payload.sub, "v");
  }
  // A Date still sets the clock: ten minutes and a second later the token has expired.
  const later = new Date((key.verify(token).payload.exp + 1) * 1000);
  await refuses(() => verifier.verify(token, later), "token_expired", "verifier.verify at exp + 1");
});

test("AuthClient.on takes an event name and a function", async () => {
  const client = await AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh" });
  try {
    for (const value of NOT_STRINGS) {
      assert.throws(() => client.on(value, () => {}), (e) => e.code === "invalid_options", label(value));
      if (typeof value !== "function") {
        assert.throws(() => client.on("logout", value), (e) => e.code === "invalid_options", label(value));
      }
    }
    const off = client.on("logout", () => {});
    assert.equal(typeof off, "function");
    off();
  } finally {
    client.close();
  }
});

test("every export and method, given arguments of every type, never traps the instance", async () => {
  const weird = [undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 53, "", "x", "a.b.c", token, {}, [], [1], { a: 1 }, true,
    12n, Symbol("s"), () => 1, new Date(NaN), new Uint8Array(3), Object.create(null), new Proxy({}, {}), key];
  const { methods, close } = await everyMethod(key, issuer);
  const traps = [];
  const pending = [];
  const trapped = (what) => (error) => {
    if (error instanceof WebAssembly.RuntimeError) traps.push(`${what}: ${error.message}`);
  };
  let calls = 0;
  for (const [label, target, method] of methods) {
    for (const a of weird) {
      for (const args of [[a], [a, undefined], [a, {}], [a, 5], [a, a, a], ["x", a], [token, a]]) {
        const what = `${label}(${args.map((v) => typeof v).join(", ")})`;
        calls++;
        try {
          const result = method.apply(target, args);
          if (result && typeof result.then === "function") pending.push(Promise.resolve(result).catch(trapped(what)));
        } catch (error) {
          trapped(what)(error);
        }
      }
    }
  }
  // Every promise settles or the bound passes (a hang is not a trap; this test is about traps).
  let timer;
  await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  close();
  assert.ok(calls > 5000, `${calls} calls`);
  assert.deepEqual(traps, []);
  assert.equal(key.verify(token).payload.sub, "u", "the instance still works");
});

test("errors that name the cause: a JWK as text, a missing JWK, a misspelt option", () => {
  const key = Key.generate("HS256", { kid: "t" });
  const text = JSON.stringify(key.toPrivateJwk());
  assert.equal(Key.fromJwk(text).kid, "t", "a JWK's JSON text, as an environment secret holds it");
  for (const [missing, said] of [[undefined, "got undefined"], [null, "got null"]]) {
    assert.throws(() => Key.fromJwk(missing), (e) => e.code === "invalid_options" && e.message.includes(said));
  }
  assert.throws(() => Key.fromJwk("{not json"), (e) => e.code === "invalid_options");
  const suggests = (fn, meant) =>
    assert.throws(fn, (e) => e.code === "invalid_options" && e.message.includes(`did you mean "${meant}"?`), meant);
  suggests(() => key.sign({}, { exp: 60 }), "expiresIn");
  suggests(() => key.verify(key.sign({}), { audiance: "api" }), "audience");
  suggests(() => key.verifier({ cahce: 10 }), "cache");
  assert.throws(() => key.sign({}, { ttl: 60 }), (e) => e.code === "invalid_options" && !e.message.includes("did you mean"));
});
