//! The JS API in browsers (`wasm-pack test --headless --chrome`, `--firefox`; WebKit through
//! scripts/webkit-driver): the cases of `wasm_api`, configured to run in a browser.
#![cfg(all(target_arch = "wasm32", feature = "keys"))]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm_api/cases.rs"]
mod cases;
