//! Reading a token WITHOUT verifying it: for clients that only need `exp`.

use crate::claims::ClaimsSet;
use crate::compact::{decode_json_object, decode_text, split, DEFAULT_MAX_TOKEN_LENGTH};
use crate::error::{Error, Result};
use crate::members::read_members;
use serde_json::{Map, Value};

/// Header and claims of a token that has NOT been verified. Never base a trust decision on it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedToken {
    /// The header, as sent.
    pub header: Map<String, Value>,
    /// The claims, as sent. Unverified: anyone can forge them.
    pub claims: ClaimsSet,
}

/// Header and claims of a token that has NOT been verified, as the token's own JSON text, for
/// a caller with a JSON parser of its own (JS's `decodeUnverified`: its objects then keep the
/// token's member order and numbers, as `JSON.parse` of the token would).
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedJson {
    /// The header's JSON text, a JSON object.
    pub header_json: String,
    /// The claims' JSON text, a JSON object. Unverified: anyone can forge them.
    pub claims_json: String,
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

/// [`decode_unverified`], leaving the header and claims as JSON text (each checked to be a
/// JSON object, nothing built from it).
///
/// ```
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJ6IjoxLCJhIjoyfQ.c2ln"; // claims {"z":1,"a":2}
/// let t = jwt_refresh::decode_unverified_json(token).unwrap();
/// assert_eq!(t.claims_json, r#"{"z":1,"a":2}"#);
/// ```
pub fn decode_unverified_json(token: &str) -> Result<UnverifiedJson> {
    let parts = split(token, DEFAULT_MAX_TOKEN_LENGTH)?;
    let object_text = |segment: &str, what: &str| {
        let text = decode_text(segment, what)?;
        read_members(&text, [], &[]).map_err(|e| e.malformed(what))?;
        Ok::<_, Error>(text)
    };
    Ok(UnverifiedJson {
        header_json: object_text(parts.header, "header")?,
        claims_json: object_text(parts.payload, "payload")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn json_text_is_the_tokens_own() {
        let payload = r#"{"z":1,"a":[2.50,"x"],"m":{"k":null}}"#;
        let decoded = decode_unverified_json(&token(r#"{"alg":"HS256"}"#, payload)).unwrap();
        assert_eq!(decoded.claims_json, payload);
        assert_eq!(decoded.header_json, r#"{"alg":"HS256"}"#);
        let parsed = decode_unverified(&token(r#"{"alg":"HS256"}"#, payload)).unwrap();
        assert_eq!(parsed.claims["a"][1], "x");
    }

    #[test]
    fn header_and_claims_must_be_json_objects() {
        for (header, payload, what) in [
            ("[1]", "{}", "header"),
            ("{}", "[1]", "payload"),
            ("{}", "1", "payload"),
            ("{}", r#"{"a":1} x"#, "payload"),
            ("{}", r#"{"a":"#, "payload"),
            (r#"{"a":1}{}"#, "{}", "header"),
        ] {
            let err = decode_unverified_json(&token(header, payload)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MalformedToken, "{header} {payload}");
            assert!(err.message().contains(what), "{}", err.message());
            assert_eq!(
                decode_unverified(&token(header, payload))
                    .unwrap_err()
                    .code(),
                ErrorCode::MalformedToken
            );
        }
    }
}
