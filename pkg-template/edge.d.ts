import type { ClockOptions, Issuer, JWTPayload, ProtectedHeader, TokenResponse } from "./jwt_refresh.js";

/**
 * Answers `POST /auth/refresh`: RFC 6749 token response, or `400 invalid_grant` with our code.
 * @example
 * if (url.pathname === "/auth/refresh") return handleRefresh(request, issuer);
 */
export function handleRefresh(request: Request, issuer: Issuer, options?: ClockOptions): Promise<Response>;

/**
 * Checks `Authorization: Bearer` on a protected request.
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
 * `authenticate`, with EdDSA/ES256 signatures checked by the host's crypto (faster).
 * @example
 * const auth = await authenticateAsync(request, issuer);
 * if (!auth.ok) return auth.response;
 */
export function authenticateAsync(
  request: Request,
  issuer: Issuer,
  options?: ClockOptions,
): Promise<{ ok: true; payload: JWTPayload; protectedHeader: ProtectedHeader } | { ok: false; response: Response }>;

/** A JSON `Response` carrying a token response (for a login handler). */
export function tokenResponse(tokens: TokenResponse): Response;
