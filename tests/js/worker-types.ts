// A Worker typed with @cloudflare/workers-types: the Durable Object store and the Issuer
// without casts.
import { DurableObjectStore, Issuer, Key, handleRefresh } from "jwt-refresh";
import { SessionStoreObject } from "jwt-refresh/durable-object";

interface Env {
  SESSIONS: DurableObjectNamespace<SessionStoreObject>;
  SIGNING_JWK: string;
  REFRESH_JWK: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const issuer = new Issuer(Key.fromJwk(JSON.parse(env.SIGNING_JWK)), Key.fromJwk(JSON.parse(env.REFRESH_JWK)), {
      issuer: "https://auth.example",
      store: new DurableObjectStore(env.SESSIONS),
    });
    return handleRefresh(request, issuer);
  },
} satisfies ExportedHandler<Env>;
