//! Free functions: reading a token without verifying it, and durations.

use super::convert::{string_arg, token_arg};
use super::error::{to_js as error_to_js, JsResult};
use crate::parse_duration;
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
    let token = token_arg(&token)?;
    #[cfg(feature = "keys")]
    {
        let decoded = crate::decode_unverified_json(&token).map_err(error_to_js)?;
        super::convert::token_result_to_js(&decoded.claims_json, &decoded.header_json)
    }
    // The browser client's build has no JSON parser of its own: the host's checks each
    // segment (the structure and base64url strictness are still the core's).
    #[cfg(not(feature = "keys"))]
    {
        use crate::compact::{decode_text, split};
        use crate::{Error, ErrorCode, DEFAULT_MAX_TOKEN_LENGTH};
        let parts = split(&token, DEFAULT_MAX_TOKEN_LENGTH).map_err(error_to_js)?;
        let object = |segment: &str, what: &str| -> JsResult<JsValue> {
            let text = decode_text(segment, what).map_err(error_to_js)?;
            js_sys::JSON::parse(&text)
                .ok()
                .filter(|value| value.is_object() && !js_sys::Array::is_array(value))
                .ok_or_else(|| {
                    error_to_js(Error::new(
                        ErrorCode::MalformedToken,
                        format!("the {what} is not a JSON object"),
                    ))
                })
        };
        let result = js_sys::Object::new();
        js_sys::Reflect::set(
            &result,
            &"payload".into(),
            &object(parts.payload, "payload")?,
        )?;
        js_sys::Reflect::set(
            &result,
            &"protectedHeader".into(),
            &object(parts.header, "header")?,
        )?;
        Ok(result.into())
    }
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
