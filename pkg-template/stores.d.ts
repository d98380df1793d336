import type { SessionStore } from "./jwt_refresh.js";

// Each store's constructor checks what it is given: a binding, client or pool of the wrong
// shape (a binding misnamed in `env` is undefined), a table that is not a plain SQL
// identifier or a prefix that is not a string throws a JwtRefreshError, code
// `invalid_options`, that names it.

/** Minimal shape of a Workers KV namespace binding. */
export interface KvNamespaceLike {
  get(key: string, type: "json"): Promise<unknown>;
  put(key: string, value: string, options?: { expiration?: number }): Promise<void>;
  list(options: { prefix?: string; cursor?: string }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
}

/** Workers KV: eventually consistent, best-effort reuse detection across regions. */
export class KvStore implements SessionStore {
  constructor(namespace: KvNamespaceLike, options?: { prefix?: string });
  get(subject: string, sessionId: string): Promise<{ value: string; version: number } | null>;
  put(subject: string, sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  list(subject: string): Promise<string[]>;
}

/** Minimal shape of a D1 database binding. */
export interface D1DatabaseLike {
  prepare(sql: string): {
    bind(...values: unknown[]): D1StatementLike;
    run(): Promise<unknown>;
  };
}
export interface D1StatementLike {
  first(): Promise<Record<string, unknown> | null>;
  run(): Promise<{ meta: { changes: number } }>;
  all(): Promise<{ results: Record<string, unknown>[] }>;
}

/** D1: compare-and-swap by conditional UPDATE; strongly consistent on the primary. */
export class D1Store implements SessionStore {
  constructor(database: D1DatabaseLike, options?: { table?: string });
  init(): Promise<unknown>;
  get(subject: string, sessionId: string): Promise<{ value: string; version: number } | null>;
  put(subject: string, sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  list(subject: string): Promise<string[]>;
}

/** Minimal shape of a Durable Object namespace bound to SessionStoreObject. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): {
    getSession(sessionId: string): Promise<{ value: string; version: number } | null>;
    putSession(sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
    listSessions(): Promise<string[]>;
  };
}

/** Durable Objects: strongly consistent, the recommended production store. */
export class DurableObjectStore implements SessionStore {
  /** `env.SESSIONS`: a `DurableObjectNamespace<SessionStoreObject>` (@cloudflare/workers-types),
   *  or anything of `DurableObjectNamespaceLike`'s shape. */
  constructor(namespace: DurableObjectNamespaceLike | { idFromName(name: string): unknown; get(id: any): object });
  get(subject: string, sessionId: string): Promise<{ value: string; version: number } | null>;
  put(subject: string, sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  list(subject: string): Promise<string[]>;
}

/** A connected node-redis (`redis`) or ioredis client: only the calls the store makes. */
export type RedisClientLike = { eval(...args: any[]): Promise<unknown> };

/**
 * Redis (7 or later), for servers of several processes: compare-and-swap in one Lua script,
 * atomic on the server; keys expire with their sessions; a subject's sessions in a sorted set.
 * Strongly consistent on one primary.
 * @example
 * const store = new RedisStore(await createClient({ url }).connect());
 */
export class RedisStore implements SessionStore {
  constructor(client: RedisClientLike, options?: { prefix?: string });
  get(subject: string, sessionId: string): Promise<{ value: string; version: number } | null>;
  put(subject: string, sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  list(subject: string): Promise<string[]>;
}

/** A postgres.js `sql` (`postgres(url)`): only the call the store makes. */
export interface PostgresJsSql {
  (...args: any[]): any;
  unsafe(text: string, values?: any[]): PromiseLike<any[] & { count: number }>;
}

/** A `pg` Pool or Client: only the call the store makes. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

/**
 * PostgreSQL, for servers of several processes: `UPDATE … WHERE version = $n`; expired rows are
 * skipped by reads and deleted by `sweep()`. Strongly consistent.
 * @example
 * const store = new PostgresStore(new pg.Pool({ connectionString }));
 */
export class PostgresStore implements SessionStore {
  /** `pool`: a `pg` Pool or Client, or a postgres.js `sql` (`postgres(url)`). */
  constructor(pool: PgQueryable | PostgresJsSql, options?: { table?: string });
  init(): Promise<unknown>;
  get(subject: string, sessionId: string): Promise<{ value: string; version: number } | null>;
  put(subject: string, sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  list(subject: string): Promise<string[]>;
  sweep(): Promise<number>;
}
