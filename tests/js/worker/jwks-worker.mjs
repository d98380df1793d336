// A Worker that verifies a provider's tokens with KeySet.remote, for remote_jwks_workerd.
// `?set=long`: one key set for the isolate (as an app keeps it); `?set=shared`: a new key set
// per request over the Cache API (what a fresh isolate sees); `?set=fresh`: a new one, no cache.
import { KeySet } from "../../../pkg/workerd.js";

let longLived;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
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
