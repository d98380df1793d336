// A Worker built on the package, as an app would write it, for the end-to-end tests.
// The store is chosen per request (?store=memory|kv|d1|do); `x-test-now` (Unix seconds)
// moves this fixture's clock so that expiry is tested without sleeping.
import {
  Issuer,
  Key,
  MemoryStore,
  KvStore,
  D1Store,
  DurableObjectStore,
  handleRefresh,
  authenticate,
  authenticateAsync,
  tokenResponse,
  dpopOf,
} from "../../../pkg/workerd.js";
export { SessionStoreObject } from "../../../pkg/durable-object.js";

const issuers = new Map();

function issuerFor(env, name) {
  if (!issuers.has(name)) {
    const stores = {
      memory: () => new MemoryStore(),
      kv: () => new KvStore(env.SESSIONS_KV),
      d1: () => new D1Store(env.SESSIONS_D1),
      do: () => new DurableObjectStore(env.SESSIONS_DO),
    };
    if (!stores[name]) throw new Error(`unknown store ${name}`);
    const issuer = new Issuer(Key.fromJwk(JSON.parse(env.SIGNING_JWK)), Key.fromJwk(JSON.parse(env.REFRESH_JWK)), {
      issuer: "https://auth.test",
      audience: "api",
      accessTtl: env.ACCESS_TTL ?? "1m",
      refreshTtl: "1h",
      sessionLifetime: "1d",
      idleTimeout: "2h",
      gracePeriod: "10s",
      store: stores[name](),
      signatureCache: 100,
      dpop: true, // a login with a DPoP proof binds its session
    });
    issuers.set(name, issuer);
  }
  return issuers.get(name);
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const issuer = issuerFor(env, url.searchParams.get("store") ?? "memory");
    const now = request.headers.get("x-test-now");
    const clock = now ? { currentDate: new Date(Number(now) * 1000) } : undefined;
    switch (url.pathname) {
      case "/auth/login": {
        // A real app checks credentials here; the fixture trusts the posted user name.
        const { user } = await request.json();
        const bound = request.headers.has("dpop") ? { dpop: dpopOf(request) } : {};
        return tokenResponse(await issuer.startSession(user, { role: "reader" }, { ...clock, ...bound }));
      }
      case "/auth/refresh":
        return handleRefresh(request, issuer, clock);
      case "/auth/logout": {
        const { refresh_token } = await request.json();
        await issuer.revokeByRefreshToken(refresh_token, clock);
        return new Response(null, { status: 204 });
      }
      case "/api/me": {
        const auth = await authenticateAsync(request, issuer, clock);
        if (!auth.ok) return auth.response;
        return json({ sub: auth.payload.sub, role: auth.payload.role, sid: auth.payload.sid });
      }
      case "/api/me-sync": {
        // The synchronous form takes HMAC keys only: with this EdDSA key it throws.
        try {
          authenticate(request, issuer, clock);
          return json({ error: "accepted" }, 500);
        } catch (e) {
          return json({ error: e.code, message: e.message }, 500);
        }
      }
      case "/.well-known/jwks.json":
        return json(issuer.jwks());
      default:
        return json({ error: "not_found" }, 404);
    }
  },
};
