//! JS ⇄ JSON conversions shared by the bindings: claims in and results out cross the boundary
//! as one JSON text, a single `JSON.stringify` or `JSON.parse` call instead of one property
//! access per member. Options are read member by member instead (`options.rs`).

#[cfg(any(feature = "keys", feature = "browser"))]
use super::error::invalid_options;
use super::error::{to_js as error_to_js, JsResult};
#[cfg(feature = "keys")]
use crate::secret_json::SecretJson;
use crate::{Error, ErrorCode};
use wasm_bindgen::prelude::*;
#[cfg(feature = "keys")]
use zeroize::Zeroizing;

/// Plain JS objects out, exactly as `JSON.parse` makes them.
#[cfg(feature = "keys")]
pub(crate) fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    let text = serde_json::to_string(value).map_err(|err| invalid_options(err.to_string()))?;
    js_sys::JSON::parse(&text)
}

#[cfg(feature = "keys")]
#[wasm_bindgen(module = "/src/wasm/text.js")]
extern "C" {
    #[wasm_bindgen(js_name = stringLength)]
    fn string_length(value: &JsValue) -> f64;
    #[wasm_bindgen(js_name = encodeAscii)]
    fn encode_ascii(value: &JsValue, into: &mut [u8]) -> f64;
}

/// `value` as a Rust string, if it is a string. Tokens and claims are ASCII almost always:
/// they are copied by the host's encoder in one call (`text.js`); any other string takes
/// wasm-bindgen's own path.
#[cfg(feature = "keys")]
pub(crate) fn string_of(value: &JsValue) -> Option<String> {
    let units = string_length(value);
    if units < 0.0 {
        return None;
    }
    let mut bytes = vec![0; units as usize];
    let written = encode_ascii(value, &mut bytes);
    if written < 0.0 {
        return value.as_string();
    }
    bytes.truncate(written as usize);
    String::from_utf8(bytes).ok().or_else(|| value.as_string())
}

/// `value` as a Rust string, if it is a string: the browser client reads a few strings per
/// refresh, and keeps wasm-bindgen's own path instead of the bytes of the one above.
#[cfg(not(feature = "keys"))]
pub(crate) fn string_of(value: &JsValue) -> Option<String> {
    value.as_string()
}

/// A string argument from JS. wasm-bindgen's own string parameters read `.length` of whatever
/// they are given and copy that much: a number or an object made wasm write out of bounds (a
/// trap, which can leave the allocator broken), `undefined` threw a bare `TypeError`. Anything
/// but a string is `code` instead, saying `what` it is.
pub(crate) fn string_arg(value: &JsValue, code: ErrorCode, what: &str) -> JsResult<String> {
    string_of(value)
        .ok_or_else(|| error_to_js(Error::new(code, format!("{what} must be a string"))))
}

/// A token argument: anything but a string is `malformed_token`.
pub(crate) fn token_arg(value: &JsValue) -> JsResult<String> {
    string_arg(value, ErrorCode::MalformedToken, "the token")
}

/// An optional string argument: `undefined` and `null` are `None`.
#[cfg(feature = "edge")]
pub(crate) fn optional_string_arg(
    value: JsValue,
    code: ErrorCode,
    what: &str,
) -> JsResult<Option<String>> {
    match value.is_undefined() || value.is_null() {
        true => Ok(None),
        false => string_arg(&value, code, what).map(Some),
    }
}

/// `{ payload, protectedHeader }` (jose's names) from a token's own JSON texts, in one
/// `JSON.parse`: members in the token's order, numbers as JS reads them.
#[cfg(feature = "keys")]
pub(crate) fn token_result_to_js(claims_json: &str, header_json: &str) -> JsResult<JsValue> {
    let mut text = String::with_capacity(claims_json.len() + header_json.len() + 32);
    for part in [
        r#"{"payload":"#,
        claims_json,
        r#","protectedHeader":"#,
        header_json,
        "}",
    ] {
        text.push_str(part);
    }
    js_sys::JSON::parse(&text)
}

/// A JS value through `JSON.stringify` (so `undefined` and functions vanish, `Date`s become
/// strings, as in any JSON API), then into `T`. Unlike serde-wasm-bindgen's reader, a getter
/// or `Proxy` trap that throws is caught here (`invalid_options`).
#[cfg(feature = "edge")]
pub(crate) fn from_js_json<T: serde::de::DeserializeOwned>(
    value: &JsValue,
    what: &str,
) -> JsResult<T> {
    parse_json(&json_text(value, what)?, what)
}

/// `JSON.stringify` of a JS value, with whatever it throws caught (`invalid_options`).
#[cfg(any(feature = "keys", feature = "browser"))]
pub(crate) fn json_text(value: &JsValue, what: &str) -> JsResult<String> {
    let text = js_sys::JSON::stringify(value).map_err(|thrown| {
        invalid_options(format!(
            "{what} is not JSON-serializable: {}",
            super::js::describe(&thrown)
        ))
    })?;
    string_of(&text).ok_or_else(|| invalid_options(format!("{what} is not JSON-serializable")))
}

#[cfg(feature = "keys")]
fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> JsResult<T> {
    serde_json::from_str(text).map_err(|err| invalid_options(format!("invalid {what}: {err}")))
}

/// A JWK or a JWKS from JS: its JSON text and its strings are overwritten once used, so the
/// secrets of a private key leave no copy in wasm memory (`secret_json.rs`).
#[cfg(feature = "keys")]
pub(crate) fn key_json_from_js(value: JsValue, what: &str) -> JsResult<SecretJson> {
    let text = Zeroizing::new(json_text(&value, what)?);
    parse_json(&text, what).map(SecretJson::new)
}

/// A JWK given as its JSON text (a secret read from the environment, say): the text is the
/// caller's, the parsed value is overwritten when dropped.
#[cfg(feature = "keys")]
pub(crate) fn key_json_from_text(text: &str, what: &str) -> JsResult<SecretJson> {
    parse_json(text, what).map(SecretJson::new)
}

/// A private JWK out to JS, built member by member: each string goes straight from the
/// value, which is overwritten when dropped, into JS. (A JSON text would be written into a
/// buffer that grows by reallocation, leaving partial copies of the secret in freed memory.)
#[cfg(feature = "keys")]
pub(crate) fn key_json_to_js(jwk: SecretJson) -> JsResult<JsValue> {
    fn value(json: &serde_json::Value) -> JsResult<JsValue> {
        use serde_json::Value;
        Ok(match json {
            Value::Null => JsValue::NULL,
            Value::Bool(flag) => JsValue::from_bool(*flag),
            Value::Number(number) => JsValue::from_f64(number.as_f64().unwrap_or(f64::NAN)),
            Value::String(text) => JsValue::from_str(text),
            Value::Array(items) => items
                .iter()
                .map(value)
                .collect::<JsResult<js_sys::Array>>()?
                .into(),
            Value::Object(members) => {
                let object = js_sys::Object::new();
                for (name, member) in members {
                    js_sys::Reflect::set(&object, &JsValue::from_str(name), &value(member)?)?;
                }
                object.into()
            }
        })
    }
    value(&jwk)
}

/// A JS value that must be a plain JSON object (`undefined`/`null` read as `{}`).
#[cfg(feature = "edge")]
pub(crate) fn object_from_js(
    value: JsValue,
    what: &str,
) -> JsResult<serde_json::Map<String, serde_json::Value>> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Map::new());
    }
    match from_js_json(&value, what)? {
        serde_json::Value::Object(members) => Ok(members),
        _ => Err(invalid_options(format!("{what} must be an object"))),
    }
}

/// Claims to sign, as the JSON text of an object (`undefined` and `null` are no claims):
/// signing reads the text without building a map (`crate::sign::signing_input_of_json`).
#[cfg(feature = "keys")]
pub(crate) fn claims_json_from_js(value: &JsValue, what: &str) -> JsResult<String> {
    if value.is_undefined() || value.is_null() {
        return Ok("{}".to_owned());
    }
    let text = json_text(value, what)?;
    match text.starts_with('{') {
        true => Ok(text),
        false => Err(invalid_options(format!("{what} must be an object"))),
    }
}

/// A result as a settled promise (for async APIs whose answer is already known).
#[cfg(feature = "keys")]
pub(crate) fn promise_of(result: JsResult<JsValue>) -> js_sys::Promise {
    match result {
        Ok(value) => js_sys::Promise::resolve(&value),
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// Async work that answers JS with a value, boxed.
#[cfg(any(feature = "keys", feature = "browser"))]
pub(crate) type Work = std::pin::Pin<Box<dyn std::future::Future<Output = JsResult<JsValue>>>>;

/// `work` as a promise. Every async method goes through here with its work boxed, so that the
/// wasm carries one `future_to_promise` instance (each instance costs its own task and waker
/// code) rather than one per method.
#[cfg(any(feature = "keys", feature = "browser"))]
pub(crate) fn promise_of_work(work: Work) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(work)
}
