//! The browser side in JS: token storages and the `AuthClient` (DESIGN.md §6).

mod client;
mod storage;

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
        #[wasm_bindgen(js_name = withLock)]
        pub fn with_lock(name: &str, timeout_ms: f64, work: &Function) -> Promise;
        #[wasm_bindgen(js_name = openChannel)]
        pub fn open_channel(name: &str, on_message: &Function) -> JsValue;
        #[wasm_bindgen(js_name = idbOpen)]
        pub fn idb_open(name: &str) -> Promise;
        #[wasm_bindgen(js_name = idbGet)]
        pub fn idb_get(db: &JsValue, key: &str) -> Promise;
        #[wasm_bindgen(js_name = idbSet)]
        pub fn idb_set(db: &JsValue, key: &str, value: &str) -> Promise;
        #[wasm_bindgen(js_name = idbRemove)]
        pub fn idb_remove(db: &JsValue, key: &str) -> Promise;
    }
}
