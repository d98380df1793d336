// PostgresStore: sessions in PostgreSQL for servers of several processes, over a `pg` Pool or
// Client, or a postgres.js `sql`, that the app passes. The compare-and-swap is `UPDATE … WHERE version = $n`; reads skip
// expired rows, and `sweep()` deletes them (run it now and then).

import { required, tableName } from "./arguments.js";

const now = () => Math.floor(Date.now() / 1000);

/** PostgreSQL: strongly consistent (one primary; reads go to it). */
export class PostgresStore {
  /**
   * @param {{ query(text: string, values?: unknown[]): Promise<{ rows: any[], rowCount: number | null }> } | Function} pool a `pg` Pool or Client, or a postgres.js `sql`
   * @param {{ table?: string }} [options] the table, default "jwt_refresh_sessions"
   */
  constructor(pool, { table = "jwt_refresh_sessions" } = {}) {
    // postgres.js (`postgres`): its `sql.unsafe(text, values)` answers rows with a `count`.
    if (typeof pool === "function" && typeof pool.unsafe === "function") {
      const sql = pool;
      pool = {
        query: async (text, values) => {
          const rows = await sql.unsafe(text, values);
          return { rows, rowCount: rows.count };
        },
      };
    }
    const queryable = (p) => typeof p?.query === "function";
    this.pool = required("PostgresStore", "a pg Pool or Client, or a postgres.js sql", pool, queryable);
    this.table = tableName("PostgresStore", table);
    this.ready = null;
  }
  /** Creates the table if needed (idempotent; also run lazily on first use). */
  init() {
    this.ready ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           subject text NOT NULL, session_id text NOT NULL, value text NOT NULL,
           version bigint NOT NULL, expires_at bigint NOT NULL,
           PRIMARY KEY (subject, session_id))`,
      )
      .catch((e) => {
        this.ready = null;
        throw e;
      });
    return this.ready;
  }
  async get(subject, sessionId) {
    await this.init();
    const { rows } = await this.pool.query(
      `SELECT value, version FROM ${this.table} WHERE subject = $1 AND session_id = $2 AND expires_at > $3`,
      [subject, sessionId, now()],
    );
    return rows.length ? { value: rows[0].value, version: Number(rows[0].version) } : null;
  }
  async put(subject, sessionId, value, expectedVersion, expiresAt) {
    await this.init();
    const expiry = Math.ceil(expiresAt);
    const result =
      expectedVersion === null
        ? await this.pool.query(
            `INSERT INTO ${this.table} (subject, session_id, value, version, expires_at) VALUES ($1, $2, $3, 1, $4)
             ON CONFLICT (subject, session_id) DO NOTHING`,
            [subject, sessionId, value, expiry],
          )
        : await this.pool.query(
            `UPDATE ${this.table} SET value = $1, version = version + 1, expires_at = $2
             WHERE subject = $3 AND session_id = $4 AND version = $5 AND expires_at > $6`,
            [value, expiry, subject, sessionId, expectedVersion, now()],
          );
    return result.rowCount === 1;
  }
  async list(subject) {
    await this.init();
    const { rows } = await this.pool.query(
      `SELECT session_id FROM ${this.table} WHERE subject = $1 AND expires_at > $2`,
      [subject, now()],
    );
    return rows.map((row) => row.session_id);
  }
  /** Deletes expired sessions; returns how many. */
  async sweep() {
    await this.init();
    const result = await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at <= $1`, [now()]);
    return result.rowCount ?? 0;
  }
}
