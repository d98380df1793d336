//! A JS object as a [`SessionStore`]: `get`, `put`, `list` returning promises.
//! A throw, a rejection, a malformed answer or a timeout is `store_unavailable`.

use crate::{Error, ErrorCode, MemoryStore, SessionStore, Stored};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/wasm/webcrypto.js")]
extern "C" {
    /// `answer` (a promise, or a plain value), or a rejection with "timeout" past `timeout_ms`.
    #[wasm_bindgen(js_name = withTimeout)]
    fn with_timeout(answer: &JsValue, timeout_ms: f64) -> Promise;
}

fn unavailable(what: &str, detail: &str) -> Error {
    Error::new(
        ErrorCode::StoreUnavailable,
        format!("session store {what} failed: {detail}"),
    )
}

/// The store of an issuer: Rust's in-memory one, or a JS object.
pub(crate) enum AnyStore {
    Memory(MemoryStore),
    Js { store: JsValue, timeout_ms: f64 },
}

impl AnyStore {
    async fn call(
        store: &JsValue,
        timeout_ms: f64,
        method: &str,
        args: &Array,
    ) -> Result<JsValue, Error> {
        let function: Function = Reflect::get(store, &method.into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| unavailable(method, "the store has no such method"))?;
        let result = function
            .apply(store, args)
            .map_err(|err| unavailable(method, &super::js::describe(&err)))?;
        JsFuture::from(with_timeout(&result, timeout_ms))
            .await
            .map_err(|err| unavailable(method, &super::js::describe(&err)))
    }
}

impl SessionStore for AnyStore {
    async fn get(&self, sub: &str, sid: &str) -> Result<Option<Stored>, Error> {
        let (store, timeout) = match self {
            AnyStore::Memory(memory) => return memory.get(sub, sid).await,
            AnyStore::Js { store, timeout_ms } => (store, *timeout_ms),
        };
        let found =
            Self::call(store, timeout, "get", &Array::of2(&sub.into(), &sid.into())).await?;
        if found.is_null() || found.is_undefined() {
            return Ok(None);
        }
        let value = Reflect::get(&found, &"value".into())
            .ok()
            .and_then(|v| v.as_string());
        let version = Reflect::get(&found, &"version".into())
            .ok()
            .and_then(|v| v.as_f64());
        match (value, version) {
            (Some(value), Some(version)) if version >= 0.0 && version.fract() == 0.0 => {
                Ok(Some(Stored {
                    value,
                    version: version as u64,
                }))
            }
            _ => Err(unavailable(
                "get",
                "expected { value: string, version: number } or null",
            )),
        }
    }

    async fn put(
        &self,
        sub: &str,
        sid: &str,
        value: &str,
        expected: Option<u64>,
        expires_at: i64,
    ) -> Result<bool, Error> {
        let (store, timeout) = match self {
            AnyStore::Memory(memory) => {
                return memory.put(sub, sid, value, expected, expires_at).await
            }
            AnyStore::Js { store, timeout_ms } => (store, *timeout_ms),
        };
        let args = Array::of5(
            &sub.into(),
            &sid.into(),
            &value.into(),
            &expected.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)),
            &JsValue::from_f64(expires_at as f64),
        );
        let written = Self::call(store, timeout, "put", &args).await?;
        written
            .as_bool()
            .ok_or_else(|| unavailable("put", "expected a boolean"))
    }

    async fn list(&self, sub: &str) -> Result<Vec<String>, Error> {
        let (store, timeout) = match self {
            AnyStore::Memory(memory) => return memory.list(sub).await,
            AnyStore::Js { store, timeout_ms } => (store, *timeout_ms),
        };
        let ids = Self::call(store, timeout, "list", &Array::of1(&sub.into())).await?;
        let not_strings = || unavailable("list", "expected an array of strings");
        if !super::js::is_array(&ids, "the store's list").map_err(|_| not_strings())? {
            return Err(not_strings());
        }
        super::js::items(&ids, "the store's list")
            .map_err(|_| not_strings())?
            .iter()
            .map(|id| {
                id.as_string()
                    .ok_or_else(|| unavailable("list", "expected strings"))
            })
            .collect()
    }

    fn forget_expired(&self, now: i64) {
        match self {
            AnyStore::Memory(memory) => memory.forget_expired(now),
            // The protocol's optional, synchronous member (the exported MemoryStore has it);
            // a throw changes nothing of the login.
            AnyStore::Js { store, .. } => {
                let hook = Reflect::get(store, &"forgetExpired".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<Function>().ok());
                if let Some(hook) = hook {
                    let _ = hook.call1(store, &JsValue::from_f64(now as f64));
                }
            }
        }
    }
}
