// The demo's edge: a Cloudflare Worker built on jwt-refresh, in cookie mode: the refresh token
// (and a copy of the access token for the refresh request) live in HttpOnly cookies on /auth,
// so no page script can read the refresh token and a reload stays signed in. Sessions live in
// a Durable Object (strongly consistent; Miniflare runs one locally, so the demo needs nothing
// else). Deploy it with wrangler (see www/wrangler.toml); static files are served as assets.
import {
  Issuer,
  Key,
  DurableObjectStore,
  decodeUnverified,
  handleRefresh,
  handleLogout,
  authenticateAsync,
  tokenResponse,
} from "../pkg/workerd.js"; // an app writes: from "jwt-refresh"
export { SessionStoreObject } from "../pkg/durable-object.js"; // "jwt-refresh/durable-object"

let issuer;

/** One Issuer per isolate. Keys come from secrets; the demo generates them if absent. */
async function issuerFor(env) {
  if (!issuer) {
    const signingKey = env.SIGNING_JWK ? Key.fromJwk(JSON.parse(env.SIGNING_JWK)) : await Key.generateAsync("EdDSA");
    const refreshKey = env.REFRESH_JWK ? Key.fromJwk(JSON.parse(env.REFRESH_JWK)) : Key.generate("HS256");
    // Another request of this isolate may have made it while the key was generated.
    issuer ??= new Issuer(signingKey, refreshKey, {
      issuer: "jwt-refresh-demo",
      audience: "demo-api",
      accessTtl: env.ACCESS_TTL ?? "20s", // short, so that refreshes are visible
      refreshTtl: env.REFRESH_TTL ?? "1h",
      sessionLifetime: "8h",
      idleTimeout: "30m",
      gracePeriod: env.GRACE_PERIOD ?? "10s",
      store: new DurableObjectStore(env.SESSIONS),
      signatureCache: 1000, // each access token's signature is checked once per isolate
      cookies: { path: "/auth" }, // HttpOnly; Secure; SameSite=Strict; __Secure- names
    });
  }
  return issuer;
}

/** Demo only: the attacker's copy of a refresh cookie (see /auth/demo/steal). */
let attackerCopy = null;

function cookieNamed(request, name) {
  const pair = (request.headers.get("cookie") ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(`${name}=`));
  return pair?.slice(name.length + 1) || null;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const issuer = await issuerFor(env);
    switch (`${request.method} ${url.pathname}`) {
      case "POST /auth/login": {
        // Your credential check goes here. The demo accepts any name with password "demo".
        const { username, password } = await request.json().catch(() => ({}));
        if (typeof username !== "string" || !/^[\w.-]{1,40}$/.test(username) || password !== "demo") {
          return json({ error: "invalid_credentials" }, 401);
        }
        // The cookies carry the refresh token; the body only the access token and expiries.
        return tokenResponse(await issuer.startSession(username, { role: username === "admin" ? "admin" : "reader" }), issuer);
      }
      case "POST /auth/refresh":
        return handleRefresh(request, issuer);
      case "POST /auth/logout":
        return handleLogout(request, issuer);
      case "GET /auth/cookies": {
        // For the demo page, which cannot read HttpOnly cookies: which ones the browser sent
        // here (under /auth), shortened, their decoded header and claims (no signature: not a
        // usable token), and the attributes they were set with.
        const sent = (request.headers.get("cookie") ?? "").split(";").map((c) => c.trim()).filter(Boolean);
        const decoded = (value) => {
          try {
            const { protectedHeader, payload } = decodeUnverified(value);
            return { header: protectedHeader, claims: payload };
          } catch {
            return null;
          }
        };
        return json({
          attributes: "Path=/auth; HttpOnly; Secure; SameSite=Strict; Max-Age = the refresh token's lifetime",
          cookies: sent.map((c) => {
            const [name, value = ""] = c.split("=");
            return { name, value: value.length > 24 ? `${value.slice(0, 12)}…${value.slice(-8)}` : value, bytes: value.length, decoded: decoded(value) };
          }),
        });
      }
      case "POST /auth/demo/steal": {
        // Demo only: an attacker who got hold of the refresh cookie by some other means
        // (malware, a proxy log). The copy stays here; the page never sees it.
        const stolen = cookieNamed(request, "__Secure-refresh_token");
        if (stolen) attackerCopy = { cookie: request.headers.get("cookie"), at: Date.now() };
        return json({ stolen: Boolean(stolen) });
      }
      case "POST /auth/demo/replay": {
        // Demo only: the attacker presents the copy, as a request from their own machine would.
        if (!attackerCopy) return json({ error: "nothing stolen" }, 400);
        const replay = new Request(request.url.replace("/demo/replay", "/refresh"), {
          method: "POST",
          headers: { "content-type": "application/json", cookie: attackerCopy.cookie },
          body: "{}",
        });
        const answer = await handleRefresh(replay, issuer);
        const body = await answer.json();
        // What the attacker's response would set lands in the attacker's jar, not this browser's.
        return json({ status: answer.status, error_description: body.error_description ?? null, got_tokens: answer.ok });
      }
      case "GET /api/me": {
        // The host's crypto checks the EdDSA signature (asymmetric keys: the async form).
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
