//! The JS API in Node (`wasm-pack test --node`); the same cases run in browsers as
//! `wasm_api_browser`.
#![cfg(all(target_arch = "wasm32", feature = "keys"))]

#[path = "wasm_api/cases.rs"]
mod cases;
