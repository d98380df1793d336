//! The storage a client keeps its tokens in, behind the core's [`TokenStorage`]: memory,
//! `localStorage`, `sessionStorage`, IndexedDB or any object with async get/set/remove, each
//! wrapped by `openStorage` in `glue.js` into one promise-shaped object whose failures already
//! carry their code (a full quota is its own).

use super::glue;
use crate::client::TokenStorage;
use crate::wasm::error::error_from_js;
use crate::{ErrorCode, Result};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub(crate) struct BrowserStorage {
    storage: JsValue,
    shared: bool,
}

impl BrowserStorage {
    /// Opens a storage by name, or wraps a custom object. Missing `window`, a disabled
    /// storage (private mode, sandboxed frame) or a blocked database is `storage_unavailable`;
    /// an unknown name or an object without the three methods is `invalid_options`.
    pub(crate) async fn open(spec: &JsValue, namespace: &str) -> Result<BrowserStorage> {
        let storage = JsFuture::from(glue::open_storage(spec, namespace))
            .await
            .map_err(|e| error_from_js(&e, ErrorCode::StorageUnavailable))?;
        let shared = Reflect::get(&storage, &"shared".into())
            .ok()
            .and_then(|shared| shared.as_bool())
            .unwrap_or(true);
        Ok(BrowserStorage { storage, shared })
    }

    /// Whether other tabs see the same values (and so can be asked inside the lock).
    pub(crate) fn is_shared(&self) -> bool {
        self.shared
    }

    async fn call(&self, method: &str, key: &str, value: Option<&str>) -> Result<JsValue> {
        JsFuture::from(glue::storage_call(&self.storage, method, key, value))
            .await
            .map_err(|e| error_from_js(&e, ErrorCode::StorageUnavailable))
    }
}

impl TokenStorage for BrowserStorage {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        // `openStorage` resolves a string or null.
        Ok(self.call("get", key, None).await?.as_string())
    }

    async fn set(&self, key: &str, value: &str) -> Result<()> {
        self.call("set", key, Some(value)).await.map(drop)
    }

    async fn remove(&self, key: &str) -> Result<()> {
        self.call("remove", key, None).await.map(drop)
    }
}
