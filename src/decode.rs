//! Reading a token WITHOUT verifying it: for clients that only need `exp`.

use crate::claims::ClaimsSet;
use crate::compact::{decode_json_object, split, DEFAULT_MAX_TOKEN_LENGTH};
use crate::error::Result;
use serde_json::{Map, Value};

/// Header and claims of a token that has NOT been verified. Never base a trust decision on it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedToken {
    /// The header, as sent.
    pub header: Map<String, Value>,
    /// The claims, as sent. Unverified: anyone can forge them.
    pub claims: ClaimsSet,
}

/// Decodes a token's header and claims without checking the signature or any claim.
/// Structure, size and base64url strictness are still enforced.
///
/// ```
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2ln";
/// let t = jwt_refresh::decode_unverified(token).unwrap();
/// assert_eq!(t.claims["exp"], 1_700_000_000);
/// ```
pub fn decode_unverified(token: &str) -> Result<UnverifiedToken> {
    let parts = split(token, DEFAULT_MAX_TOKEN_LENGTH)?;
    Ok(UnverifiedToken {
        header: decode_json_object(parts.header, "header")?,
        claims: decode_json_object(parts.payload, "payload")?,
    })
}
