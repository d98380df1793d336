// `jwt-refresh/hono`: Hono middleware and route handlers. Hono is a peer: only its types are
// used here.
import type { Context, Handler, MiddlewareHandler } from "hono";
import type { ClockOptions, Issuer, JWTPayload, ProtectedHeader, ResourceServer } from "./jwt_refresh.js";

/** An issuer, or a function of the request's context that gives one (e.g. from `c.env`). */
export type IssuerSource<E extends object = any> =
  | Issuer
  | ((c: Context<E extends { Bindings: any } ? E : any>) => Issuer | Promise<Issuer>);

/** What the middleware sets: `c.get("auth")`, the verified token. */
export interface AuthVariables<P extends JWTPayload = JWTPayload> {
  auth: { payload: P; protectedHeader: ProtectedHeader };
}

/**
 * Authenticates protected routes (`Authorization: Bearer`, or `DPoP` with its proof): on
 * success `c.get("auth")` is the verified token, otherwise the 401 is answered, with the
 * expired signal only for `token_expired`.
 * @example
 * const app = new Hono<{ Variables: AuthVariables<{ sub: string; role: string }> }>();
 * app.use("/api/*", jwtRefresh(issuer));
 * app.get("/api/me", (c) => c.json({ sub: c.get("auth").payload.sub }));
 * // On an API that has only the Issuer's public keys: a ResourceServer, the same answers.
 * app.use("/api/*", jwtRefresh(new ResourceServer(KeySet.remote(jwksUrl), { issuer, audience: "api" })));
 */
export function jwtRefresh<P extends JWTPayload = JWTPayload>(
  issuer: IssuerSource | ResourceServer | ((c: Context) => ResourceServer | Promise<ResourceServer>),
  options?: ClockOptions,
): MiddlewareHandler<{ Variables: AuthVariables<P> }>;

/**
 * The refresh route (header or cookie mode, DPoP included), as `handleRefresh`.
 * @example
 * app.post("/auth/refresh", refreshHandler(issuer));
 */
export function refreshHandler(issuer: IssuerSource, options?: ClockOptions): Handler;

/**
 * The logout route, as `handleLogout`.
 * @example
 * app.post("/auth/logout", logoutHandler(issuer));
 */
export function logoutHandler(issuer: IssuerSource, options?: ClockOptions): Handler;
