// Browser APIs the Rust AuthClient drives: promise-shaped wrappers, no policy here.

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

// --- HTTP: a POST with a timeout, answered as plain fields; it never rejects.
export async function post(fetchFn, url, bearer, contentType, body, timeoutMs, withCookies) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const headers = { "content-type": contentType };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    // Cookie mode sends the session cookies, also to a refresh URL on another origin.
    const credentials = withCookies ? "include" : "same-origin";
    const response = await fetchFn(url, { method: "POST", headers, body, credentials, signal: controller.signal });
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
    };
  } catch (e) {
    const error = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : String(e?.message ?? e);
    return { status: 0, retryAfter: null, contentType: null, body: null, error };
  } finally {
    clearTimeout(timer);
  }
}

// --- API requests through the client: the Request, its origin, and a send with the token.
export function prepareRequest(input, init) {
  const request = new Request(input, init);
  return { request, origin: new URL(request.url).origin };
}

export function originOf(url) {
  return new URL(url, globalThis.location?.href).origin;
}

export async function sendRequest(fetchFn, request, token) {
  const copy = request.clone();
  if (token) copy.headers.set("authorization", `Bearer ${token}`);
  return fetchFn(copy);
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

export function idbGet(db, key) {
  return idbRequest(db, "readonly", (store) => store.get(key)).then((v) => (typeof v === "string" ? v : null));
}

export function idbSet(db, key, value) {
  return idbRequest(db, "readwrite", (store) => store.put(value, key)).then(() => undefined);
}

export function idbRemove(db, key) {
  return idbRequest(db, "readwrite", (store) => store.delete(key)).then(() => undefined);
}
