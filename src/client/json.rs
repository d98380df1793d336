//! JSON for the client core's records: the pair it stores, its messages to other tabs, the
//! token endpoint's answers, the claims it schedules by, the logout body and DPoP proofs. Natively serde
//! does it (serde_json). In wasm each record is read and written field by field through the
//! host's `JSON.parse`/`JSON.stringify` (`src/wasm/browser/records.rs`): a JSON parser, or
//! serde over JS values, cost the browser client more than all its records together. The
//! field names and shapes are serde's in both, so what is stored or sent is the same.

#[cfg(not(target_arch = "wasm32"))]
use super::proof::{ProofClaims, ProofHeader};
#[cfg(not(target_arch = "wasm32"))]
use super::session::{LogoutBody, OAuthError};
#[cfg(not(target_arch = "wasm32"))]
use super::{TabMessage, TokenResponse, TokenSet};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A record the client writes as JSON text (`None`: it could not be written).
pub(crate) trait WriteJson {
    /// The record's JSON text.
    fn write_json(&self) -> Option<String>;
}

/// A record the client reads from JSON text (`None`: the text is not one).
pub(crate) trait ReadJson: Sized {
    /// The record in `text`.
    fn read_json(text: &str) -> Option<Self>;
}

/// The record as JSON text.
pub(crate) fn to_string<T: WriteJson>(value: &T) -> Option<String> {
    value.write_json()
}

/// The record in JSON text; `None` for text that is not one.
pub(crate) fn from_str<T: ReadJson>(text: &str) -> Option<T> {
    T::read_json(text)
}

#[cfg(not(target_arch = "wasm32"))]
macro_rules! written_by_serde {
    ($($record:ty),*) => {$(
        impl WriteJson for $record {
            fn write_json(&self) -> Option<String> {
                serde_json::to_string(self).ok()
            }
        }
    )*};
}

#[cfg(not(target_arch = "wasm32"))]
macro_rules! read_by_serde {
    ($($record:ty),*) => {$(
        impl ReadJson for $record {
            fn read_json(text: &str) -> Option<Self> {
                serde_json::from_str(text).ok()
            }
        }
    )*};
}

#[cfg(not(target_arch = "wasm32"))]
written_by_serde!(
    TokenSet,
    TabMessage,
    LogoutBody<'_>,
    ProofHeader<'_>,
    ProofClaims<'_>
);
#[cfg(not(target_arch = "wasm32"))]
read_by_serde!(
    TokenSet,
    TabMessage,
    TokenResponse,
    OAuthError,
    ScheduleClaims
);

/// A claim's value as the client reads it: a number, a string, or anything else (ignored).
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) enum Claim {
    Number(f64),
    Text(String),
    #[default]
    Other,
}

impl<'de> Deserialize<'de> for Claim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Claim, D::Error> {
        deserializer.deserialize_any(ClaimVisitor)
    }
}

struct ClaimVisitor;

impl<'de> Visitor<'de> for ClaimVisitor {
    type Value = Claim;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Claim, E> {
        Ok(Claim::Number(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Claim, E> {
        Ok(Claim::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Claim, E> {
        Ok(Claim::Number(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Claim, E> {
        Ok(Claim::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Claim, E> {
        Ok(Claim::Text(v))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Claim, E> {
        Ok(Claim::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Claim, E> {
        Ok(Claim::Other)
    }
    fn visit_none<E: de::Error>(self) -> Result<Claim, E> {
        Ok(Claim::Other)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Claim, D::Error> {
        deserializer.deserialize_any(ClaimVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Claim, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Claim::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claim, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Claim::Other)
    }
}

/// The claims the client schedules by, from a token's payload: a JSON object (serde would
/// also read a struct from an array); the other claims are skipped.
pub(crate) fn schedule_claims(payload: &str) -> Option<ScheduleClaims> {
    payload
        .trim_start()
        .starts_with('{')
        .then(|| from_str::<ScheduleClaims>(payload))
        .flatten()
}

/// The claims the client schedules by.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ScheduleClaims {
    #[serde(default)]
    pub(crate) exp: Claim,
    #[serde(default)]
    pub(crate) iat: Claim,
    #[serde(default)]
    pub(crate) sub: Claim,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn claims_of_any_type_are_read_leniently() {
        let claims: ScheduleClaims =
            from_str(r#"{"exp":1.5e9,"iat":"soon","sub":"ada","x":{"y":[1,{"z":null}]}}"#).unwrap();
        assert_eq!(claims.exp, Claim::Number(1.5e9));
        assert_eq!(claims.iat, Claim::Text("soon".into()));
        assert_eq!(claims.sub, Claim::Text("ada".into()));
        let odd = schedule_claims(r#" {"exp":null,"iat":[1],"sub":{"a":1}}"#).unwrap();
        assert_eq!(
            (odd.exp, odd.iat, odd.sub),
            (Claim::Other, Claim::Other, Claim::Other)
        );
        assert!(schedule_claims("[1]").is_none());
        assert!(schedule_claims("{").is_none());
        assert!(schedule_claims("1").is_none());
    }
}
