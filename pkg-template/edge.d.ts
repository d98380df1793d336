import type { ClockOptions, Issuer, JWTPayload, ProtectedHeader, ResourceServer, TokenResponse } from "./jwt_refresh.js";

/**
 * Answers `POST /auth/refresh`: RFC 6749 token response, or `400 invalid_grant` with our code.
 * Header mode reads the expired access token from `Authorization` and the refresh token from
 * the body; cookie mode (the Issuer's `cookies` option) reads both cookies after the CSRF
 * checks (`403 csrf_rejected`) and sets the new pair as cookies.
 * @example
 * if (url.pathname === "/auth/refresh") return handleRefresh(request, issuer);
 */
export function handleRefresh(request: Request, issuer: Issuer, options?: ClockOptions): Promise<Response>;

/**
 * Answers `POST /auth/logout`: revokes the session of the refresh token sent (cookie mode: its
 * cookie, after the CSRF checks; header mode: `{"refresh_token": "…"}`), answers 204 and clears
 * the cookies. Idempotent.
 * @example
 * if (url.pathname === "/auth/logout") return handleLogout(request, issuer);
 */
export function handleLogout(request: Request, issuer: Issuer, options?: ClockOptions): Promise<Response>;

/**
 * Checks `Authorization: Bearer` on a protected request, synchronously: for an issuer whose
 * signing key is HMAC (with an asymmetric key it throws `async_required`: use
 * `authenticateAsync`).
 * @example
 * const auth = authenticate(request, issuer);
 * if (!auth.ok) return auth.response; // 401, with the expired signal only for token_expired
 */
export function authenticate(
  request: Request,
  issuer: Issuer,
  options?: ClockOptions,
): { ok: true; payload: JWTPayload; protectedHeader: ProtectedHeader } | { ok: false; response: Response };

/**
 * Checks `Authorization: Bearer` (or `DPoP`) on a protected request, for every signing key:
 * asymmetric signatures are checked by the host's crypto, a DPoP proof and a bound token's key
 * too (the `dpop` option). `issuer` is the Issuer, or on an API that only has its public keys
 * a `ResourceServer`: the answers are the same.
 * @example
 * const auth = await authenticateAsync(request, issuer);
 * if (!auth.ok) return auth.response;
 */
export function authenticateAsync(
  request: Request,
  issuer: Issuer | ResourceServer,
  options?: ClockOptions,
): Promise<{ ok: true; payload: JWTPayload; protectedHeader: ProtectedHeader } | { ok: false; response: Response }>;

/**
 * A request's DPoP proof and what it was for: `issuer.startSession(sub, claims, { dpop: dpopOf(request) })`
 * binds the session to the proof's key (the Issuer's `dpop` option).
 * @example
 * return tokenResponse(await issuer.startSession(user.id, {}, { dpop: dpopOf(request) }), issuer);
 */
export function dpopOf(request: Request): { proof: string | undefined; method: string; url: string };

/**
 * The answer to a login whose DPoP proof `startSession` refused (`invalid_dpop_proof`, or
 * `use_dpop_nonce` when nonces are on): 401 with `WWW-Authenticate: DPoP error="…"` and the
 * current `DPoP-Nonce`. The AuthClient's `fetch` then tries once more, with the nonce. Any other
 * error is thrown again.
 * @example
 * try {
 *   return tokenResponse(await issuer.startSession(user.id, {}, { dpop: dpopOf(request) }), issuer);
 * } catch (error) {
 *   return dpopChallenge(error, issuer);
 * }
 */
export function dpopChallenge(error: unknown, issuer: Issuer): Response;

/**
 * The login answer for `startSession`'s tokens. Pass the issuer: in cookie mode the tokens are
 * set as cookies and the body carries no refresh token.
 * @example
 * return tokenResponse(await issuer.startSession(user.id), issuer);
 */
export function tokenResponse(tokens: TokenResponse, issuer?: Issuer): Response;
