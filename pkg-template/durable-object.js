// The Durable Object behind DurableObjectStore (workerd only). Export it from your Worker:
//   export { SessionStoreObject } from "jwt-refresh/durable-object";
import { DurableObject } from "cloudflare:workers";

export class SessionStoreObject extends DurableObject {
  async getSession(sessionId) {
    const record = await this.ctx.storage.get(`s/${sessionId}`);
    if (!record) return null;
    if (record.expiresAt * 1000 <= Date.now()) {
      await this.ctx.storage.delete(`s/${sessionId}`);
      return null;
    }
    return { value: record.value, version: record.version };
  }

  async putSession(sessionId, value, expectedVersion, expiresAt) {
    // One transaction: the read and the conditional write cannot interleave with another call.
    return this.ctx.storage.transaction(async (txn) => {
      const current = await txn.get(`s/${sessionId}`);
      if ((current?.version ?? null) !== expectedVersion) return false;
      await txn.put(`s/${sessionId}`, { value, version: (current?.version ?? 0) + 1, expiresAt });
      return true;
    });
  }

  async listSessions() {
    const entries = await this.ctx.storage.list({ prefix: "s/" });
    return [...entries.keys()].map((k) => k.slice(2));
  }
}
