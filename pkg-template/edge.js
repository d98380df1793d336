// Request/Response helpers for Workers and any fetch-style server (Deno, Bun, Node 18+).
// They only move bytes between `Request`/`Response` and the wasm core, which does the work.

const MAX_BODY_BYTES = 16 * 1024;

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

function toResponse({ status, headers, body }) {
  return new Response(body, { status, headers });
}

/**
 * Answers `POST /auth/refresh` (form or JSON body, expired access token in Authorization).
 * @param {Request} request
 * @param {import("./jwt_refresh.js").Issuer} issuer
 * @param {{ currentDate?: Date }} [options]
 * @returns {Promise<Response>}
 */
export async function handleRefresh(request, issuer, options) {
  if (request.method !== "POST") {
    return new Response(JSON.stringify({ error: "invalid_request" }), {
      status: 405,
      headers: { allow: "POST", "content-type": "application/json" },
    });
  }
  // Over the cap, the core answers `400 invalid_request` ("too large") for any longer text.
  const body = (await boundedText(request, MAX_BODY_BYTES)) ?? "x".repeat(MAX_BODY_BYTES + 1);
  const data = await issuer.refreshHttp(
    request.headers.get("content-type") ?? undefined,
    request.headers.get("authorization") ?? undefined,
    body,
    options,
  );
  return toResponse(data);
}

/**
 * Checks the access token of a protected request.
 * @returns {{ ok: true, payload: object, protectedHeader: object } | { ok: false, response: Response }}
 */
export function authenticate(request, issuer, options) {
  return authResult(issuer.authenticateHttp(request.headers.get("authorization") ?? undefined, options));
}

/**
 * `authenticate`, with EdDSA/ES256 signatures checked by the host's crypto (several times
 * faster than wasm for those algorithms; HMAC is the same either way).
 * @returns {Promise<{ ok: true, payload: object, protectedHeader: object } | { ok: false, response: Response }>}
 */
export async function authenticateAsync(request, issuer, options) {
  return authResult(await issuer.authenticateHttpAsync(request.headers.get("authorization") ?? undefined, options));
}

function authResult(result) {
  return result.ok ? result : { ok: false, response: toResponse(result.response) };
}

/** A JSON `Response` with the RFC 6749 token answer (for a login handler). */
export function tokenResponse(tokens) {
  return new Response(JSON.stringify(tokens), {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" },
  });
}
