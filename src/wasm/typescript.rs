//! TypeScript declarations for the JS API, emitted into the generated `.d.ts`.

use wasm_bindgen::prelude::*;

// Read by the typescript_custom_section below (rustc cannot see that use).
#[allow(dead_code)]
const DECLARATIONS: &str = r#"

/** A JWS algorithm. EdDSA/ES256 need the default features; RS256/PS256 the `rsa` feature (verify only). */
export type Algorithm = "HS256" | "HS384" | "HS512" | "EdDSA" | "ES256" | "RS256" | "PS256";

/** What every function of this library throws: a real Error with a stable `code`. */
export interface JwtRefreshError extends Error {
  readonly name: "JwtRefreshError";
  readonly code: ErrorCode;
}

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

/** Options for `Key.fromJwk`. */
export interface KeyOptions {
  /** Bind the key to this algorithm (must agree with the JWK's own `alg`). */
  alg?: Algorithm;
  /** Override the JWK's `kid`. */
  kid?: string;
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

/** A verified (or, from `decodeUnverified`, merely decoded) token. */
export interface VerifyResult {
  payload: JWTPayload;
  protectedHeader: ProtectedHeader;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODES: &'static str = crate::ErrorCode::TYPESCRIPT_UNION;

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &'static str = DECLARATIONS;
