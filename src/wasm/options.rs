//! What every JS options object shares: durations as seconds or text, and the refusal of
//! unknown option names.

use super::error::{invalid_options, JsResult};
use crate::{parse_duration, seconds_from_f64};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// Seconds as a number, or text such as "15m".
pub(crate) enum JsDuration {
    Seconds(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for JsDuration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = JsDuration;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("seconds, or a duration such as \"15m\"")
            }
            fn visit_f64<E: serde::de::Error>(self, seconds: f64) -> Result<JsDuration, E> {
                Ok(JsDuration::Seconds(seconds))
            }
            fn visit_u64<E: serde::de::Error>(self, seconds: u64) -> Result<JsDuration, E> {
                Ok(JsDuration::Seconds(seconds as f64))
            }
            fn visit_i64<E: serde::de::Error>(self, seconds: i64) -> Result<JsDuration, E> {
                Ok(JsDuration::Seconds(seconds as f64))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<JsDuration, E> {
                Ok(JsDuration::Text(text.to_owned()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsDuration {
    pub(crate) fn seconds(&self, name: &str) -> JsResult<u64> {
        match self {
            JsDuration::Seconds(s) => seconds_from_f64(*s)
                .ok_or_else(|| invalid_options(format!("{name} must be a non-negative number"))),
            JsDuration::Text(text) => parse_duration(text).map_err(super::error::to_js),
        }
    }
}

/// serde-wasm-bindgen reads only the fields a struct names, so `deny_unknown_fields`
/// never fires; a misspelt security option must not be silently ignored.
pub(crate) fn reject_unknown(options: &JsValue, known: &[&str], what: &str) -> JsResult<()> {
    if !options.is_object() {
        return Err(invalid_options(format!("{what} must be an object")));
    }
    let object: &js_sys::Object = options.unchecked_ref();
    let keys = js_sys::Object::keys(object);
    let names = keys.iter().map(|n| n.as_string().unwrap_or_default());
    only_known(names, known, what)
}

/// The one rule for option names, whether read from a JS object or from its JSON.
pub(crate) fn only_known(
    names: impl IntoIterator<Item = impl AsRef<str>>,
    known: &[&str],
    what: &str,
) -> JsResult<()> {
    match names
        .into_iter()
        .find(|name| !known.contains(&name.as_ref()))
    {
        Some(name) => Err(invalid_options(format!(
            "unknown {what} field {:?}",
            name.as_ref()
        ))),
        None => Ok(()),
    }
}
