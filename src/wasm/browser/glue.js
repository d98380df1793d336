// Browser APIs the Rust AuthClient drives: promise-shaped wrappers, no policy here.

import { base64url, generateKeyPair } from "../webcrypto.js";

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, 2 ** 31 - 1))));
}

export function startTimer(ms, callback) {
  return setTimeout(callback, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
}

export function stopTimer(id) {
  clearTimeout(id);
}

export function randomUnit() {
  return Math.random();
}

// An unguessable id (a tab's, a DPoP proof's jti): 16 random bytes, base64url.
export function randomId() {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

// --- The app's listeners: `[event, listener]` pairs. The function `addListener` returns
// removes its pair, and does nothing when called again (as a framework's cleanup may).
export function addListener(listeners, event, listener) {
  const entry = [event, listener];
  listeners.push(entry);
  return () => {
    const at = listeners.indexOf(entry);
    if (at >= 0) listeners.splice(at, 1);
  };
}

// A listener that throws does not keep the others from hearing the event, and its error is
// not lost: reported as the host reports an uncaught one (`reportError`: the page's "error"
// event and the console), else logged (Node has no `reportError`).
export function notifyListeners(listeners, event, detail) {
  for (const [name, listener] of [...listeners]) {
    if (name !== event) continue;
    try {
      listener(detail);
    } catch (error) {
      if (typeof globalThis.reportError === "function") globalThis.reportError(error);
      else console.error(error);
    }
  }
}

// --- Cross-tab lock: Web Locks, else a localStorage lock. Resolves to a function that
// releases it, or to null once `timeoutMs` has passed without it (the caller then goes on
// without the lock: a second refresh is answered by the server's grace window).
export function acquireLock(name, timeoutMs) {
  const locks = globalThis.navigator?.locks;
  if (!locks?.request) return acquireStorageLock(name, timeoutMs);
  return new Promise((resolve) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    locks
      .request(name, { signal: controller.signal }, () => {
        clearTimeout(timer);
        // Held until the returned promise settles: until the caller releases.
        return new Promise((release) => resolve(release));
      })
      .catch(() => {
        clearTimeout(timer);
        resolve(null);
      });
  });
}

async function acquireStorageLock(name, timeoutMs) {
  let storage;
  try {
    storage = globalThis.localStorage;
  } catch {
    storage = undefined;
  }
  if (!storage) return null;
  const me = `${Date.now()}-${Math.random()}`;
  const read = () => {
    try {
      return JSON.parse(storage.getItem(name) ?? "null");
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const holder = read();
    if (!holder || holder.expires < Date.now()) {
      try {
        storage.setItem(name, JSON.stringify({ owner: me, expires: Date.now() + timeoutMs }));
      } catch {
        return null;
      }
      // Another tab may have written at the same moment: the last writer owns it.
      await sleep(30);
      if (read()?.owner === me) {
        return () => {
          if (read()?.owner === me) storage.removeItem(name);
        };
      }
    }
    await sleep(20 + Math.random() * 40);
  }
  return null;
}

// --- A cookie-mode logout the server has not confirmed: in localStorage, so that every tab
// and the next page load see it (where there is none, nothing is noted).
export function setLogoutPending(key, pending) {
  try {
    if (pending) globalThis.localStorage.setItem(key, "1");
    else globalThis.localStorage.removeItem(key);
  } catch {}
}

export function logoutPending(key) {
  try {
    return globalThis.localStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

// --- Cookie mode's session hint: the one cookie of the session a script can see.
export function hasCookie(name) {
  try {
    return globalThis.document.cookie.split(";").some((pair) => pair.trim().split("=")[0] === name);
  } catch {
    return false;
  }
}

export function isSameOrigin(url) {
  try {
    return new URL(url, globalThis.location.href).origin === globalThis.location.origin;
  } catch {
    return false;
  }
}

// --- HTTP: a POST with a timeout, answered as plain fields; it never rejects.
export async function post(fetchFn, url, authorization, dpop, contentType, body, timeoutMs, withCookies, keepalive) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const headers = { "content-type": contentType };
    if (authorization) headers.authorization = authorization;
    if (dpop) headers.dpop = dpop;
    // Cookie mode sends the session cookies, also to a refresh URL on another origin.
    const credentials = withCookies ? "include" : "same-origin";
    const init = { method: "POST", headers, body, credentials, signal: controller.signal };
    // Same origin only: some Chromium builds refuse keepalive with a CORS preflight.
    if (keepalive && isSameOrigin(url)) init.keepalive = true;
    const response = await fetchFn(url, init);
    const header = (name) => response.headers?.get?.(name) ?? null;
    const retryAfter = Number.parseFloat(header("retry-after") ?? "");
    let text = null;
    try {
      text = await response.text();
    } catch {
      text = null;
    }
    return {
      status: Number(response.status) || 0,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : null,
      contentType: header("content-type"),
      body: text,
      error: null,
      dpopNonce: header("dpop-nonce"),
    };
  } catch (e) {
    const error = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : String(e?.message ?? e);
    return { status: 0, retryAfter: null, contentType: null, body: null, error, dpopNonce: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Names and values (name, value, name, value...) as `application/x-www-form-urlencoded` text. */
export function formBody(namesAndValues) {
  const form = new URLSearchParams();
  for (let i = 0; i + 1 < namesAndValues.length; i += 2) form.append(namesAndValues[i], namesAndValues[i + 1]);
  return form.toString();
}

// --- API requests through the client: the Request, its origin, and a send with the token.
export function prepareRequest(input, init) {
  const request = new Request(input, init);
  return { request, origin: new URL(request.url).origin, url: request.url, method: request.method };
}

export function originOf(url) {
  return new URL(url, globalThis.location?.href).origin;
}

// The URL a request to `url` goes to (a DPoP proof names it); as given outside a page.
export function absoluteUrl(url) {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return url;
  }
}

export async function sendRequest(fetchFn, request, authorization, dpop) {
  const copy = request.clone();
  if (authorization) copy.headers.set("authorization", authorization);
  if (dpop) copy.headers.set("dpop", dpop);
  return fetchFn(copy);
}

export function headerOf(response, name) {
  return response?.headers?.get?.(name) ?? null;
}

// --- DPoP: the origin's proof key, made by WebCrypto with its private half not extractable,
// kept in IndexedDB (a CryptoKey is stored as a structured clone, still not extractable), so
// every tab of the origin and a reload use the same key. Where there is no IndexedDB, the key
// lives in this page's memory.
const PROOF_ALGORITHMS = {
  ES256: { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" } },
};
const memoryKeys = new Map();

async function makeProofKey(alg) {
  const { privateKey, publicKey } = await generateKeyPair(PROOF_ALGORITHMS[alg].generate, false);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
  return { alg, privateKey, jwk: y === undefined ? { kty, crv, x } : { kty, crv, x, y } };
}

function keyRequest(db, mode, operate) {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction("tokens", mode);
    const request = operate(transaction.objectStore("tokens"));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onabort = () => reject(transaction.error ?? request.error);
  });
}

// Resolves to { alg, privateKey, jwk }: the stored key, or a new one that no other tab stored
// first (`add` never overwrites: a tab that loses the race reads the winner's key).
export async function proofKey(databaseName, alg) {
  let db;
  try {
    db = await idbOpen(databaseName);
  } catch {
    // One promise per database: concurrent first proofs share one key.
    if (!memoryKeys.has(databaseName)) {
      const made = makeProofKey(alg);
      memoryKeys.set(databaseName, made);
      made.catch(() => memoryKeys.delete(databaseName));
    }
    return memoryKeys.get(databaseName);
  }
  try {
    const stored = await keyRequest(db, "readonly", (store) => store.get("key"));
    if (stored?.privateKey) return stored;
    const made = await makeProofKey(alg);
    await keyRequest(db, "readwrite", (store) => store.add(made, "key")).catch((e) => {
      if (e?.name !== "ConstraintError") throw e;
    });
    return await keyRequest(db, "readonly", (store) => store.get("key"));
  } finally {
    db.close();
  }
}

export async function signProof(key, input) {
  const signature = await crypto.subtle.sign(PROOF_ALGORITHMS[key.alg].sign, key.privateKey, new TextEncoder().encode(input));
  return new Uint8Array(signature);
}

export async function discardProofKey(databaseName) {
  memoryKeys.delete(databaseName);
  let db;
  try {
    db = await idbOpen(databaseName);
  } catch {
    return;
  }
  try {
    await keyRequest(db, "readwrite", (store) => store.delete("key"));
  } finally {
    db.close();
  }
}

// --- Messages between tabs: BroadcastChannel, else storage events on a message key.
export function openChannel(name, onMessage) {
  if (typeof BroadcastChannel === "function") {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event) => onMessage(event.data);
    return { post: (m) => channel.postMessage(m), close: () => channel.close(), persists: false };
  }
  const key = `${name}:message`;
  const listener = (event) => {
    if (event.key === key && event.newValue) {
      try {
        onMessage(JSON.parse(event.newValue).message);
      } catch {
        // not ours
      }
    }
  };
  globalThis.addEventListener?.("storage", listener);
  return {
    post: (m) => {
      try {
        globalThis.localStorage?.setItem(key, JSON.stringify({ message: m, nonce: Math.random() }));
      } catch {
        // no storage: this tab cannot tell the others
      }
    },
    close: () => globalThis.removeEventListener?.("storage", listener),
    // Messages pass through localStorage here: they must carry no tokens.
    persists: true,
  };
}

// --- IndexedDB as a promise-shaped key/value store (one object store, "tokens").
export function idbOpen(databaseName) {
  return new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) {
      reject(Object.assign(new Error("IndexedDB is not available"), { name: "NotSupportedError" }));
      return;
    }
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("tokens");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(Object.assign(new Error("IndexedDB is blocked"), { name: "InvalidStateError" }));
  });
}

function idbRequest(db, mode, operate) {
  return new Promise((resolve, reject) => {
    let transaction;
    try {
      transaction = db.transaction("tokens", mode);
    } catch (e) {
      reject(e);
      return;
    }
    const request = operate(transaction.objectStore("tokens"));
    let result;
    request.onsuccess = () => {
      result = request.result;
    };
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error ?? request.error);
    transaction.onabort = () => reject(transaction.error ?? request.error);
  });
}

// --- Token storages: memory, localStorage or sessionStorage, IndexedDB, or the app's own
// object with async get/set/remove, all behind one promise-shaped { get, set, remove, shared }.
// A failure rejects with { code, message }: a full quota is storage_quota_exceeded, anything
// else storage_unavailable; a bad `storage` option is invalid_options.
function storageFailure(thrown, what) {
  const name = typeof thrown?.name === "string" ? thrown.name : "";
  const message = typeof thrown?.message === "string" ? thrown.message : String(thrown);
  // Firefox has used NS_ERROR_DOM_QUOTA_REACHED; code 22 is the legacy QUOTA_EXCEEDED_ERR.
  return name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED" || thrown?.code === 22
    ? { code: "storage_quota_exceeded", message: `${what}: storage is full (${message})` }
    : { code: "storage_unavailable", message: `${what}: ${name} ${message}` };
}

// `operations` maps get/set/remove to [what a failure names, the call]; the calls may be sync.
function tokenStorage(shared, operations) {
  const storage = { shared };
  for (const [method, [what, call]] of Object.entries(operations)) {
    storage[method] = async (...args) => {
      let value;
      try {
        value = await call(...args);
      } catch (e) {
        throw storageFailure(e, what);
      }
      if (method !== "get" || value == null) return null;
      if (typeof value !== "string") throw { code: "storage_unavailable", message: "the storage returned a non-string value" };
      return value;
    };
  }
  return storage;
}

export function storageCall(storage, method, key, value) {
  return value === undefined ? storage[method](key) : storage[method](key, value);
}

export async function openStorage(spec, namespace) {
  if (spec == null || spec === "memory") {
    const values = new Map();
    return tokenStorage(false, {
      get: ["memory", (key) => values.get(key)],
      set: ["memory", (key, value) => void values.set(key, value)],
      remove: ["memory", (key) => void values.delete(key)],
    });
  }
  if (spec === "localStorage" || spec === "sessionStorage") {
    let web;
    try {
      // Reading the property itself throws in some sandboxed contexts.
      web = globalThis[spec];
    } catch (e) {
      throw storageFailure(e, spec);
    }
    if (web == null) throw { code: "storage_unavailable", message: `${spec} is not available here` };
    return tokenStorage(true, {
      get: ["getItem", (key) => web.getItem(key)],
      set: ["setItem", (key, value) => web.setItem(key, value)],
      remove: ["removeItem", (key) => web.removeItem(key)],
    });
  }
  if (spec === "indexedDB") {
    let db;
    try {
      db = await idbOpen(`${namespace}-tokens`);
    } catch (e) {
      throw storageFailure(e, "indexedDB");
    }
    return tokenStorage(true, {
      get: ["indexedDB get", (key) => idbRequest(db, "readonly", (store) => store.get(key)).then((v) => (typeof v === "string" ? v : null))],
      set: ["indexedDB set", (key, value) => idbRequest(db, "readwrite", (store) => store.put(value, key))],
      remove: ["indexedDB remove", (key) => idbRequest(db, "readwrite", (store) => store.delete(key))],
    });
  }
  if (typeof spec === "string") {
    throw { code: "invalid_options", message: `unknown storage "${spec}": use memory, localStorage, sessionStorage, indexedDB or an object` };
  }
  const methods = ["get", "set", "remove"];
  let complete;
  try {
    complete = methods.every((method) => typeof spec?.[method] === "function");
  } catch (e) {
    throw { code: "invalid_options", message: `reading the storage option threw: ${e?.message ?? e}` };
  }
  if (!complete) throw { code: "invalid_options", message: "a custom storage needs async get, set and remove methods" };
  return tokenStorage(true, Object.fromEntries(methods.map((method) => [method, [method, (...args) => spec[method](...args)]])));
}
