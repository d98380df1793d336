// `jwt-refresh/client`: the browser client, in its own wasm (the main entry has no AuthClient).
export { AuthClient, decodeUnverified, parseDuration, errorCodes, isJwtRefreshError } from "./jwt_refresh_client.js";
export type {
  AuthClientOptions,
  BackoffOptions,
  ClientDpopOptions,
  AuthState,
  TokenStorageOption,
  TokenResponse,
  Duration,
  ErrorCode,
  JwtRefreshError,
  JWTPayload,
  ProtectedHeader,
  VerifyResult,
  Algorithm,
} from "./jwt_refresh_client.js";
