//! Reading a caller's JS values without letting a JS exception unwind through wasm.
//!
//! A getter that throws, a revoked `Proxy`, or a `Proxy` around a `Date` make `Object.entries`,
//! `Array.isArray`, `Array.from` and `Date.prototype.getTime` throw. js-sys imports them
//! without `catch`, so the exception crossed the Rust frames: the shadow stack pointer was
//! never restored, and after a few hundred such calls every call trapped. Each read here is
//! imported with `catch`, and what it threw becomes a typed error naming the cause.

use super::error::{invalid_options, JsResult};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> Result<Array, JsValue>;
    /// A `Date` whose `getTime` may throw (it does on a `Proxy`).
    type CheckedDate;
    #[wasm_bindgen(catch, method, js_name = getTime)]
    fn get_time(this: &CheckedDate) -> Result<f64, JsValue>;
}

/// What a thrown value says about itself, read without calling anything that can throw again:
/// its `message` if it has a string one, the value itself if a string, else its type. (`{:?}`
/// of a `JsValue` runs JS that throws on a revoked `Proxy`.)
pub(crate) fn describe(thrown: &JsValue) -> String {
    if let Some(text) = thrown.as_string() {
        return text;
    }
    if thrown.is_object() || thrown.is_function() {
        if let Some(message) = Reflect::get(thrown, &"message".into())
            .ok()
            .and_then(|message| message.as_string())
        {
            return message;
        }
        return "an object that cannot be read".into();
    }
    match thrown.js_typeof().as_string() {
        Some(kind) => format!("a value of type {kind}"),
        None => "an unreadable value".into(),
    }
}

/// The `invalid_options` error of reading `what`, which threw `thrown`.
fn unreadable(what: &str, thrown: &JsValue) -> JsValue {
    invalid_options(format!("reading {what} threw: {}", describe(thrown)))
}

/// `[name, value]` pairs of the own enumerable members of `value` (an object).
pub(crate) fn entries(value: &JsValue, what: &str) -> JsResult<Array> {
    object_entries(value).map_err(|thrown| unreadable(what, &thrown))
}

/// Whether `value` is an array (a revoked `Proxy` throws even this).
pub(crate) fn is_array(value: &JsValue, what: &str) -> JsResult<bool> {
    array_is_array(value).map_err(|thrown| unreadable(what, &thrown))
}

/// The items of an array-like `value`, copied into a plain array (so that no later read goes
/// through the caller's getters or `Proxy` traps).
#[cfg(any(feature = "keys", feature = "browser"))]
pub(crate) fn items(value: &JsValue, what: &str) -> JsResult<Array> {
    array_from(value).map_err(|thrown| unreadable(what, &thrown))
}

/// A member of `target`, or `invalid_options` if reading it threw.
#[cfg(feature = "keys")]
pub(crate) fn member(target: &JsValue, name: &str, what: &str) -> JsResult<JsValue> {
    Reflect::get(target, &name.into()).map_err(|thrown| unreadable(what, &thrown))
}

/// The time of a `Date` (a `Proxy` passes `instanceof Date` but `getTime` throws on it).
#[cfg(feature = "keys")]
pub(crate) fn time_of(date: &js_sys::Date, what: &str) -> JsResult<f64> {
    date.unchecked_ref::<CheckedDate>()
        .get_time()
        .map_err(|thrown| unreadable(what, &thrown))
}
