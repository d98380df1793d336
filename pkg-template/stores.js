// Session store adapters (see SessionStore in the types). Each keeps the version next to
// the value and writes only if the version is unchanged since the read.

import { keyPrefix, required, tableName } from "./arguments.js";

const key = (subject, sessionId) => `${encodeURIComponent(subject)}/${sessionId}`;

// MemoryStore is the core's own, exported by the wasm module.

/**
 * Workers KV. KV is eventually consistent and has no conditional write: the version check
 * here is read-then-write, so two refreshes in different locations within KV's propagation
 * delay (up to ~60 s) can both succeed, and reuse detection across regions is best-effort.
 * Use the Durable Object store where that matters.
 *
 * Revocation is sticky: a revoked record also writes a revocation key of its own, which no
 * refresh ever writes, and every read and write consults it. A refresh whose read-then-write
 * races a logout can still land after it (KV cannot prevent that), but it no longer un-revokes
 * the session: the next refresh, anywhere the revocation key has propagated, is refused. The
 * access token of that one raced refresh stays valid until it expires.
 */
export class KvStore {
  constructor(namespace, { prefix = "jwt-refresh/" } = {}) {
    const kv = (n) => ["get", "put", "list"].every((method) => typeof n?.[method] === "function");
    this.namespace = required("KvStore", "a Workers KV namespace (a binding of env)", namespace, kv);
    this.prefix = keyPrefix("KvStore", prefix);
  }
  #recordKey(subject, sessionId) {
    return this.prefix + key(subject, sessionId);
  }
  #revocationKey(subject, sessionId) {
    // `#` is escaped in every encoded subject, so no subject's `list` prefix reaches it.
    return `${this.prefix}#revoked/${key(subject, sessionId)}`;
  }
  /** The record, revoked in its value if a revocation key says so. */
  async get(subject, sessionId) {
    const [record, revocation] = await Promise.all([
      this.namespace.get(this.#recordKey(subject, sessionId), "json"),
      this.namespace.get(this.#revocationKey(subject, sessionId)),
    ]);
    if (!record) return null;
    return { value: withRevocation(record.value, revocation), version: record.version };
  }
  async put(subject, sessionId, value, expectedVersion, expiresAt) {
    const k = this.#recordKey(subject, sessionId);
    const [current, revocation] = await Promise.all([
      this.namespace.get(k, "json"),
      this.namespace.get(this.#revocationKey(subject, sessionId)),
    ]);
    if ((current?.version ?? null) !== expectedVersion) return false;
    const reason = revocationOf(value);
    // A revoked session is never written back as live: the caller reads again and sees why.
    if (revocation !== null && reason === null) return false;
    // KV refuses expirations less than 60 s ahead.
    const expiration = Math.max(Math.ceil(expiresAt), Math.ceil(Date.now() / 1000) + 60);
    if (reason !== null) await this.namespace.put(this.#revocationKey(subject, sessionId), reason, { expiration });
    await this.namespace.put(k, JSON.stringify({ value, version: (current?.version ?? 0) + 1 }), { expiration });
    return true;
  }
  async list(subject) {
    const prefix = `${this.prefix}${encodeURIComponent(subject)}/`;
    const ids = [];
    let cursor;
    for (let page = 0; page < 1000; page++) {
      const result = await this.namespace.list({ prefix, cursor });
      ids.push(...result.keys.map((k) => k.name.slice(prefix.length)));
      if (result.list_complete) break;
      cursor = result.cursor;
    }
    return ids;
  }
}

/** A stored session record (the Issuer's JSON) as an object, or null if it is not one. */
function recordOf(value) {
  try {
    const record = JSON.parse(value);
    return record !== null && typeof record === "object" ? record : null;
  } catch {
    return null;
  }
}

/** The `revoked` reason of a stored session record, or null. */
function revocationOf(value) {
  const reason = recordOf(value)?.revoked;
  return typeof reason === "string" ? reason : null;
}

/** `value` with `revoked` set when a revocation key exists and the record does not say so. */
function withRevocation(value, revocation) {
  if (revocation === null) return value;
  const record = recordOf(value);
  if (record === null || typeof record.revoked === "string") return value;
  return JSON.stringify({ ...record, revoked: revocation });
}

/** D1 (SQLite): a conditional `UPDATE ... WHERE version = ?` is the compare-and-swap. */
export class D1Store {
  constructor(database, { table = "jwt_refresh_sessions" } = {}) {
    const d1 = (d) => typeof d?.prepare === "function";
    this.db = required("D1Store", "a D1 database (a binding of env)", database, d1);
    this.table = tableName("D1Store", table);
    this.ready = null;
  }
  /** Creates the table if needed (idempotent; also run lazily on first use). */
  init() {
    this.ready ??= this.db
      .prepare(
        `CREATE TABLE IF NOT EXISTS ${this.table} (subject TEXT NOT NULL, session_id TEXT NOT NULL,
         value TEXT NOT NULL, version INTEGER NOT NULL, expires_at INTEGER NOT NULL,
         PRIMARY KEY (subject, session_id))`,
      )
      .run()
      .catch((e) => {
        this.ready = null;
        throw e;
      });
    return this.ready;
  }
  async get(subject, sessionId) {
    await this.init();
    const row = await this.db
      .prepare(`SELECT value, version FROM ${this.table} WHERE subject = ? AND session_id = ? AND expires_at > ?`)
      .bind(subject, sessionId, Math.floor(Date.now() / 1000))
      .first();
    return row ? { value: row.value, version: row.version } : null;
  }
  async put(subject, sessionId, value, expectedVersion, expiresAt) {
    await this.init();
    const result =
      expectedVersion === null
        ? await this.db
            .prepare(
              `INSERT INTO ${this.table} (subject, session_id, value, version, expires_at) VALUES (?, ?, ?, 1, ?)
               ON CONFLICT (subject, session_id) DO NOTHING`,
            )
            .bind(subject, sessionId, value, Math.ceil(expiresAt))
            .run()
        : await this.db
            .prepare(
              `UPDATE ${this.table} SET value = ?, version = version + 1, expires_at = ?
               WHERE subject = ? AND session_id = ? AND version = ?`,
            )
            .bind(value, Math.ceil(expiresAt), subject, sessionId, expectedVersion)
            .run();
    return result.meta.changes === 1;
  }
  async list(subject) {
    await this.init();
    const { results } = await this.db
      .prepare(`SELECT session_id FROM ${this.table} WHERE subject = ?`)
      .bind(subject)
      .all();
    return results.map((r) => r.session_id);
  }
}

/**
 * Durable Objects (strongly consistent: the recommended production store). One object per
 * subject holds all of that subject's sessions; export `SessionStoreObject` from
 * "jwt-refresh/durable-object" in your Worker and bind it.
 */
export class DurableObjectStore {
  constructor(namespace) {
    const objects = (n) => typeof n?.get === "function" && typeof n.idFromName === "function";
    const what = "a Durable Object namespace bound to SessionStoreObject (a binding of env)";
    this.namespace = required("DurableObjectStore", what, namespace, objects);
  }
  #stub(subject) {
    return this.namespace.get(this.namespace.idFromName(subject));
  }
  get(subject, sessionId) {
    return this.#stub(subject).getSession(sessionId);
  }
  put(subject, sessionId, value, expectedVersion, expiresAt) {
    return this.#stub(subject).putSession(sessionId, value, expectedVersion, expiresAt);
  }
  list(subject) {
    return this.#stub(subject).listSessions();
  }
}

export { RedisStore } from "./redis-store.js";
export { PostgresStore } from "./postgres-store.js";
