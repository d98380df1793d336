//! `MemoryStore` in JS: the core's in-memory session store behind the session store protocol
//! (`get`, `put`, `list` returning promises), so that JS and Rust share one implementation.

use super::convert::string_arg;
use super::error::{invalid_options, to_js as error_to_js, JsResult};
use crate::{ErrorCode, MemoryStore, SessionStore};
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

/// One process's memory as a session store: tests and single-instance servers (not shared
/// across isolates or processes). An Issuer without a `store` keeps one of its own; pass one
/// to share it between issuers.
///
/// ```js
/// const store = new MemoryStore();
/// const issuer = new Issuer(signingKey, refreshKey, { issuer: "https://auth.example", store });
/// ```
#[wasm_bindgen(js_name = MemoryStore)]
#[derive(Default)]
pub struct JsMemoryStore {
    inner: MemoryStore,
}

fn text(value: &JsValue, what: &str) -> JsResult<String> {
    string_arg(value, ErrorCode::InvalidOptions, what)
}

/// A whole number of the protocol (a version, a time), as JS numbers carry them exactly.
fn whole(value: &JsValue, what: &str) -> JsResult<f64> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0)
        .ok_or_else(|| invalid_options(format!("{what} must be a whole number")))
}

#[wasm_bindgen(js_class = MemoryStore)]
impl JsMemoryStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsMemoryStore {
        JsMemoryStore::default()
    }

    /// The record of a session, `{ value, version }`, or null.
    ///
    /// ```js
    /// const record = await store.get("user-1", sessionId);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<{ value: string; version: number } | null>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = subject, unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> JsResult<Promise> {
        let record = self.inner.read(
            &text(&subject, "subject")?,
            &text(&session_id, "sessionId")?,
        );
        Ok(Promise::resolve(&match record {
            None => JsValue::NULL,
            Some(stored) => {
                let object = Object::new();
                Reflect::set(&object, &"value".into(), &stored.value.into())?;
                Reflect::set(&object, &"version".into(), &(stored.version as f64).into())?;
                object.into()
            }
        }))
    }

    /// Writes `value` only if the stored version is still `expectedVersion` (null: only if
    /// there is none); resolves to whether it wrote.
    ///
    /// ```js
    /// const written = await store.put("user-1", sessionId, value, null, expiresAt);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn put(
        &self,
        #[wasm_bindgen(js_name = subject, unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
        #[wasm_bindgen(js_name = expectedVersion, unchecked_param_type = "number | null")]
        expected_version: JsValue,
        #[wasm_bindgen(js_name = expiresAt, unchecked_param_type = "number")] expires_at: JsValue,
    ) -> JsResult<Promise> {
        let expected = match expected_version.is_null() {
            true => None,
            false => Some(whole(&expected_version, "expectedVersion")?.max(0.0) as u64),
        };
        let written = self
            .inner
            .write(
                &text(&subject, "subject")?,
                &text(&session_id, "sessionId")?,
                &text(&value, "value")?,
                expected,
                whole(&expires_at, "expiresAt")? as i64,
            )
            .map_err(error_to_js)?;
        Ok(Promise::resolve(&JsValue::from_bool(written)))
    }

    /// The issuer calls this at each login with its clock (Unix seconds): now and then the
    /// store forgets the sessions expired by then, so that a long-running process does not
    /// keep every session it ever started.
    ///
    /// ```js
    /// store.forgetExpired(Math.floor(Date.now() / 1000));
    /// ```
    #[wasm_bindgen(js_name = forgetExpired)]
    pub fn forget_expired(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> JsResult<()> {
        self.inner.forget_expired(whole(&now, "now")? as i64);
        Ok(())
    }

    /// Every session id of a subject.
    ///
    /// ```js
    /// const ids = await store.list("user-1");
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(js_name = subject, unchecked_param_type = "string")] subject: JsValue,
    ) -> JsResult<Promise> {
        let ids: Array = self
            .inner
            .sessions_of(&text(&subject, "subject")?)
            .into_iter()
            .map(JsValue::from)
            .collect();
        Ok(Promise::resolve(&JsValue::from(ids)))
    }
}
