//! TypeScript declarations for the JS API, emitted into the generated `.d.ts`.

use wasm_bindgen::prelude::*;

// Types every build uses.
#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &'static str = r#"

/**
 * A JWS algorithm. HMAC keys work with every method (in wasm, synchronous); the others are
 * signed and checked by the host's crypto, through the async methods (`Key.generateAsync`,
 * `signAsync`, `verifyAsync`, `verifyAccessAsync`, `authenticateAsync`): a synchronous
 * method given such a key throws `async_required`.
 */
export type Algorithm =
  | "HS256" | "HS384" | "HS512"
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512"
  | "ES256" | "ES384" | "ES512"
  | "EdDSA";

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

/** Options for `new DpopVerifier`. Durations are seconds or text ("1m"). */
export interface DpopVerifierOptions {
  /** The algorithms a proof may use (asymmetric only; default ES256, EdDSA, ES384, ES512, RS256, PS256). */
  algorithms?: Algorithm[];
  /** How long a proof stays good after its `iat` (default 60 s). */
  maxAge?: Duration;
  /** How far in the future a proof's `iat` may be (default 5 s). */
  futureSkew?: Duration;
  /** A server secret of at least 32 characters: proofs must then carry its stateless nonce. */
  nonceSecret?: string;
  /** How long each nonce is handed out (default 300 s; one stays good for two periods). */
  noncePeriod?: Duration;
  /** How many proof ids are remembered against replay, in this isolate (default 10,000). */
  replayCache?: number;
}

/** The request a DPoP proof must be for. */
export interface DpopRequestInfo {
  method: string;
  url: string;
  /** The access token the request presents (API requests): the proof's `ath` must be its hash. */
  accessToken?: string;
}

/** A verified DPoP proof. */
export interface DpopProofResult {
  /** The RFC 7638 thumbprint of the proof's key: what a token is bound to (`cnf.jkt`). */
  jkt: string;
  jti: string;
  iat: number;
}

/** Options for `KeySet.remote`. Durations are seconds (fractions allowed) or text ("30s"). */
export interface RemoteKeySetOptions {
  /** How long fetched keys are used when the answer has no Cache-Control max-age, and the
   *  longest a max-age keeps them (default "10m"). */
  cacheMaxAge?: Duration;
  /** The least time between two fetches, and the least time keys are kept (default "30s"). */
  cooldown?: Duration;
  /** A fetch (body included) that takes longer fails with `jwks_fetch_failed` (default "5s"). */
  timeout?: Duration;
  /** How long past their freshness stale keys still verify while fetching fails (default "1h"). */
  staleIfError?: Duration;
  /** The largest JWKS accepted, in bytes (default 262144). */
  maxBodySize?: number;
  /** A cache shared by isolates: the Workers Cache API (`caches.default`) or any object with
   *  its `match(url)` and `put(url, response)`. */
  cache?: { match(url: string): Promise<Response | undefined>; put(url: string, response: Response): Promise<void> };
  /** The fetch to use (default: the global one). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** Options for `Key.fromJwk`. */
export interface KeyOptions {
  /** Bind the key to this algorithm (must agree with the JWK's own `alg`). */
  alg?: Algorithm;
  /** Override the JWK's `kid`. */
  kid?: string;
}

/** Options for `Key.sign`. */
export interface SignOptions {
  /** Header `typ`, e.g. "at+jwt". */
  typ?: string;
  /** `exp` = now + this. */
  expiresIn?: Duration;
  /** `nbf` = now + this. */
  notBefore?: Duration;
  /** Set `iat` (default true). */
  issuedAt?: boolean;
  /** Set a random `jti` (default false). */
  jti?: boolean;
  issuer?: string;
  audience?: string | string[];
  subject?: string;
  /** The clock, for tests and replay (default: now). */
  currentDate?: Date;
}

/** Options for `verify` (names as in jose's `jwtVerify`). */
export interface VerifyOptions {
  /** Allowed algorithms (default: the selected key's own algorithm). */
  algorithms?: Algorithm[];
  issuer?: string | string[];
  audience?: string | string[];
  subject?: string;
  /** Required header `typ` (case-insensitive, "application/" optional). */
  typ?: string;
  requiredClaims?: string[];
  /** Leeway for exp/nbf/iat. */
  clockTolerance?: Duration;
  /** Maximum age from `iat` (requires `iat`). */
  maxTokenAge?: Duration;
  /** Refuse longer tokens before decoding (default 8192). */
  maxTokenLength?: number;
  /** Check everything except `exp` (refresh flow). */
  ignoreExpiration?: boolean;
  /** The clock, for tests and replay (default: now). */
  currentDate?: Date;
}

/** Options for `verifier()`: those of `verify`, fixed once (the clock stays per call). */
export interface VerifierOptions extends Omit<VerifyOptions, "currentDate"> {
  /**
   * Remember up to this many tokens whose signatures verified, the oldest forgotten first,
   * and skip the signature check when one comes again: every request of a session carries
   * the same access token. Claims (exp, nbf, iss, aud, ...) are still checked on every call.
   * Default 0 (off); at most 100000. Memory: 32 bytes a token (what is remembered and
   * compared is a keyed hash of it, never the signature itself).
   */
  cache?: number;
}
"#;

// The Issuer's types: only in builds with the server side.
#[cfg(feature = "edge")]
#[wasm_bindgen(typescript_custom_section)]
const EDGE_TYPESCRIPT: &'static str = r#"

/** Options of calls that only need a clock. */
/** `startSession`'s options: the clock, and the DPoP proof that binds the session. */
export interface StartSessionOptions extends ClockOptions {
  /** The login request's DPoP proof and what it was for (`dpopOf(request)`). */
  dpop?: { proof?: string; method: string; url: string };
}

export interface ClockOptions {
  /** The clock, for tests and replay (default: now). */
  currentDate?: Date;
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
}

/** Options of `new Issuer(signingKey, refreshKey, options)`. */
export interface IssuerOptions {
  /** `iss` of every token. */
  issuer: string;
  /** `aud` of access tokens. */
  audience?: string | string[];
  /** Default "15m". */
  accessTtl?: Duration;
  /** Default "14d"; renewed on each rotation, capped at the session's end. */
  refreshTtl?: Duration;
  /** Absolute session lifetime; default "30d". */
  sessionLifetime?: Duration;
  /** Idle timeout; default "14d". */
  idleTimeout?: Duration;
  /**
   * Reuse grace window; default "30s". It also covers a refresh whose store write outlived
   * `storeTimeout` but landed: the client's retry with the same tokens gets the current pair.
   * Keep it longer than `storeTimeout` plus the client's retries.
   */
  gracePeriod?: Duration;
  /** Leeway when verifying access tokens. */
  clockTolerance?: Duration;
  /** Public JWKs of retired signing keys that still verify access tokens. */
  previousKeys?: JWK[];
  /** Default: this isolate's memory (tests, single process). */
  store?: SessionStore;
  /**
   * Milliseconds before a store call counts as failed (`store_unavailable`, HTTP 503); default
   * 5000. A write still in flight may land after that: retry with the same tokens.
   */
  storeTimeout?: number;
  /**
   * Remember up to this many access tokens whose signatures verified (as a verifier's `cache`):
   * `verifyAccess`, `authenticate`, `authenticateAsync`, `accessVerifier()` and `refresh` skip
   * the signature check of one they have seen; claims are checked every time. Default 0
   * (off); at most 100000.
   */
  signatureCache?: number;
  /**
   * Cookie mode: login and refresh answers set the refresh token and a copy of the access
   * token as `HttpOnly; Secure; SameSite=Strict` cookies on the auth path, and their bodies
   * carry no refresh token; refresh and logout read the cookies after the CSRF checks. `true`
   * for the defaults. Default: off (header mode).
   */
  cookies?: boolean | CookieOptions;
  /**
   * DPoP (RFC 9449): sessions started with a proof (`startSession(sub, claims, { dpop })`) are
   * bound to its key: access tokens carry `cnf.jkt`, a refresh needs a proof by that key (its
   * id recorded in the session), and `authenticateAsync` checks the proof and the binding.
   * `"required"` (or `{ required: true }`) refuses sessions and tokens without one.
   */
  dpop?: boolean | "required" | (DpopVerifierOptions & { required?: boolean });
}

/** Cookie mode's settings (the Issuer's `cookies` option). */
export interface CookieOptions {
  /** Default "__Secure-refresh_token". A `__Host-` name needs `path: "/"`. */
  refreshName?: string;
  /** The access token's copy, read by refresh when no Bearer token is sent. Default "__Secure-access_token". */
  accessName?: string;
  /** Both cookies are sent only under it: put the refresh and logout endpoints there. Default "/auth". */
  path?: string;
  /** Default "Strict". "None" requires `allowedOrigins`. */
  sameSite?: "Strict" | "Lax" | "None";
  /** Default: the refresh token's lifetime. "session": until the browser closes. */
  maxAge?: Duration | "session";
  /** Origins besides the endpoint's own whose requests may use the cookies (e.g. the app on a sibling subdomain). */
  allowedOrigins?: string[];
  /** Accept every same-site request, not only those of `allowedOrigins`. Default false. */
  allowSameSite?: boolean;
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

/** Options of `AuthClient.create`. */
export interface AuthClientOptions {
  /** The token endpoint (POST; header mode: expired access token in Authorization, form body). */
  refreshUrl: string;
  /**
   * Called on `logout()` to revoke the session server-side: with `{ refresh_token }` (JSON) in
   * header mode, with the cookies in cookie mode (the server clears them).
   */
  logoutUrl?: string;
  /**
   * "cookie": the server keeps the refresh token (and a copy of the access token) in HttpOnly
   * cookies (the Issuer's `cookies` option); this client holds the access token in memory only
   * and refreshes through the cookies, also right after a reload. `storage` and `split` do not
   * apply. Default "header": the client holds both tokens in `storage`.
   */
  mode?: "header" | "cookie";
  /** Default "memory" (nothing persists; tabs share through messages only). */
  storage?: TokenStorageOption;
  /** Prefix of every storage key, lock and channel name; default "jwt-refresh". */
  namespace?: string;
  /** Keep the access token in memory only; persist the refresh token. Default false. */
  split?: boolean;
  /** Refresh this long before expiry (server clock); default "30s". */
  refreshMargin?: Duration;
  /** Consecutive failed refresh attempts before giving up (then `error`); default 4. */
  maxRefreshAttempts?: number;
  /** Backoff after network errors, 429 and 5xx; default { baseMs: 500, maxMs: 30000 }. */
  backoff?: { baseMs: number; maxMs: number };
  /** Milliseconds to wait for the cross-tab lock before refreshing anyway; default 10000. */
  lockTimeout?: number;
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /**
   * DPoP (RFC 9449; the Issuer's `dpop` option): every refresh, logout and `fetch` to an allowed
   * origin carries a proof signed by this origin's key, made by WebCrypto on first use with a
   * private half no script can export, kept in IndexedDB and shared by every tab (memory where
   * there is no IndexedDB), replaced at logout. Tokens are sent as `Authorization: DPoP`, and
   * a token response must be DPoP-bound. A login through `fetch` gets a proof, which binds the
   * session. `true` is ES256; `{ alg: "EdDSA" }` where the browser has Ed25519.
   *
   * ```js
   * const auth = await AuthClient.create({ refreshUrl: "/auth/refresh", storage: "localStorage", dpop: true });
   * await auth.setTokens(await (await auth.fetch("/auth/login", { method: "POST", body })).json());
   * ```
   */
  dpop?: boolean | { alg?: "ES256" | "EdDSA" };
  /**
   * Other origins (or URLs) that get the access token and whose expired signal refreshes;
   * the refresh URL's origin always does. Requests elsewhere go out without the token.
   */
  origins?: string[];
}

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
