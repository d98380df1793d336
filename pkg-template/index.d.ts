// Every entry point (node, browser, workerd) exports the same API, ready to use.
export {
  Key,
  KeySet,
  decodeUnverified,
  parseDuration,
  errorCodes,
  isJwtRefreshError,
} from "./jwt_refresh.js";
export type {
  Algorithm,
  Duration,
  ErrorCode,
  JwtRefreshError,
  JWK,
  JWKS,
  JWTPayload,
  KeyOptions,
  ProtectedHeader,
  SignOptions,
  VerifyOptions,
  VerifyResult,
} from "./jwt_refresh.js";
