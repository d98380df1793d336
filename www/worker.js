// The demo's edge: a Cloudflare Worker built on jwt-refresh. Sessions live in a Durable
// Object (strongly consistent; Miniflare runs one locally, so the demo needs nothing else).
// Deploy it with wrangler (see www/wrangler.toml); static files are served as assets.
import {
  Issuer,
  Key,
  DurableObjectStore,
  handleRefresh,
  authenticateAsync,
  tokenResponse,
} from "../pkg/workerd.js"; // an app writes: from "jwt-refresh"
export { SessionStoreObject } from "../pkg/durable-object.js"; // "jwt-refresh/durable-object"

let issuer;

/** One Issuer per isolate. Keys come from secrets; the demo generates them if absent. */
function issuerFor(env) {
  if (!issuer) {
    const signingKey = env.SIGNING_JWK ? Key.fromJwk(JSON.parse(env.SIGNING_JWK)) : Key.generate("EdDSA");
    const refreshKey = env.REFRESH_JWK ? Key.fromJwk(JSON.parse(env.REFRESH_JWK)) : Key.generate("HS256");
    issuer = new Issuer(signingKey, refreshKey, {
      issuer: "jwt-refresh-demo",
      audience: "demo-api",
      accessTtl: env.ACCESS_TTL ?? "20s", // short, so that refreshes are visible
      refreshTtl: "1h",
      sessionLifetime: "8h",
      idleTimeout: "30m",
      gracePeriod: "10s",
      store: new DurableObjectStore(env.SESSIONS),
      signatureCache: 1000, // each access token's signature is checked once per isolate
    });
  }
  return issuer;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const issuer = issuerFor(env);
    switch (`${request.method} ${url.pathname}`) {
      case "POST /auth/login": {
        // Your credential check goes here. The demo accepts any name with password "demo".
        const { username, password } = await request.json().catch(() => ({}));
        if (typeof username !== "string" || !/^[\w.-]{1,40}$/.test(username) || password !== "demo") {
          return json({ error: "invalid_credentials" }, 401);
        }
        return tokenResponse(await issuer.startSession(username, { role: username === "admin" ? "admin" : "reader" }));
      }
      case "POST /auth/refresh":
        return handleRefresh(request, issuer);
      case "POST /auth/logout": {
        const { refresh_token } = await request.json().catch(() => ({}));
        if (typeof refresh_token === "string") await issuer.revokeByRefreshToken(refresh_token);
        return new Response(null, { status: 204 });
      }
      case "GET /api/me": {
        // The host's crypto checks the EdDSA signature (authenticate() does it in wasm).
        const auth = await authenticateAsync(request, issuer);
        if (!auth.ok) return auth.response;
        const { sub, sid, role, exp } = auth.payload;
        return json({ sub, sid, role, exp, servedAt: Math.floor(Date.now() / 1000) });
      }
      case "GET /.well-known/jwks.json":
        return json(issuer.jwks());
      default:
        return json({ error: "not_found" }, 404);
    }
  },
};
