//! The browser side in JS: token storages, the platform the client core runs on, and the
//! `AuthClient` binding (the decisions are in `src/client/`).

mod client;
mod client_options;
mod platform;
mod records;
mod storage;
mod tab;

pub use client::JsAuthClient;

/// The browser APIs the client drives (src/wasm/browser/glue.js).
pub(crate) mod glue {
    use js_sys::{Function, Promise};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/wasm/browser/glue.js")]
    extern "C" {
        pub fn sleep(ms: f64) -> Promise;
        #[wasm_bindgen(js_name = startTimer)]
        pub fn start_timer(ms: f64, callback: &Function) -> JsValue;
        #[wasm_bindgen(js_name = stopTimer)]
        pub fn stop_timer(id: &JsValue);
        #[wasm_bindgen(js_name = randomUnit)]
        pub fn random_unit() -> f64;
        #[wasm_bindgen(js_name = randomId)]
        pub fn random_id() -> String;
        #[wasm_bindgen(js_name = setLogoutPending)]
        pub fn set_logout_pending(key: &str, pending: bool);
        #[wasm_bindgen(js_name = logoutPending)]
        pub fn logout_pending(key: &str) -> bool;
        #[wasm_bindgen(js_name = hasCookie)]
        pub fn has_cookie(name: &str) -> bool;
        #[wasm_bindgen(js_name = isSameOrigin)]
        pub fn is_same_origin(url: &str) -> bool;
        #[wasm_bindgen(js_name = acquireLock)]
        pub fn acquire_lock(name: &str, timeout_ms: f64) -> Promise;
        #[allow(clippy::too_many_arguments)]
        pub fn post(
            fetch: &Function,
            url: &str,
            authorization: Option<String>,
            dpop: Option<String>,
            content_type: &str,
            body: &JsValue,
            timeout_ms: f64,
            with_cookies: bool,
            keepalive: bool,
        ) -> Promise;
        /// `names_and_values` (name, value, name, value...) as form text.
        #[wasm_bindgen(js_name = formBody)]
        pub fn form_body(names_and_values: &js_sys::Array) -> JsValue;
        #[wasm_bindgen(catch, js_name = prepareRequest)]
        pub fn prepare_request(input: &JsValue, init: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = originOf)]
        pub fn origin_of(url: &str) -> Result<String, JsValue>;
        #[wasm_bindgen(js_name = absoluteUrl)]
        pub fn absolute_url(url: &str) -> String;
        #[wasm_bindgen(js_name = sendRequest)]
        pub fn send_request(
            fetch: &Function,
            request: &JsValue,
            authorization: Option<String>,
            dpop: Option<String>,
        ) -> Promise;
        #[wasm_bindgen(js_name = headerOf)]
        pub fn header_of(response: &JsValue, name: &str) -> Option<String>;
        #[wasm_bindgen(js_name = proofKey)]
        pub fn proof_key(database: &str, alg: &str) -> Promise;
        #[wasm_bindgen(js_name = signProof)]
        pub fn sign_proof(key: &JsValue, input: &str) -> Promise;
        #[wasm_bindgen(js_name = discardProofKey)]
        pub fn discard_proof_key(database: &str) -> Promise;
        #[wasm_bindgen(js_name = openChannel)]
        pub fn open_channel(name: &str, on_message: &Function) -> JsValue;
        /// Adds `[event, listener]` to `listeners`; the function it returns removes it (once,
        /// however often it is called).
        #[wasm_bindgen(js_name = addListener)]
        pub fn add_listener(listeners: &JsValue, event: &str, listener: &Function) -> Function;
        #[wasm_bindgen(js_name = notifyListeners)]
        pub fn notify_listeners(listeners: &JsValue, event: &str, detail: &JsValue);
        #[wasm_bindgen(js_name = openStorage)]
        pub fn open_storage(spec: &JsValue, namespace: &str) -> Promise;
        /// `storage[method](key)`, or `(key, value)`: a promise from `openStorage`'s object.
        #[wasm_bindgen(js_name = storageCall)]
        pub fn storage_call(
            storage: &JsValue,
            method: &str,
            key: &str,
            value: Option<&str>,
        ) -> Promise;
    }

    // The host's base64url, shared with the key code's snippet (src/base64url.rs uses it).
    #[wasm_bindgen(module = "/src/wasm/webcrypto.js")]
    extern "C" {
        #[wasm_bindgen(js_name = base64url)]
        pub fn base64url_encode(bytes: &[u8]) -> String;
        #[wasm_bindgen(catch, js_name = base64urlDecode)]
        pub fn base64url_decode(text: &str) -> Result<Vec<u8>, JsValue>;
    }
}
