// Values whose every read throws — a getter that throws, a revoked Proxy, a Proxy around a Date,
// a Proxy whose traps throw — in every argument and option position of every export, through
// the real generated glue. Before, the exception unwound through the Rust frames: the caller got
// a plain Error, the shadow stack leaked, and after a few hundred calls every call trapped
// (valid tokens included); async APIs never settled and Node reported an uncaught exception.
// Now each read fails into a typed `invalid_options`, and the instance keeps working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Issuer, Key, MemoryStore, isJwtRefreshError } from "../../pkg/node.js";
import { AuthClient } from "../../pkg/client-node.js";
import { everyMethod } from "./support/exports.mjs";

const CALLS_PER_KIND = 10_000;

const key = Key.generate("HS256", { kid: "k" });
const token = key.sign({ sub: "u" }, { expiresIn: 600 });
const issuer = new Issuer(Key.generate("HS512", { kid: "a" }), Key.generate("HS256", { kid: "r" }), {
  issuer: "https://auth.example",
  store: new MemoryStore(),
});

const boom = () => {
  throw new Error("boom from a caller's value");
};
/** Each kind makes a fresh value (a revoked Proxy cannot be un-revoked, a getter may be cached). */
const HOSTILE = {
  "throwing getter": () => Object.defineProperty({}, "issuer", { get: boom, enumerable: true }),
  "revoked Proxy": () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  "Proxy-wrapped Date": () => new Proxy(new Date(), {}),
  "Proxy whose traps throw": () =>
    new Proxy({}, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom, has: boom }),
  "array Proxy whose reads throw": () => new Proxy(["a"], { get: boom }),
};

/** The argument shapes each method is called with: the value alone, as an option, as a member. */
function shapes(make) {
  return [
    [make()],
    [token, make()],
    ["x", make()],
    [make(), make()],
    [token, { currentDate: make() }],
    [token, { audience: make(), issuer: make() }],
    [{ sub: "u" }, make()],
    [{ sub: "u" }, { expiresIn: 60, audience: make() }],
  ];
}

/**
 * Whether an error other than ours came out of wasm: its stack has wasm frames, so it unwound
 * through Rust (what leaked the shadow stack). The glue's own checks and the package's plain-JS
 * helpers throw before any wasm frame; those are not what this test is about.
 */
function escapedThroughWasm(error) {
  return !isJwtRefreshError(error) && /wasm:\/\/|wasm-function/.test(String(error?.stack));
}

test("hostile values in every position never escape as exceptions through wasm", async () => {
  const uncaught = [];
  const onUncaught = (error) => uncaught.push(String(error));
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  const { methods, close } = await everyMethod(key, issuer);
  // Constructors take options too.
  methods.push(["new Issuer", null, (a, b) => new Issuer(key, Key.generate("HS256"), b ?? a)]);
  methods.push(["AuthClient.create", null, (a, b) => AuthClient.create(b ?? a)]);

  const untyped = [];
  const pending = [];
  const counts = {};
  for (const [kind, make] of Object.entries(HOSTILE)) {
    counts[kind] = 0;
    while (counts[kind] < CALLS_PER_KIND) {
      for (const [what, target, method] of methods) {
        for (const args of shapes(make)) {
          counts[kind]++;
          const label = `${what} with a ${kind}`;
          try {
            const result = method.apply(target, args);
            if (result && typeof result.then === "function") {
              pending.push(
                Promise.resolve(result).then(
                  () => {},
                  (error) => escapedThroughWasm(error) && untyped.push(`${label} rejected: ${error.stack}`),
                ),
              );
            }
          } catch (error) {
            if (escapedThroughWasm(error)) untyped.push(`${label} threw: ${error.stack}`);
          }
        }
      }
      // Settle as we go: every promise must settle (a hang fails the bound below).
      let timer;
      const settled = await Promise.race([
        Promise.all(pending.splice(0)).then(() => true),
        new Promise((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
      ]);
      clearTimeout(timer);
      assert.ok(settled, `every promise settles (${kind})`);
    }
  }
  close();
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
  const firstOf = new Map(untyped.map((u) => [u.split(" with ")[0], u]));
  assert.deepEqual([...firstOf.values()], [], `${untyped.length} exceptions through wasm`);
  assert.deepEqual(uncaught, []);
  for (const [kind, count] of Object.entries(counts)) assert.ok(count >= CALLS_PER_KIND, `${kind}: ${count} calls`);
  assert.equal(key.verify(token).payload.sub, "u", "a valid token still verifies");
  const pair = await issuer.startSession("alice");
  assert.equal(issuer.verifyAccess(pair.access_token).payload.sub, "alice", "async APIs still work");
});

test("each hostile read is invalid_options naming what threw", async () => {
  const code = async (call) => {
    try {
      await call();
    } catch (error) {
      assert.ok(isJwtRefreshError(error), String(error));
      return [error.code, error.message];
    }
    return ["no error"];
  };
  for (const [kind, make] of Object.entries(HOSTILE)) {
    const cases = {
      "key.verify options": () => key.verify(token, make()),
      "key.verify currentDate": () => key.verify(token, { currentDate: make() }),
      "verifier.verify currentDate": () => key.verifier().verify(token, make()),
      "key.sign claims": () => key.sign(make()),
      "key.signAsync claims": () => key.signAsync(make()),
      "Key.generateAsync options": () => Key.generateAsync("ES256", make()),
      "new Issuer options": () => new Issuer(key, Key.generate("HS256"), make()),
      "new Issuer previousKeys": () =>
        new Issuer(key, Key.generate("HS256"), { issuer: "https://a.example", previousKeys: make() }),
      "issuer.startSession claims": () => issuer.startSession("alice", make()),
      "AuthClient.create options": () => AuthClient.create(make()),
    };
    for (const [what, call] of Object.entries(cases)) {
      const [got, message] = await code(call);
      // A Proxy-wrapped Date where an object is expected reads as an empty object for some
      // positions; what must never happen is an untyped error or a trap.
      if (got === "no error") continue;
      assert.equal(got, "invalid_options", `${what} with a ${kind}: ${message}`);
      if (kind !== "Proxy-wrapped Date" && /threw/.test(message)) assert.match(message, /boom|revoked|proxy/i, `${what}: ${message}`);
    }
  }
  // The Date in a Proxy is refused where a Date is read.
  const [got, message] = await code(() => key.verify(token, { currentDate: HOSTILE["Proxy-wrapped Date"]() }));
  assert.equal(got, "invalid_options");
  assert.match(message, /currentDate/);
});
