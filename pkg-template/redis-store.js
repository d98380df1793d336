// RedisStore: sessions in Redis for servers of several processes (Node, Deno, Bun), over a
// client the app passes: node-redis (`redis`) or ioredis. Each session is a hash with its
// value and version; the compare-and-swap is one Lua script, atomic on the server; the key
// expires with the session; a subject's sessions are a sorted set by expiry (no KEYS scan).

import { keyPrefix, required } from "./arguments.js";

// KEYS: the session's hash, the subject's set. ARGV: value, expected version ("" for a new
// session), expiry (Unix seconds), session id, now (Unix seconds). Returns 1 if written.
const PUT = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[2] == '' then
  if current then return 0 end
  redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', 1)
else
  if current ~= ARGV[2] then return 0 end
  redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', tonumber(current) + 1)
end
redis.call('EXPIREAT', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
if redis.call('EXPIRETIME', KEYS[2]) < tonumber(ARGV[3]) then
  redis.call('EXPIREAT', KEYS[2], ARGV[3])
end
return 1`;

const now = () => Math.floor(Date.now() / 1000);

/** Redis (7 or later): strongly consistent on one primary; a replica may lag behind it. */
export class RedisStore {
  /**
   * @param {object} client a connected node-redis or ioredis client
   * @param {{ prefix?: string }} [options] key prefix, default "jwt-refresh:"
   */
  constructor(client, { prefix = "jwt-refresh:" } = {}) {
    const redis = (c) => typeof c?.eval === "function";
    this.client = required("RedisStore", "a node-redis or ioredis client", client, redis);
    this.prefix = keyPrefix("RedisStore", prefix);
    // node-redis takes (script, { keys, arguments }); ioredis (script, numKeys, ...keys, ...args).
    this.nodeRedis = "isOpen" in client;
  }
  #session(subject, sessionId) {
    return `${this.prefix}s:${encodeURIComponent(subject)}:${encodeURIComponent(sessionId)}`;
  }
  #subject(subject) {
    return `${this.prefix}u:${encodeURIComponent(subject)}`;
  }
  async get(subject, sessionId) {
    const key = this.#session(subject, sessionId);
    const [value, version] = this.nodeRedis
      ? await this.client.hmGet(key, ["value", "version"])
      : await this.client.hmget(key, "value", "version");
    if (value === null || value === undefined) return null;
    return { value, version: Number(version) };
  }
  async put(subject, sessionId, value, expectedVersion, expiresAt) {
    const keys = [this.#session(subject, sessionId), this.#subject(subject)];
    const args = [value, expectedVersion === null ? "" : String(expectedVersion), String(Math.ceil(expiresAt)), sessionId, String(now())];
    const written = this.nodeRedis
      ? await this.client.eval(PUT, { keys, arguments: args })
      : await this.client.eval(PUT, keys.length, ...keys, ...args);
    return Number(written) === 1;
  }
  async list(subject) {
    const key = this.#subject(subject);
    return this.nodeRedis
      ? this.client.zRangeByScore(key, now() + 1, "+inf")
      : this.client.zrangebyscore(key, now() + 1, "+inf");
  }
}
