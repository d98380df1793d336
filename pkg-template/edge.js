// Request/Response helpers for Workers and any fetch-style server (Deno, Bun, Node 18+).
// They only move bytes between `Request`/`Response` and the wasm core, which does the work.

import { described, invalidArgument } from "./arguments.js";

/**
 * The body as text, or null past `limit` bytes: a declared length over it is not read at all,
 * and a body without one (chunked) is read only up to the limit, then cancelled, so a client
 * cannot make the server buffer more than that.
 */
async function boundedText(request, limit) {
  if (Number(request.headers.get("content-length") ?? 0) > limit) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** `request` is a fetch `Request` (or reads like one); `issuer` has the method the helper calls. */
function checkArguments(call, request, issuer, method) {
  if (typeof request?.headers?.get !== "function" || typeof request.url !== "string") {
    throw invalidArgument(`${call}: request must be a fetch Request, not ${described(request)}`);
  }
  if (method !== undefined && typeof issuer?.[method] !== "function") {
    const what = method === "authenticateRequestAsync" ? "an Issuer or a ResourceServer" : "an Issuer";
    throw invalidArgument(`${call}: issuer must be ${what}, not ${described(issuer)}`);
  }
}

function toResponse({ status, headers, body }) {
  // Pairs, not an object: a cookie-mode answer sets two cookies.
  return new Response(body === "" ? null : body, { status, headers });
}

const methodNotAllowed = () =>
  new Response(JSON.stringify({ error: "invalid_request" }), {
    status: 405,
    headers: { allow: "POST", "content-type": "application/json" },
  });

/** What the endpoints read of a request (the body bounded by the core's cap). */
async function endpointRequest(request, issuer) {
  const header = (name) => request.headers.get(name) ?? undefined;
  // Over the cap, the core answers `400 invalid_request` ("too large") for any longer text.
  const limit = issuer.maxRequestBody;
  const body = (await boundedText(request, limit)) ?? "x".repeat(limit + 1);
  return {
    method: request.method,
    url: request.url,
    dpop: header("dpop"),
    ownOrigin: new URL(request.url).origin,
    contentType: header("content-type"),
    authorization: header("authorization"),
    cookie: header("cookie"),
    origin: header("origin"),
    secFetchSite: header("sec-fetch-site"),
    body,
  };
}

/**
 * Answers `POST /auth/refresh`. Header mode: the expired access token in Authorization, the
 * refresh token in a form or JSON body. Cookie mode (the Issuer's `cookies` option): both from
 * the cookies, after the CSRF checks.
 * @param {Request} request
 * @param {import("./jwt_refresh.js").Issuer} issuer
 * @param {{ currentDate?: Date }} [options]
 * @returns {Promise<Response>}
 */
export async function handleRefresh(request, issuer, options) {
  checkArguments("handleRefresh(request, issuer)", request, issuer, "refreshEndpoint");
  if (request.method !== "POST") return methodNotAllowed();
  return toResponse(await issuer.refreshEndpoint(await endpointRequest(request, issuer), options));
}

/**
 * Answers `POST /auth/logout`: revokes the session of the refresh token sent (cookie mode: its
 * cookie, after the CSRF checks; header mode: `{"refresh_token": …}`) and answers 204,
 * clearing the cookies.
 * @param {Request} request
 * @param {import("./jwt_refresh.js").Issuer} issuer
 * @param {{ currentDate?: Date }} [options]
 * @returns {Promise<Response>}
 */
export async function handleLogout(request, issuer, options) {
  checkArguments("handleLogout(request, issuer)", request, issuer, "logoutEndpoint");
  if (request.method !== "POST") return methodNotAllowed();
  return toResponse(await issuer.logoutEndpoint(await endpointRequest(request, issuer), options));
}

/**
 * Checks the access token of a protected request, synchronously: HMAC signing keys only (an
 * asymmetric one throws `async_required`).
 * @returns {{ ok: true, payload: object, protectedHeader: object } | { ok: false, response: Response }}
 */
export function authenticate(request, issuer, options) {
  checkArguments("authenticate(request, issuer)", request, issuer, "authenticateHttp");
  return authResult(issuer.authenticateHttp(request.headers.get("authorization") ?? undefined, options));
}

/**
 * Checks the access token of a protected request, for every signing key (asymmetric
 * signatures by the host's crypto), and DPoP: the proof, and a bound token's key. `issuer` is
 * the Issuer, or a `ResourceServer` on an API that has only its public keys.
 * @returns {Promise<{ ok: true, payload: object, protectedHeader: object } | { ok: false, response: Response }>}
 */
export async function authenticateAsync(request, issuer, options) {
  checkArguments("authenticateAsync(request, issuer)", request, issuer, "authenticateRequestAsync");
  const header = (name) => request.headers.get(name) ?? undefined;
  const checked = { authorization: header("authorization"), dpop: header("dpop"), method: request.method, url: request.url };
  return authResult(await issuer.authenticateRequestAsync(checked, options));
}

/**
 * A request's DPoP proof and what it was for, for `issuer.startSession(sub, claims, { dpop })`:
 * the session is then bound to the proof's key.
 * @param {Request} request
 * @returns {{ proof: string | undefined, method: string, url: string }}
 */
export function dpopOf(request) {
  checkArguments("dpopOf(request)", request);
  return { proof: request.headers.get("dpop") ?? undefined, method: request.method, url: request.url };
}

/**
 * The answer to a login whose DPoP proof `startSession` refused (`invalid_dpop_proof`, or
 * `use_dpop_nonce` when nonces are on): 401 with `WWW-Authenticate: DPoP` and the current
 * `DPoP-Nonce`, which the AuthClient answers by trying once more. Other errors are thrown again.
 * @param {unknown} error
 * @param {import("./jwt_refresh.js").Issuer} issuer
 * @returns {Response}
 */
export function dpopChallenge(error, issuer) {
  if (error?.code !== "invalid_dpop_proof" && error?.code !== "use_dpop_nonce") throw error;
  if (typeof issuer?.dpopChallengeData !== "function") {
    throw invalidArgument(`dpopChallenge(error, issuer): issuer must be an Issuer, not ${described(issuer)}`);
  }
  return toResponse(issuer.dpopChallengeData(error.code));
}

function authResult(result) {
  return result.ok ? result : { ok: false, response: toResponse(result.response) };
}

/**
 * The login answer for `issuer.startSession(...)`'s tokens. With the issuer, in cookie mode,
 * both tokens are set as cookies and the body has no refresh token; without it (or in header
 * mode), the RFC 6749 token answer as JSON.
 */
export function tokenResponse(tokens, issuer) {
  // The issuer's answer is typed (invalid_options); without one, say the same thing.
  if (issuer !== undefined) return toResponse(issuer.tokenResponseData(tokens));
  if (typeof tokens?.then === "function") throw invalidArgument("tokens is a Promise, not a startSession result: did you forget await?");
  return new Response(JSON.stringify(tokens), {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" },
  });
}
