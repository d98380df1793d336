// The network side of a remote JWKS (remote_jwks.rs decides when): the URL checked, one
// fetch with a timeout that covers the body, the body read up to a limit, and the Workers
// Cache API (or any object with its match/put) as a cache shared by isolates.
import { describe, jwtRefreshError } from "./webcrypto.js";

const FRESH_UNTIL = "x-jwt-refresh-fresh-until";

/** The URL as `new URL` reads it: https, or http to this machine only (a JWKS over plain
 *  HTTP elsewhere could be swapped on the way for an attacker's keys). */
export function checkJwksUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw jwtRefreshError("invalid_options", `the JWKS URL ${JSON.stringify(String(url))} is not a URL`);
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
    throw jwtRefreshError("invalid_options", `the JWKS URL must be https (http only to localhost), not ${parsed.href}`);
  }
  return parsed.href;
}

/**
 * Fetches the JWKS: from `shared` first when given (a copy another isolate stored), else from
 * the network. Resolves to `{ status, cacheControl, body, sharedFreshUntil }`, the body cut at
 * `maxBytes + 1` bytes (more means too large); rejects with jwks_fetch_failed.
 */
export async function fetchJwks(url, timeoutMs, maxBytes, shared, customFetch, now) {
  if (shared) {
    const hit = await Promise.resolve()
      .then(() => shared.match(url))
      .catch(() => undefined);
    const freshUntil = Number(hit?.headers?.get(FRESH_UNTIL));
    if (hit && freshUntil > now) {
      const body = await readCapped(hit, maxBytes).catch(() => undefined);
      if (body !== undefined) return { status: hit.status, cacheControl: null, body, sharedFreshUntil: freshUntil };
    }
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await (customFetch ?? fetch)(url, {
      signal: controller.signal,
      headers: { accept: "application/jwk-set+json, application/json" },
    });
    const body = await readCapped(response, maxBytes);
    return { status: response.status, cacheControl: response.headers.get("cache-control"), body, sharedFreshUntil: undefined };
  } catch (error) {
    const why = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describe(error);
    throw jwtRefreshError("jwks_fetch_failed", `fetching the JWKS from ${url} failed: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Stores a fetched JWKS in `shared` for other isolates, until `freshUntil`. Best effort. */
export function shareJwks(shared, url, body, freshUntil, now) {
  const seconds = Math.max(1, Math.floor((freshUntil - now) / 1000));
  const headers = { "content-type": "application/json", "cache-control": `max-age=${seconds}`, [FRESH_UNTIL]: String(freshUntil) };
  return Promise.resolve()
    .then(() => shared.put(url, new Response(body, { headers })))
    .catch(() => undefined);
}

/** The body as text, at most `maxBytes + 1` bytes of it. */
async function readCapped(response, maxBytes) {
  const reader = response.body?.getReader();
  const chunks = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, maxBytes + 1));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder().decode(bytes);
}
