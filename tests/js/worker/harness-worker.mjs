// The load harness's Worker (harness/run.mjs): the harness's commands against an Issuer per
// store, Durable Objects, D1 and KV, in workerd. Each request is one command.
import { D1Store, DurableObjectStore, Issuer, Key, KvStore } from "../../../pkg/workerd.js";
import { HARNESS_ISSUER, command } from "../harness/commands.mjs";
export { SessionStoreObject } from "../../../pkg/durable-object.js";

const issuers = new Map();

function issuerFor(env, name) {
  if (!issuers.has(name)) {
    const stores = {
      do: () => new DurableObjectStore(env.SESSIONS_DO),
      d1: () => new D1Store(env.SESSIONS_D1),
      kv: () => new KvStore(env.SESSIONS_KV),
    };
    const keys = JSON.parse(env.KEYS);
    issuers.set(name, new Issuer(Key.fromJwk(keys.signing), Key.fromJwk(keys.refresh), { ...HARNESS_ISSUER, store: stores[name]() }));
  }
  return issuers.get(name);
}

export default {
  async fetch(request, env) {
    const message = await request.json();
    try {
      return Response.json(await command(issuerFor(env, message.store), message));
    } catch (e) {
      return Response.json({ crashed: String(e) }, { status: 500 });
    }
  },
};
