// Hono middleware and route handlers over the package's fetch-style helpers (edge.js). Hono is
// not imported: the handlers take Hono's context, so the same code runs wherever Hono does
// (Workers, Node through @hono/node-server, Deno, Bun).
import { authenticateAsync, handleLogout, handleRefresh } from "./edge.js";

/** The issuer given, or the one a function of the context makes (e.g. from `c.env`). */
const issuerOf = (issuer, c) => (typeof issuer === "function" ? issuer(c) : issuer);

/**
 * Authenticates protected routes: `Authorization: Bearer` (or `DPoP` with its proof) checked
 * as `authenticateAsync` does; on success `c.get("auth")` is `{ payload, protectedHeader }`,
 * otherwise the 401 is answered (the expired signal only for `token_expired`).
 * @param {import("./jwt_refresh.js").Issuer | import("./jwt_refresh.js").ResourceServer | ((c: any) => any)} issuer
 *   the Issuer, or a ResourceServer on an API that has only its public keys
 * @param {{ currentDate?: Date }} [options]
 */
export function jwtRefresh(issuer, options) {
  return async (c, next) => {
    const auth = await authenticateAsync(c.req.raw, await issuerOf(issuer, c), options);
    if (!auth.ok) return auth.response;
    c.set("auth", { payload: auth.payload, protectedHeader: auth.protectedHeader });
    await next();
  };
}

/**
 * `POST` refresh route (header or cookie mode, DPoP included), as `handleRefresh`.
 * @param {import("./jwt_refresh.js").Issuer | ((c: any) => import("./jwt_refresh.js").Issuer | Promise<import("./jwt_refresh.js").Issuer>)} issuer
 */
export function refreshHandler(issuer, options) {
  return async (c) => handleRefresh(c.req.raw, await issuerOf(issuer, c), options);
}

/**
 * `POST` logout route, as `handleLogout`.
 * @param {import("./jwt_refresh.js").Issuer | ((c: any) => import("./jwt_refresh.js").Issuer | Promise<import("./jwt_refresh.js").Issuer>)} issuer
 */
export function logoutHandler(issuer, options) {
  return async (c) => handleLogout(c.req.raw, await issuerOf(issuer, c), options);
}
