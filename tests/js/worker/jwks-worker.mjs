// A Worker that verifies a provider's tokens with KeySet.remote, for remote_jwks_workerd.
// `?set=long`: one key set for the isolate (as an app keeps it); `?set=shared`: a new key set
// per request over the Cache API (what a fresh isolate sees); `?set=fresh`: a new one, no cache.
// `/api`: a ResourceServer over the same JWKS, answering as an Issuer's API would.
import { KeySet, ResourceServer, authenticateAsync } from "../../../pkg/workerd.js";

let longLived;
let api;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/api") {
      api ??= new ResourceServer(KeySet.remote(env.JWKS_URL), { issuer: "https://auth.example", audience: "api" });
      // `?later=s`: checked as if s seconds had passed.
      const later = Number(url.searchParams.get("later") ?? 0);
      const auth = await authenticateAsync(request, api, { currentDate: new Date(Date.now() + later * 1000) });
      return auth.ok ? Response.json({ sub: auth.payload.sub }) : auth.response;
    }
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    const set = url.searchParams.get("set");
    const jwks =
      set === "long"
        ? (longLived ??= KeySet.remote(env.JWKS_URL, { cooldown: 0.2 }))
        : KeySet.remote(env.JWKS_URL, set === "shared" ? { cache: caches.default } : {});
    try {
      const { payload } = await jwks.verifyAsync(token, { algorithms: ["RS256", "ES256"] });
      return Response.json({ sub: payload.sub });
    } catch (e) {
      return Response.json({ error: e.code, message: e.message }, { status: 401 });
    }
  },
};
