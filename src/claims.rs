//! Typed reads of registered claims (RFC 7519 §4.1) from a JSON claims object.

use crate::error::{Error, ErrorCode, Result};
use serde_json::{Map, Value};

/// A JWT claims set: any JSON object.
pub type ClaimsSet = Map<String, Value>;

fn invalid(name: &str, expected: &str) -> Error {
    Error::new(
        ErrorCode::ClaimInvalid,
        format!("the {name:?} claim must be {expected}"),
    )
}

/// A NumericDate claim (`exp`, `nbf`, `iat`): absent, or a finite JSON number.
pub(crate) fn numeric_date(claims: &ClaimsSet, name: &str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| invalid(name, "a number")),
        Some(_) => Err(invalid(name, "a number")),
    }
}

/// A StringOrURI claim (`iss`, `sub`, `jti`, `sid`).
pub(crate) fn string_claim<'a>(claims: &'a ClaimsSet, name: &str) -> Result<Option<&'a str>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, "a string")),
    }
}

/// The `aud` claim: a string or an array of strings.
pub(crate) fn audience_claim(claims: &ClaimsSet) -> Result<Option<Vec<&str>>> {
    match claims.get("aud") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| invalid("aud", "a string or an array of strings"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(invalid("aud", "a string or an array of strings")),
    }
}

/// Checks the registered claims' JSON types, so that a token we sign is one we accept.
pub(crate) fn check_registered_types(claims: &ClaimsSet) -> Result<()> {
    for name in ["exp", "nbf", "iat"] {
        numeric_date(claims, name)?;
    }
    for name in ["iss", "sub", "jti"] {
        string_claim(claims, name)?;
    }
    audience_claim(claims)?;
    Ok(())
}
