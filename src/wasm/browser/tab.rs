//! One tab's client as the `AuthClient` binding holds it: the core's `Session` over the
//! browser platform, the timer it asks for, the state snapshot handed to frameworks, and the
//! channel to the other tabs. It carries out; the core decides.

use super::client_options::ClientOptions;
use super::glue;
use super::platform::{state_to_js, BrowserPlatform};
use super::storage::BrowserStorage;
use crate::client::{json, AuthState, Session, TabMessage, TokenStore};
use crate::wasm::error::{to_js as error_to_js, JsResult};
use js_sys::Reflect;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(crate) struct Inner {
    pub(crate) session: Session<BrowserPlatform, BrowserStorage>,
    timer: RefCell<JsValue>,
    /// What every timer calls: one closure for the client's life. A closure per timer would
    /// keep its memory whenever the timer is replaced before it fires (each refresh).
    on_timer: Closure<dyn Fn()>,
    /// When the timer in `timer` fires (local time), so that a change that leaves it due at
    /// the same moment does not re-arm it.
    armed_for: Cell<Option<f64>>,
    pub(crate) closed: Cell<bool>,
    /// The last state handed out, with the clock skew it shows: the same object until either
    /// changes, as `useSyncExternalStore` requires of a snapshot.
    snapshot: RefCell<Option<(AuthState, f64, JsValue)>>,
}

impl Inner {
    /// The state as JS, and whether it differs from the one handed out before.
    fn current_snapshot(&self) -> (JsValue, bool) {
        let state = self.session.state();
        let skew = self.session.tokens().map_or(0.0, |t| t.clock_skew);
        if let Some((known, known_skew, value)) = self.snapshot.borrow().as_ref() {
            if *known == state && known_skew.to_bits() == skew.to_bits() {
                return (value.clone(), false);
            }
        }
        let value = state_to_js(&state, skew);
        *self.snapshot.borrow_mut() = Some((state, skew, value.clone()));
        (value, true)
    }

    pub(crate) fn snapshot(&self) -> JsValue {
        self.current_snapshot().0
    }

    /// After anything that may have changed the state: `change` if it did, and the timer.
    pub(crate) fn changed(self: &Rc<Self>) {
        let (now, is_new) = self.current_snapshot();
        if is_new {
            self.session.platform().notify("change", &now);
        }
        self.schedule();
    }

    pub(crate) fn schedule(self: &Rc<Self>) {
        let due = self
            .session
            .next_refresh_at()
            .filter(|_| !self.closed.get());
        if due.is_some() && due == self.armed_for.get() {
            return;
        }
        self.stop_timer();
        self.armed_for.set(due);
        let Some(at) = due else { return };
        let delay_ms = ((at - js_sys::Date::now() / 1000.0) * 1000.0).max(0.0);
        *self.timer.borrow_mut() =
            glue::start_timer(delay_ms, self.on_timer.as_ref().unchecked_ref());
    }

    /// Stops the pending timer, if any.
    fn stop_timer(&self) {
        let timer = self.timer.replace(JsValue::UNDEFINED);
        if !timer.is_undefined() {
            glue::stop_timer(&timer);
        }
    }

    /// The timer fired: refresh, then arm the next one.
    fn fire(self: Rc<Self>) {
        // Fired: the next change arms a timer again, even for the same moment.
        self.armed_for.set(None);
        self.timer.replace(JsValue::UNDEFINED);
        wasm_bindgen_futures::spawn_local(async move {
            // Failures reach the app through the `error` and `logout` events.
            let _ = self.session.refresh().await;
            self.changed();
        });
    }
}

impl Drop for Inner {
    /// No timer outlives the closure it calls (dropped with this).
    fn drop(&mut self) {
        self.stop_timer();
    }
}

/// Reads an API response's status, `WWW-Authenticate` and `DPoP-Nonce`.
pub(crate) fn answer_of(response: &JsValue) -> (u16, Option<String>, Option<String>) {
    let status = Reflect::get(response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0) as u16;
    (
        status,
        glue::header_of(response, "www-authenticate"),
        glue::header_of(response, "dpop-nonce"),
    )
}

/// Opens the storage, loads any saved tokens, joins the other tabs, and starts what a reload
/// needs (split placement: the other tabs' access token; cookie mode: a refresh through the
/// cookie).
pub(crate) async fn open(options: JsValue) -> JsResult<Rc<Inner>> {
    let ClientOptions {
        config,
        namespace,
        fetch,
        storage: storage_spec,
        split,
        lock_timeout_ms,
    } = ClientOptions::read(&options)?;
    let storage = BrowserStorage::open(&storage_spec, &namespace)
        .await
        .map_err(error_to_js)?;
    let shared = storage.is_shared();
    let store = TokenStore::new(storage, &namespace, split).map_err(error_to_js)?;
    let platform = BrowserPlatform {
        fetch,
        lock_name: format!("{namespace}:refresh-lock"),
        lock_timeout_ms,
        channel: RefCell::new(JsValue::UNDEFINED),
        listeners: js_sys::Array::new().into(),
        on_change: RefCell::default(),
        proof_database: format!("{namespace}:dpop"),
        proof_key: RefCell::default(),
        logout_pending_key: format!("{namespace}:logout-pending"),
    };
    let tab_id = glue::random_id();
    let session = Session::open(platform, store, shared, config, tab_id)
        .await
        .map_err(error_to_js)?;
    let inner = Rc::new_cyclic(|weak: &Weak<Inner>| {
        let weak = weak.clone();
        Inner {
            session,
            timer: RefCell::default(),
            on_timer: Closure::new(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.fire();
                }
            }),
            armed_for: Cell::new(None),
            closed: Cell::new(false),
            snapshot: RefCell::default(),
        }
    });
    let weak = Rc::downgrade(&inner);
    *inner.session.platform().on_change.borrow_mut() = Some(Box::new(move || {
        if let Some(inner) = weak.upgrade() {
            inner.changed();
        }
    }));
    let weak = Rc::downgrade(&inner);
    let on_message = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let Some(message) = message
            .as_string()
            .and_then(|text| json::from_str::<TabMessage>(&text))
        else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            inner.session.on_message(message).await;
            inner.changed();
        });
    });
    *inner.session.platform().channel.borrow_mut() = glue::open_channel(
        &format!("{namespace}:tabs"),
        on_message.as_ref().unchecked_ref(),
    );
    on_message.forget(); // lives as long as the channel; `close()` closes the channel

    // After a reload: split placement asks the other tabs for the access token, cookie
    // mode refreshes through the cookie or finishes a logout (no-ops where they do not apply).
    let starting = inner.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = starting.session.restore().await;
        let _ = starting.session.start().await;
        starting.changed();
    });
    inner.changed();
    Ok(inner)
}
