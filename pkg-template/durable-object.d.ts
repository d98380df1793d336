// Workers only: the types come from @cloudflare/workers-types ("cloudflare:workers").
import { DurableObject } from "cloudflare:workers";

/** The Durable Object class behind `DurableObjectStore` (workerd only). */
export class SessionStoreObject extends DurableObject {
  getSession(sessionId: string): Promise<{ value: string; version: number } | null>;
  putSession(sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  listSessions(): Promise<string[]>;
}
