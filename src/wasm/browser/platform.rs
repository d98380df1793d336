//! The client core's platform in a browser: Web Locks (or a storage lock), BroadcastChannel
//! (or storage events), `fetch`, timers and the app's listeners. It carries things out and
//! reports back; every decision is the core's (`src/client/session.rs`).

use super::glue;
use crate::client::{
    AuthState, ClientEvent, HttpAnswer, HttpRequest, Platform, ProofKey, PublicJwk, RequestBody,
    TabMessage,
};
use crate::error::{Error, ErrorCode, Result};
use crate::wasm::js::describe;
use js_sys::{Function, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A plain JS object from `entries`, leaving out those whose value is `undefined` (as serde
/// leaves out absent options).
pub(crate) fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in entries.iter().filter(|(_, v)| !v.is_undefined()) {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// Releases the cross-tab lock when dropped (`None`: it was not obtained in time).
pub(crate) struct LockGuard(Option<Function>);

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

pub(crate) struct BrowserPlatform {
    pub(crate) fetch: Function,
    pub(crate) lock_name: String,
    pub(crate) lock_timeout_ms: f64,
    /// `{ post, close, persists }` from `openChannel`.
    pub(crate) channel: RefCell<JsValue>,
    /// The app's listeners, kept in JS (`glue.js`): `[event, listener]` pairs.
    pub(crate) listeners: JsValue,
    /// Called after every event (the binding re-arms its timer there).
    pub(crate) on_change: RefCell<Option<Box<dyn Fn()>>>,
    /// The IndexedDB database of the DPoP key.
    pub(crate) proof_database: String,
    /// The key in hand (`{ alg, privateKey, jwk }` from `proofKey`), once loaded.
    pub(crate) proof_key: RefCell<Option<JsValue>>,
    /// The `localStorage` key of a logout the server has not confirmed.
    pub(crate) logout_pending_key: String,
}

fn proof_key_error(thrown: &JsValue) -> Error {
    Error::new(
        ErrorCode::InvalidKey,
        format!("no DPoP key: {}", describe(thrown)),
    )
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

impl BrowserPlatform {
    /// Calls every listener of `event` with `detail`; what a listener throws is reported (see
    /// `notifyListeners` in glue.js), not passed on.
    pub(crate) fn notify(&self, event: &str, detail: &JsValue) {
        glue::notify_listeners(&self.listeners, event, detail);
    }
}

/// The JS form of a state (`AuthState` in the typings).
pub(crate) fn state_to_js(state: &AuthState, clock_skew: f64) -> JsValue {
    match state {
        AuthState::Unauthenticated { reason } => object(&[
            ("status", "unauthenticated".into()),
            (
                "reason",
                reason.as_deref().map_or(JsValue::NULL, JsValue::from),
            ),
        ]),
        AuthState::Restoring => object(&[("status", "restoring".into())]),
        AuthState::Authenticated {
            access_expires_at,
            refresh_expires_at,
            refreshing,
        } => object(&[
            (
                "status",
                if *refreshing {
                    "refreshing"
                } else {
                    "authenticated"
                }
                .into(),
            ),
            (
                "accessExpiresAt",
                JsValue::from_f64(*access_expires_at as f64),
            ),
            (
                "refreshExpiresAt",
                JsValue::from_f64(*refresh_expires_at as f64),
            ),
            ("clockSkew", JsValue::from_f64(clock_skew)),
        ]),
    }
}

impl Platform for BrowserPlatform {
    type Guard = LockGuard;

    async fn lock(&self) -> LockGuard {
        let released = JsFuture::from(glue::acquire_lock(&self.lock_name, self.lock_timeout_ms))
            .await
            .ok()
            .and_then(|release| release.dyn_into::<Function>().ok());
        LockGuard(released)
    }

    fn broadcast(&self, message: &TabMessage) {
        let Some(text) = crate::client::json::to_string(message) else {
            return;
        };
        let channel = self.channel.borrow().clone();
        if let Ok(post) = field(&channel, "post").dyn_into::<Function>() {
            let _ = post.call1(&JsValue::NULL, &text.into());
        }
    }

    fn channel_persists(&self) -> bool {
        field(&self.channel.borrow(), "persists").as_bool() != Some(false)
    }

    async fn send(&self, request: HttpRequest) -> HttpAnswer {
        let (content_type, body) = match request.body {
            RequestBody::Json(text) => ("application/json", JsValue::from(text)),
            RequestBody::Form(pairs) => {
                let names_and_values = js_sys::Array::new();
                for (name, value) in pairs {
                    names_and_values.push(&name.into());
                    names_and_values.push(&value.into());
                }
                let form = glue::form_body(&names_and_values);
                ("application/x-www-form-urlencoded", form)
            }
        };
        let pending = glue::post(
            &self.fetch,
            &request.url,
            request.authorization,
            request.dpop,
            content_type,
            &body,
            request.timeout_ms,
            request.with_cookies,
            request.keepalive,
        );
        let answer = JsFuture::from(pending).await.unwrap_or(JsValue::UNDEFINED);
        HttpAnswer {
            status: field(&answer, "status").as_f64().unwrap_or(0.0) as u16,
            retry_after: field(&answer, "retryAfter").as_f64(),
            content_type: field(&answer, "contentType").as_string(),
            body: field(&answer, "body").as_string(),
            error: field(&answer, "error").as_string(),
            dpop_nonce: field(&answer, "dpopNonce").as_string(),
        }
    }

    fn now(&self) -> f64 {
        js_sys::Date::now() / 1000.0
    }

    async fn sleep(&self, ms: f64) {
        let _ = JsFuture::from(glue::sleep(ms)).await;
    }

    fn jitter(&self) -> f64 {
        glue::random_unit()
    }

    fn emit(&self, event: ClientEvent) {
        let (name, detail) = match event {
            ClientEvent::RefreshStarted => ("", JsValue::UNDEFINED),
            ClientEvent::Refresh {
                access_expires_at,
                source,
            } => (
                "refresh",
                object(&[
                    (
                        "accessExpiresAt",
                        JsValue::from_f64(access_expires_at as f64),
                    ),
                    ("source", source.into()),
                ]),
            ),
            ClientEvent::Logout { reason } => ("logout", object(&[("reason", reason.into())])),
            ClientEvent::Error { code, message } => (
                "error",
                object(&[("code", code.as_str().into()), ("message", message.into())]),
            ),
        };
        if !name.is_empty() {
            self.notify(name, &detail);
        }
        if let Some(on_change) = self.on_change.borrow().as_ref() {
            on_change();
        }
    }

    async fn proof_key(&self, alg: &str) -> Result<ProofKey> {
        let cached = self.proof_key.borrow().clone();
        let key = match cached {
            Some(key) => key,
            None => {
                let key = JsFuture::from(glue::proof_key(&self.proof_database, alg))
                    .await
                    .map_err(|thrown| proof_key_error(&thrown))?;
                *self.proof_key.borrow_mut() = Some(key.clone());
                key
            }
        };
        let jwk = field(&key, "jwk");
        let text = |name: &str| field(&jwk, name).as_string();
        Ok(ProofKey {
            alg: field(&key, "alg").as_string().unwrap_or_default(),
            jwk: PublicJwk {
                kty: text("kty").unwrap_or_default(),
                crv: text("crv").unwrap_or_default(),
                x: text("x").unwrap_or_default(),
                y: text("y"),
            },
        })
    }

    async fn sign_proof(&self, input: &str) -> Result<Vec<u8>> {
        let key = self.proof_key.borrow().clone().unwrap_or_default();
        let signature = JsFuture::from(glue::sign_proof(&key, input))
            .await
            .map_err(|thrown| proof_key_error(&thrown))?;
        Ok(js_sys::Uint8Array::new(&signature).to_vec())
    }

    async fn forget_proof_key(&self, discard: bool) {
        self.proof_key.borrow_mut().take();
        if discard {
            let _ = JsFuture::from(glue::discard_proof_key(&self.proof_database)).await;
        }
    }

    fn unique_id(&self) -> String {
        glue::random_id()
    }

    fn set_logout_pending(&self, pending: bool) {
        glue::set_logout_pending(&self.logout_pending_key, pending);
    }

    fn logout_pending(&self) -> bool {
        glue::logout_pending(&self.logout_pending_key)
    }

    fn has_cookie(&self, name: &str) -> bool {
        glue::has_cookie(name)
    }
}
