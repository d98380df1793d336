//! Free functions: reading a token without verifying it, and durations.

use super::convert::to_js;
use super::error::{to_js as error_to_js, JsResult};
use crate::{decode_unverified, parse_duration};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// What `decodeUnverified` returns: the claims and the protected header, as jose names them
/// (the shape of `verify`'s result).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyResult<'a> {
    payload: &'a Map<String, Value>,
    protected_header: &'a Map<String, Value>,
}

/// Reads header and claims WITHOUT verifying anything — for a client that wants `exp`.
/// Never use the result for an access decision.
///
/// ```js
/// const { payload } = decodeUnverified(accessToken);
/// const msLeft = payload.exp * 1000 - Date.now();
/// ```
#[wasm_bindgen(js_name = decodeUnverified, unchecked_return_type = "VerifyResult")]
pub fn decode_unverified_js(token: &str) -> JsResult<JsValue> {
    let decoded = decode_unverified(token).map_err(error_to_js)?;
    to_js(&VerifyResult {
        payload: &decoded.claims,
        protected_header: &decoded.header,
    })
}

/// Seconds in a duration text such as `"15m"`, `"2 hours"`, `"7d"`.
///
/// ```js
/// parseDuration("15m"); // 900
/// ```
#[wasm_bindgen(js_name = parseDuration)]
pub fn parse_duration_js(text: &str) -> JsResult<f64> {
    parse_duration(text).map(|s| s as f64).map_err(error_to_js)
}
