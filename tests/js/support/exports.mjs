// Every export and method of both entries, with a live instance of each class, for the tests
// that call all of them with odd arguments (argument_types, hostile_values).
import { Key, KeySet, MemoryStore, ResourceServer } from "../../../pkg/node.js";
import { AuthClient } from "../../../pkg/client-node.js";

const SKIP = new Set(["constructor", "free", "close", "length", "name", "prototype", "__wrap", "__destroy_into_raw", "initSync", "default"]);

/**
 * `[label, target, method]` for every callable of the package, `key` and `issuer` among the
 * instances; `close()` ends the AuthClient made for it (its fetch always fails).
 */
export async function everyMethod(key, issuer) {
  const client = await AuthClient.create({
    refreshUrl: "http://127.0.0.1:9/refresh",
    fetch: async () => {
      throw new TypeError("offline");
    },
    maxRefreshAttempts: 1,
  });
  const keySet = new KeySet();
  keySet.add(key);
  const targets = {
    Key, KeySet, key, keySet, signer: key.signer(), verifier: key.verifier({ cache: 4 }), issuer,
    accessVerifier: issuer.accessVerifier(), store: new MemoryStore(), client,
    resourceServer: new ResourceServer(keySet, { issuer: "https://auth.example" }),
    main: await import("../../../pkg/node.js"), clientEntry: await import("../../../pkg/client-node.js"),
  };
  const methods = [];
  for (const [owner, target] of Object.entries(targets)) {
    const proto = typeof target === "object" ? Object.getPrototypeOf(target) : null;
    const names = new Set([...Object.getOwnPropertyNames(target), ...(proto ? Object.getOwnPropertyNames(proto) : [])]);
    for (const name of names) {
      // Classes reached through an entry are listed on their own; instances keep their methods.
      const isClass = /^[A-Z]/.test(name) && typeof target === "object" && !("__wbg_ptr" in target);
      const method = SKIP.has(name) || isClass ? undefined : target[name];
      if (typeof method === "function") methods.push([`${owner}.${name}`, target, method]);
    }
  }
  return { methods, close: () => client.close() };
}

