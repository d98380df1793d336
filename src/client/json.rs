//! JSON for the client core's records: the pair it stores, its messages to other tabs, the
//! token endpoint's answers and the claims it schedules by. Natively that is serde_json; in
//! wasm it is the host's `JSON.parse`/`JSON.stringify`, with serde-wasm-bindgen between JS
//! values and the records (serde_json's parser, number printer and error texts were a third
//! of the browser client's wasm). Either way the records are the same serde types.

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The record as JSON text; `None` if it cannot be written (no record of the client's fails).
pub(crate) fn to_string<T: Serialize>(value: &T) -> Option<String> {
    #[cfg(not(target_arch = "wasm32"))]
    return serde_json::to_string(value).ok();
    #[cfg(target_arch = "wasm32")]
    {
        let value = serde_wasm_bindgen::to_value(value).ok()?;
        js_sys::JSON::stringify(&value).ok()?.as_string()
    }
}

/// The record in JSON text; `None` for text that is not one.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    #[cfg(not(target_arch = "wasm32"))]
    return serde_json::from_str(text).ok();
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).ok()?;
        serde_wasm_bindgen::from_value(value).ok()
    }
}

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
        .then(|| from_str(payload))
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
