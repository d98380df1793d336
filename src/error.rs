//! One error type with a stable string code, shared by Rust and JS.

use core::fmt;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, )+) => {
        /// Why an operation failed. The string form ([`ErrorCode::as_str`]) is stable:
        /// codes are added, never renamed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The stable snake_case code, as JS sees it in `error.code`.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The TypeScript union of every code, emitted into the package's `.d.ts`.
            pub const TYPESCRIPT_UNION: &'static str = concat!(
                "/** A stable error code: added to, never renamed. */\nexport type ErrorCode =",
                $( "\n  | \"", $code, "\"", )+
                ";\n"
            );

            /// Parses a code string back (for codes that come over HTTP). A search of `ALL`, a
            /// small loop, where a `match` on the strings compiled to a comparison per code.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                Self::ALL.iter().copied().find(|known| known.as_str() == code)
            }
        }
    };
}

error_codes! {
    /// `exp` has passed (with leeway).
    TokenExpired => "token_expired",
    /// `nbf` is still in the future (with leeway).
    TokenNotYetValid => "token_not_yet_valid",
    /// The signature does not verify with the selected key.
    InvalidSignature => "invalid_signature",
    /// Not a compact JWS with strict base64url JSON-object header and payload.
    MalformedToken => "malformed_token",
    /// The token's `alg` is not allowed, or not the algorithm the key is bound to.
    AlgNotAllowed => "alg_not_allowed",
    /// No key in the set has the token's `kid` (or the set is ambiguous without one).
    KeyNotFound => "key_not_found",
    /// The header's `crit` names an extension this library does not understand.
    CritUnsupported => "crit_unsupported",
    /// A claim (`iss`, `aud`, `sub`, ...) does not have the required value.
    ClaimMismatch => "claim_mismatch",
    /// A required claim is absent.
    ClaimMissing => "claim_missing",
    /// A registered claim has the wrong JSON type (e.g. a string `exp`).
    ClaimInvalid => "claim_invalid",
    /// `iat` is older than the allowed maximum token age.
    TokenTooOld => "token_too_old",
    /// The header `typ` is not the expected one (access vs refresh tokens).
    TokenTypeMismatch => "token_type_mismatch",
    /// The token is longer than the configured cap.
    TokenTooLarge => "token_too_large",
    /// A key cannot be imported, generated, or used as asked.
    InvalidKey => "invalid_key",
    /// Options passed by the caller are invalid.
    InvalidOptions => "invalid_options",
    /// The refresh token's own lifetime is over.
    RefreshTokenExpired => "refresh_token_expired",
    /// A rotated refresh token was used again after the grace window.
    RefreshTokenReused => "refresh_token_reused",
    /// The session was revoked (logout or reuse detection).
    SessionRevoked => "session_revoked",
    /// The session reached its absolute lifetime or idle timeout.
    SessionExpired => "session_expired",
    /// The access and refresh tokens do not belong to the same session and subject.
    TokensMismatch => "tokens_mismatch",
    /// The session store failed or timed out. A failed read changed nothing; a write that
    /// timed out may still land: retry with the same tokens (the grace window answers).
    StoreUnavailable => "store_unavailable",
    /// A compare-and-swap in the store lost a race.
    StoreConflict => "store_conflict",
    /// Browser storage is full.
    StorageQuotaExceeded => "storage_quota_exceeded",
    /// Browser storage is missing or throws.
    StorageUnavailable => "storage_unavailable",
    /// The network request failed.
    NetworkError => "network_error",
    /// An HTTP request does not follow the refresh contract.
    InvalidRequest => "invalid_request",
    /// The client holds no tokens (log in first).
    NotAuthenticated => "not_authenticated",
    /// The refresh URL does not answer as a refresh endpoint (404, 405, an HTML page, a 2xx
    /// without tokens): a configuration error, not a dead session.
    RefreshEndpointInvalid => "refresh_endpoint_invalid",
    /// A cookie-authenticated request that may come from another site (its `Sec-Fetch-Site`,
    /// its `Origin`, or a body a cross-site form can send): answered 403, nothing changed.
    CsrfRejected => "csrf_rejected",
    /// A cookie would be longer than browsers keep (4096 bytes): refused when it is made,
    /// never silently dropped by the browser.
    CookieTooLarge => "cookie_too_large",
    /// A synchronous method was given an asymmetric key: the host's crypto signs and checks
    /// those, asynchronously. The message names the async method to call.
    AsyncRequired => "async_required",
    /// A remote JWKS could not be fetched: the network, a timeout, or an HTTP error status.
    JwksFetchFailed => "jwks_fetch_failed",
    /// A remote JWKS answered with something that is no usable key set: not JSON, too large,
    /// a malformed key, or no key that verifies signatures.
    JwksInvalid => "jwks_invalid",
    /// A DPoP proof (RFC 9449) is missing, malformed, for another request, too old, replayed,
    /// or by another key than the one the token is bound to.
    InvalidDpopProof => "invalid_dpop_proof",
    /// The server requires a DPoP nonce: retry with the one in the `DPoP-Nonce` header.
    UseDpopNonce => "use_dpop_nonce",
    /// A protected request carried no token (a 401 with no error code: RFC 6750 §3.1).
    MissingToken => "missing_token",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible operation in this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// An error with a code and a human-readable message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (not stable; do not match on it).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
        assert_eq!(ErrorCode::parse("nope"), None);
    }
}
