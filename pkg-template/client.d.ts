// `jwt-refresh/client`: the browser client alone (same API as the AuthClient of the main entry).
export { AuthClient, decodeUnverified, parseDuration, errorCodes, isJwtRefreshError } from "./jwt_refresh_client.js";
export type {
  AuthClientOptions,
  AuthState,
  TokenStorageOption,
  Duration,
  ErrorCode,
  JwtRefreshError,
  JWTPayload,
  ProtectedHeader,
  VerifyResult,
  Algorithm,
} from "./jwt_refresh_client.js";
