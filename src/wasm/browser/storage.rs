//! Browser storages behind the core's [`TokenStorage`]: memory, `localStorage`,
//! `sessionStorage`, IndexedDB, or any object with async get/set/remove.

use super::glue;
use crate::client::{MemoryStorage, TokenStorage};
use crate::{Error, ErrorCode, Result};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Maps a thrown value: a full quota is its own code, anything else is "unavailable".
pub(crate) fn storage_error(err: &JsValue, what: &str) -> Error {
    let name = Reflect::get(err, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = Reflect::get(err, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| crate::wasm::js::describe(err));
    // Firefox has used NS_ERROR_DOM_QUOTA_REACHED; code 22 is the legacy QUOTA_EXCEEDED_ERR.
    let code = Reflect::get(err, &"code".into())
        .ok()
        .and_then(|c| c.as_f64());
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" || code == Some(22.0) {
        Error::new(
            ErrorCode::StorageQuotaExceeded,
            format!("{what}: storage is full ({message})"),
        )
    } else {
        Error::new(
            ErrorCode::StorageUnavailable,
            format!("{what}: {name} {message}"),
        )
    }
}

fn unavailable(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::StorageUnavailable, message)
}

/// The storage a client keeps its tokens in.
pub(crate) enum BrowserStorage {
    Memory(MemoryStorage),
    /// `localStorage` or `sessionStorage` (synchronous Web Storage).
    Web(JsValue),
    IndexedDb(JsValue),
    /// Any object with async `get`, `set`, `remove`.
    Custom(JsValue),
}

impl BrowserStorage {
    /// Opens a storage by name, or wraps a custom object. Missing `window`, a disabled
    /// storage (private mode, sandboxed frame) or a blocked database is `storage_unavailable`.
    pub(crate) async fn open(spec: &JsValue, namespace: &str) -> Result<BrowserStorage> {
        if spec.is_undefined() || spec.is_null() {
            return Ok(BrowserStorage::Memory(MemoryStorage::default()));
        }
        if let Some(name) = spec.as_string() {
            return match name.as_str() {
                "memory" => Ok(BrowserStorage::Memory(MemoryStorage::default())),
                "localStorage" | "sessionStorage" => {
                    // Reading the property itself throws in some sandboxed contexts.
                    let storage = Reflect::get(&js_sys::global(), &name.as_str().into())
                        .map_err(|e| storage_error(&e, &name))?;
                    if storage.is_undefined() || storage.is_null() {
                        return Err(unavailable(format!("{name} is not available here")));
                    }
                    Ok(BrowserStorage::Web(storage))
                }
                "indexedDB" => {
                    let db = JsFuture::from(glue::idb_open(&format!("{namespace}-tokens")))
                        .await
                        .map_err(|e| storage_error(&e, "indexedDB"))?;
                    Ok(BrowserStorage::IndexedDb(db))
                }
                other => Err(Error::new(
                    ErrorCode::InvalidOptions,
                    format!("unknown storage \"{other}\": use memory, localStorage, sessionStorage, indexedDB or an object"),
                )),
            };
        }
        for method in ["get", "set", "remove"] {
            let f = Reflect::get(spec, &method.into()).unwrap_or(JsValue::UNDEFINED);
            if !f.is_function() {
                return Err(Error::new(
                    ErrorCode::InvalidOptions,
                    "a custom storage needs async get, set and remove methods",
                ));
            }
        }
        Ok(BrowserStorage::Custom(spec.clone()))
    }

    /// Whether other tabs see the same values (and so can be asked inside the lock).
    pub(crate) fn is_shared(&self) -> bool {
        !matches!(self, BrowserStorage::Memory(_))
    }

    fn call(
        target: &JsValue,
        method: &str,
        args: &[&JsValue],
    ) -> core::result::Result<JsValue, JsValue> {
        let function: Function = Reflect::get(target, &method.into())?.dyn_into()?;
        let args: Array = args.iter().copied().collect();
        function.apply(target, &args)
    }

    async fn custom(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue> {
        let result = Self::call(target, method, args).map_err(|e| storage_error(&e, method))?;
        JsFuture::from(Promise::resolve(&result))
            .await
            .map_err(|e| storage_error(&e, method))
    }
}

impl TokenStorage for BrowserStorage {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        let value = match self {
            BrowserStorage::Memory(memory) => return memory.get(key).await,
            BrowserStorage::Web(storage) => Self::call(storage, "getItem", &[&key.into()])
                .map_err(|e| storage_error(&e, "getItem"))?,
            BrowserStorage::IndexedDb(db) => JsFuture::from(glue::idb_get(db, key))
                .await
                .map_err(|e| storage_error(&e, "indexedDB get"))?,
            BrowserStorage::Custom(target) => Self::custom(target, "get", &[&key.into()]).await?,
        };
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| unavailable("the storage returned a non-string value"))
    }

    async fn set(&self, key: &str, value: &str) -> Result<()> {
        match self {
            BrowserStorage::Memory(memory) => memory.set(key, value).await,
            BrowserStorage::Web(storage) => {
                Self::call(storage, "setItem", &[&key.into(), &value.into()])
                    .map(|_| ())
                    .map_err(|e| storage_error(&e, "setItem"))
            }
            BrowserStorage::IndexedDb(db) => JsFuture::from(glue::idb_set(db, key, value))
                .await
                .map(|_| ())
                .map_err(|e| storage_error(&e, "indexedDB set")),
            BrowserStorage::Custom(target) => {
                Self::custom(target, "set", &[&key.into(), &value.into()])
                    .await
                    .map(|_| ())
            }
        }
    }

    async fn remove(&self, key: &str) -> Result<()> {
        match self {
            BrowserStorage::Memory(memory) => memory.remove(key).await,
            BrowserStorage::Web(storage) => Self::call(storage, "removeItem", &[&key.into()])
                .map(|_| ())
                .map_err(|e| storage_error(&e, "removeItem")),
            BrowserStorage::IndexedDb(db) => JsFuture::from(glue::idb_remove(db, key))
                .await
                .map(|_| ())
                .map_err(|e| storage_error(&e, "indexedDB remove")),
            BrowserStorage::Custom(target) => Self::custom(target, "remove", &[&key.into()])
                .await
                .map(|_| ()),
        }
    }
}
