//! TypeScript declarations for the JS API, emitted into the generated `.d.ts`.

use wasm_bindgen::prelude::*;

// Types every build uses.
#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &'static str = r#"

/**
 * A JWS algorithm. HMAC keys work with every method (in wasm, synchronous); the others are
 * signed and checked by the host's crypto, through the async methods (`Key.generateAsync`,
 * `signAsync`, `verifyAsync`, `verifyAccessAsync`, `authenticateAsync`): a synchronous
 * method given such a key throws `async_required`. `"Ed25519"` (RFC 9864's fully specified
 * name) is read as `"EdDSA"`: a token or a JWK may say either, and tokens signed here say
 * `EdDSA`.
 */
export type Algorithm =
  | "HS256" | "HS384" | "HS512"
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512"
  | "ES256" | "ES384" | "ES512"
  | "EdDSA" | "Ed25519";

/** What every function of this library throws: a real Error with a stable `code`. */
export interface JwtRefreshError extends Error {
  readonly name: "JwtRefreshError";
  readonly code: ErrorCode;
}

/** JWT claims: registered names typed, anything else allowed. */
export interface JWTPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

/** The protected header. */
export interface ProtectedHeader {
  alg: Algorithm;
  kid?: string;
  typ?: string;
  [member: string]: unknown;
}

/** A duration: seconds, or text such as "90s", "15m", "2h", "7d". */
export type Duration = number | string;

/** A verified (or, from `decodeUnverified`, merely decoded) token. */
export interface VerifyResult {
  payload: JWTPayload;
  protectedHeader: ProtectedHeader;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODES: &'static str = crate::ErrorCode::TYPESCRIPT_UNION;

#[wasm_bindgen(typescript_custom_section)]
const TOKEN_RESPONSE: &'static str = crate::TokenResponse::TYPESCRIPT;

// The key API's types: only in builds with Key, Signer and Verifier.
#[cfg(feature = "keys")]
#[wasm_bindgen(typescript_custom_section)]
const KEY_TYPESCRIPT: &'static str = r#"

/** A JSON Web Key (RFC 7517). */
export interface JWK {
  kty: string;
  alg?: string;
  kid?: string;
  use?: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  k?: string;
  n?: string;
  e?: string;
  [member: string]: unknown;
}

/** A JWK Set document. */
export interface JWKS {
  keys: JWK[];
}

/** A verified DPoP proof. */
export interface DpopProofResult {
  /** The RFC 7638 thumbprint of the proof's key: what a token is bound to (`cnf.jkt`). */
  jkt: string;
  jti: string;
  iat: number;
}

"#;

// The Issuer's types: only in builds with the server side.
#[cfg(feature = "edge")]
#[wasm_bindgen(typescript_custom_section)]
const EDGE_TYPESCRIPT: &'static str = r#"

/** `startSession`'s options: the clock, and the DPoP proof that binds the session. */
export interface StartSessionOptions extends ClockOptions {
  /** The login request's DPoP proof and what it was for (`dpopOf(request)`). */
  dpop?: { proof?: string; method: string; url: string };
}

/**
 * Where refresh sessions live: get/put-if-version/list, all async. Adapters ship for
 * memory, Workers KV, Durable Objects and D1; any object with these methods works.
 * A throw, a rejection or a timeout is `store_unavailable`, and must change nothing.
 */
export interface SessionStore {
  get(subject: string, sessionId: string): Promise<{ value: string; version: number } | null>;
  /** Write only if the stored version is `expectedVersion` (null: only if absent). */
  put(subject: string, sessionId: string, value: string, expectedVersion: number | null, expiresAt: number): Promise<boolean>;
  list(subject: string): Promise<string[]>;
  /**
   * Optional, synchronous: called at each login with the issuer's clock (Unix seconds), for a
   * store that keeps records past their `expiresAt` and may forget those expired by then.
   */
  forgetExpired?(now: number): void;
}

/** A refresh or logout request as the endpoints read it (header values as `Headers.get` gives them). */
/** What `authenticateRequestAsync` reads of a protected request. */
export interface AuthenticateRequest {
  authorization?: string | null;
  /** The `DPoP` header. */
  dpop?: string | null;
  method?: string | null;
  url?: string | null;
}

export interface EndpointRequest {
  method?: string | null;
  url?: string | null;
  /** The `DPoP` header. */
  dpop?: string | null;
  /** The origin of the request URL (`new URL(request.url).origin`), for the `Origin` check. */
  ownOrigin?: string | null;
  contentType?: string | null;
  authorization?: string | null;
  cookie?: string | null;
  origin?: string | null;
  secFetchSite?: string | null;
  /** At most 16 KiB are read. */
  body?: string | null;
}

/** A response as data: status, headers, JSON body. */
export interface ResponseData {
  status: number;
  headers: [string, string][];
  body: string;
}

/** What `authenticateHttp` answers. */
export type AuthResult =
  | { ok: true; payload: JWTPayload; protectedHeader: ProtectedHeader }
  | { ok: false; response: ResponseData };
"#;

// Only the build with the AuthClient declares its options.
#[cfg(feature = "browser")]
#[wasm_bindgen(typescript_custom_section)]
const CLIENT_TYPESCRIPT: &'static str = r#"

/** Where the browser client keeps tokens. */
export type TokenStorageOption =
  | "memory"
  | "localStorage"
  | "sessionStorage"
  | "indexedDB"
  | {
      get(key: string): Promise<string | null>;
      set(key: string, value: string): Promise<void>;
      remove(key: string): Promise<void>;
    };

/** The client's state (times are the server's clock, Unix seconds). The same object until it changes. */
export type AuthState =
  | {
      status: "unauthenticated";
      /**
       * Why, when known: "logout", a server code ("not_authenticated" in cookie mode: no session
       * cookie), "network_error", or "no_access_token" (a split-placement reload no open tab could
       * complete).
       */
      reason: string | null;
    }
  /** A reload: waiting for another tab's access token (split), or for the first refresh through the cookie (cookie mode). */
  | { status: "restoring" }
  | {
      status: "authenticated" | "refreshing";
      accessExpiresAt: number;
      refreshExpiresAt: number;
      /** server time - local time, seconds, measured from the access token's iat. */
      clockSkew: number;
    };

/** The payload of each `AuthClient` event. */
export interface AuthEvents {
  refresh: { accessExpiresAt: number; source: "this-tab" | "other-tab" | "login" };
  logout: { reason: string };
  error: { code: ErrorCode; message: string };
  change: AuthState;
}

export interface AuthClient {
  /** Listens to one event, with its typed payload; returns a function that stops listening. */
  on<E extends keyof AuthEvents>(event: E, listener: (detail: AuthEvents[E]) => void): () => void;
}
"#;
