//! JS ⇄ JSON conversions shared by the bindings.

use super::error::{invalid_options, JsResult};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// Plain JS objects out (not `Map`s), as JSON.parse would give.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|err| invalid_options(err.to_string()))
}

/// A JS value that must be a plain JSON object.
pub(crate) fn object_from_js(value: JsValue, what: &str) -> JsResult<Map<String, Value>> {
    if value.is_undefined() || value.is_null() {
        return Ok(Map::new());
    }
    match serde_wasm_bindgen::from_value::<Value>(value) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(invalid_options(format!("{what} must be an object"))),
        Err(err) => Err(invalid_options(format!("{what} is not JSON: {err}"))),
    }
}

/// Any JSON value.
pub(crate) fn json_from_js(value: JsValue, what: &str) -> JsResult<Value> {
    serde_wasm_bindgen::from_value::<Value>(value)
        .map_err(|err| invalid_options(format!("{what} is not JSON: {err}")))
}
