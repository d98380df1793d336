// Browser APIs the Rust AuthClient drives: promise-shaped wrappers, no policy here.

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

// --- Cross-tab lock: Web Locks with a timeout, else a localStorage lock. On timeout the
// work runs anyway: a second refresh is then answered by the server's grace window.
export async function withLock(name, timeoutMs, work) {
  const locks = globalThis.navigator?.locks;
  if (locks?.request) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await locks.request(name, { signal: controller.signal }, async () => {
        clearTimeout(timer);
        return work();
      });
    } catch (e) {
      if (e?.name === "AbortError") return work();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
  return withStorageLock(name, timeoutMs, work);
}

async function withStorageLock(name, timeoutMs, work) {
  let storage;
  try {
    storage = globalThis.localStorage;
  } catch {
    storage = undefined;
  }
  if (!storage) return work();
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
      storage.setItem(name, JSON.stringify({ owner: me, expires: Date.now() + timeoutMs }));
      // Another tab may have written at the same moment: the last writer owns it.
      await sleep(30);
      if (read()?.owner === me) {
        try {
          return await work();
        } finally {
          if (read()?.owner === me) storage.removeItem(name);
        }
      }
    }
    await sleep(20 + Math.random() * 40);
  }
  return work();
}

// --- Messages between tabs: BroadcastChannel, else storage events on a message key.
export function openChannel(name, onMessage) {
  if (typeof BroadcastChannel === "function") {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event) => onMessage(event.data);
    return { post: (m) => channel.postMessage(m), close: () => channel.close() };
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
