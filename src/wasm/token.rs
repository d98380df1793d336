//! Free functions: reading a token without verifying it, and durations.

use super::convert::{string_arg, token_arg, token_result_to_js};
use super::error::{to_js as error_to_js, JsResult};
use crate::{decode_unverified_json, parse_duration};
use wasm_bindgen::prelude::*;

/// Reads header and claims WITHOUT verifying anything — for a client that wants `exp`.
/// Never use the result for an access decision. The shape of `verify`'s result; members in the
/// token's order, as `JSON.parse` of each segment gives them.
///
/// ```js
/// const { payload } = decodeUnverified(accessToken);
/// const msLeft = payload.exp * 1000 - Date.now();
/// ```
#[wasm_bindgen(js_name = decodeUnverified, unchecked_return_type = "VerifyResult")]
pub fn decode_unverified_js(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
) -> JsResult<JsValue> {
    let decoded = decode_unverified_json(&token_arg(&token)?).map_err(error_to_js)?;
    token_result_to_js(&decoded.claims_json, &decoded.header_json)
}

/// Seconds in a duration text such as `"15m"`, `"2 hours"`, `"7d"`.
///
/// ```js
/// parseDuration("15m"); // 900
/// ```
#[wasm_bindgen(js_name = parseDuration)]
pub fn parse_duration_js(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> JsResult<f64> {
    let text = string_arg(&text, crate::ErrorCode::InvalidOptions, "a duration")?;
    parse_duration(&text).map(|s| s as f64).map_err(error_to_js)
}
