//! Core errors → JS `Error { name: "JwtRefreshError", code }`.

use crate::{Error, ErrorCode};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

const ERROR_NAME: &str = "JwtRefreshError";

#[wasm_bindgen(module = "/src/wasm/webcrypto.js")]
extern "C" {
    /// A real JS `Error` (with a stack) carrying `name` and the stable `code`; made in JS so
    /// that the errors of `verifyAsync`'s promise come from the same constructor.
    #[wasm_bindgen(js_name = jwtRefreshError)]
    fn jwt_refresh_error(code: &str, message: &str) -> JsValue;
}

/// The JS error for a core error.
pub(crate) fn to_js(err: Error) -> JsValue {
    jwt_refresh_error(err.code().as_str(), err.message())
}

/// Shorthand for results crossing the boundary.
pub(crate) type JsResult<T> = Result<T, JsValue>;

#[cfg(any(feature = "keys", feature = "browser"))]
pub(crate) fn invalid_options(message: impl Into<String>) -> JsValue {
    to_js(Error::new(ErrorCode::InvalidOptions, message))
}

/// The core error of a value a promise rejected with: this library's errors keep their code,
/// anything else (a TypeError from `fetch`, a host failure) becomes `otherwise`.
#[cfg(any(feature = "keys", feature = "browser"))]
pub(crate) fn error_from_js(value: &JsValue, otherwise: ErrorCode) -> Error {
    let code = Reflect::get(value, &"code".into())
        .ok()
        .and_then(|code| code.as_string())
        .and_then(|code| ErrorCode::parse(&code));
    let message = super::js::describe(value);
    Error::new(code.unwrap_or(otherwise), message)
}

/// Every error code this build can throw.
///
/// ```js
/// errorCodes().includes("token_expired"); // true
/// ```
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCode[]")]
pub fn error_codes() -> js_sys::Array {
    ErrorCode::ALL
        .iter()
        .map(|c| JsValue::from_str(c.as_str()))
        .collect()
}

/// Type guard: is `value` an error thrown by this library?
///
/// ```js
/// try { key.verify(token) } catch (e) {
///   if (isJwtRefreshError(e) && e.code === "token_expired") refresh();
/// }
/// ```
#[wasm_bindgen(js_name = isJwtRefreshError, unchecked_return_type = "value is JwtRefreshError")]
pub fn is_jwt_refresh_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue,
) -> bool {
    // Every read through Reflect (catching): a Proxy around an Error passes `instanceof`.
    if !value.is_instance_of::<js_sys::Error>() {
        return false;
    }
    let name = Reflect::get(value, &"name".into()).ok();
    if name.and_then(|name| name.as_string()).as_deref() != Some(ERROR_NAME) {
        return false;
    }
    Reflect::get(value, &"code".into())
        .ok()
        .and_then(|code| code.as_string())
        .is_some_and(|code| ErrorCode::parse(&code).is_some())
}
