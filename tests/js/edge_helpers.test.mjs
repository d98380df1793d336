// The fetch-style helpers (edge.js) in Node with real Requests: handleRefresh reads at most
// 16 KiB of a body, whether or not it declares its length, and still refreshes from a body
// that arrives in many small chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Issuer,
  Key,
  MemoryStore,
  authenticate,
  authenticateAsync,
  dpopChallenge,
  dpopOf,
  errorCodes,
  handleLogout,
  handleRefresh,
  isJwtRefreshError,
  tokenResponse,
} from "../../pkg/node.js";

const issuer = new Issuer(Key.generate("HS512", { kid: "a" }), Key.generate("HS256", { kid: "r" }), {
  issuer: "https://auth.example",
  store: new MemoryStore(),
});

/** A body stream of `total` bytes in `chunk`-byte pieces, counting what the reader pulled. */
function countedBody(text, chunk) {
  const bytes = new TextEncoder().encode(text);
  const counter = { pulled: 0 };
  const stream = new ReadableStream({
    pull(controller) {
      if (counter.pulled >= bytes.length) return controller.close();
      const piece = bytes.subarray(counter.pulled, counter.pulled + chunk);
      counter.pulled += piece.length;
      controller.enqueue(piece);
    },
  });
  return { stream, counter };
}

function refreshRequest(body, headers = {}) {
  return new Request("http://127.0.0.1/auth/refresh", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
    duplex: "half",
  });
}

test("a chunked body past 16 KiB is refused after reading at most the limit", async () => {
  const { stream, counter } = countedBody("grant_type=refresh_token&refresh_token=" + "a".repeat(1 << 20), 1024);
  const response = await handleRefresh(refreshRequest(stream), issuer);
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), { error: "invalid_request", error_description: "the request body is too large" });
  assert.ok(counter.pulled <= 16 * 1024 + 2 * 1024, `read ${counter.pulled} bytes of 1 MiB`);
});

test("a declared length past 16 KiB is refused without reading the body", async () => {
  const { stream, counter } = countedBody("x".repeat(64 * 1024), 1024);
  const response = await handleRefresh(refreshRequest(stream, { "content-length": String(64 * 1024) }), issuer);
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error, "invalid_request");
  assert.ok(counter.pulled <= 1024, `read ${counter.pulled} bytes`);
});

test("a body in many small chunks still refreshes", async () => {
  const pair = await issuer.startSession("user-1");
  const form = `grant_type=refresh_token&refresh_token=${encodeURIComponent(pair.refresh_token)}`;
  const { stream, counter } = countedBody(form, 7);
  const response = await handleRefresh(refreshRequest(stream, { authorization: `Bearer ${pair.access_token}` }), issuer);
  assert.equal(response.status, 200, await response.clone().text());
  const tokens = await response.json();
  assert.equal(tokens.token_type, "Bearer");
  assert.notEqual(tokens.refresh_token, pair.refresh_token);
  assert.equal(counter.pulled, new TextEncoder().encode(form).length);
});

test("tokenResponse given a Promise says: did you forget await?", async () => {
  const pending = issuer.startSession("user-2");
  assert.throws(() => tokenResponse(pending, issuer), (e) => e.code === "invalid_options" && /did you forget await\?/.test(e.message));
  assert.throws(() => tokenResponse(pending), (e) => isJwtRefreshError(e) && e.code === "invalid_options" && /did you forget await\?/.test(e.message));
  assert.equal((await tokenResponse(await pending, issuer).json()).token_type, "Bearer");
});

test("a request without a token is missing_token, a code errorCodes() lists", async () => {
  assert.ok(errorCodes().includes("missing_token"));
});

test("one secret for both roles is refused", () => {
  const key = Key.generate("HS256", { kid: "a" });
  const same = Key.fromJwk({ ...key.toPrivateJwk(), kid: "b" });
  assert.throws(() => new Issuer(key, same, { issuer: "x" }), (e) => e.code === "invalid_key" && /same secret/.test(e.message));
});

test("the helpers name a wrong argument with a typed error instead of a TypeError", async () => {
  const request = refreshRequest("grant_type=refresh_token");
  const typed = (what) => (e) => isJwtRefreshError(e) && e.code === "invalid_options" && e.message.includes(what);
  for (const [name, helper] of Object.entries({ handleRefresh, handleLogout, authenticateAsync })) {
    await assert.rejects(helper(undefined, issuer), typed(`${name}(request, issuer): request must be a fetch Request, not undefined`));
    await assert.rejects(helper({ url: "/x" }, issuer), typed("request must be a fetch Request, not a value of type object"));
    // authenticateAsync also takes a ResourceServer, and says so.
    const expected = name === "authenticateAsync" ? "an Issuer or a ResourceServer" : "an Issuer";
    await assert.rejects(helper(request, Promise.resolve(issuer)), typed(`issuer must be ${expected}, not a Promise: did you forget await?`));
    await assert.rejects(helper(request), typed(`issuer must be ${expected}, not undefined`));
  }
  assert.throws(() => authenticate("Bearer x", issuer), typed("authenticate(request, issuer): request must be a fetch Request, not a value of type string"));
  assert.throws(() => authenticate(request, {}), typed("issuer must be an Issuer"));
  assert.throws(() => dpopOf(null), typed("dpopOf(request): request must be a fetch Request, not null"));
  const refused = Object.assign(new Error("refused"), { name: "JwtRefreshError", code: "invalid_dpop_proof" });
  assert.throws(() => dpopChallenge(refused), typed("dpopChallenge(error, issuer): issuer must be an Issuer, not undefined"));
  // Right arguments still work.
  assert.equal((await handleRefresh(request, issuer)).status, 400);
  assert.deepEqual(dpopOf(request), { proof: undefined, method: "POST", url: "http://127.0.0.1/auth/refresh" });
});
