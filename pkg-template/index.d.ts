// Every entry point (node, browser, workerd) exports the same API, ready to use. The browser
// client is `jwt-refresh/client` (client.d.ts), in its own wasm.
export {
  Issuer,
  MemoryStore,
  DpopVerifier,
  isExpiredSignal,
  unauthorizedResponse,
  Key,
  KeySet,
  RemoteKeySet,
  Signer,
  Verifier,
  decodeUnverified,
  parseDuration,
  errorCodes,
  isJwtRefreshError,
} from "./jwt_refresh.js";
export type {
  AuthResult,
  ClockOptions,
  CookieOptions,
  DpopProofResult,
  DpopRequestInfo,
  DpopVerifierOptions,
  EndpointRequest,
  IssuerOptions,
  ResponseData,
  SessionStore,
  TokenResponse,
  Algorithm,
  Duration,
  ErrorCode,
  JwtRefreshError,
  JWK,
  JWKS,
  JWTPayload,
  KeyOptions,
  ProtectedHeader,
  RemoteKeySetOptions,
  SignOptions,
  VerifyOptions,
  VerifyResult,
} from "./jwt_refresh.js";
export { handleRefresh, handleLogout, authenticate, authenticateAsync, tokenResponse, dpopOf, dpopChallenge } from "./edge.js";
export { KvStore, D1Store, DurableObjectStore, RedisStore, PostgresStore } from "./stores.js";
export type { KvNamespaceLike, D1DatabaseLike, D1StatementLike, DurableObjectNamespaceLike, RedisClientLike, PgQueryable, PostgresJsSql } from "./stores.js";
