//! `AuthClient`: attaches the access token, refreshes once (per tab and across tabs),
//! shares the result, logs every tab out together, and breaks refresh loops.

use super::glue;
use super::storage::BrowserStorage;
use crate::client::{
    ApiOutcome, Backoff, HeldPair, RefreshOutcome, RefreshPolicy, ServerClock, TokenSet, TokenStore,
};
use crate::wasm::convert::{from_js_json, string_arg, to_js};
use crate::wasm::error::{invalid_options, to_js as error_to_js, JsResult};
use crate::wasm::options::JsOptions;
use crate::{decode_unverified, random_id, Error, ErrorCode, Result};
use js_sys::{Function, Object, Promise, Reflect};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

const OPTION_NAMES: &[&str] = &[
    "refreshUrl",
    "logoutUrl",
    "storage",
    "namespace",
    "split",
    "refreshMargin",
    "maxRefreshAttempts",
    "backoff",
    "lockTimeout",
    "fetch",
];

/// What tabs tell each other over the channel: `{ type, from, set?, reason? }`. A flat
/// struct rather than an internally tagged enum, whose reading needs serde's buffering
/// machinery (11 KB of wasm).
#[derive(Serialize, Deserialize)]
struct TabMessage {
    #[serde(rename = "type")]
    kind: TabMessageKind,
    from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    set: Option<TokenSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum TabMessageKind {
    /// A new token set (`set`).
    Tokens,
    /// Logged out (`reason`).
    Logout,
    /// A tab without an access token asks the others for theirs.
    RequestTokens,
}

impl TabMessage {
    fn new(kind: TabMessageKind, from: &str) -> TabMessage {
        TabMessage {
            kind,
            from: from.to_owned(),
            set: None,
            reason: None,
        }
    }

    fn tokens(from: &str, set: TokenSet) -> TabMessage {
        TabMessage {
            set: Some(set),
            ..TabMessage::new(TabMessageKind::Tokens, from)
        }
    }

    fn logout(from: &str, reason: &str) -> TabMessage {
        TabMessage {
            reason: Some(reason.to_owned()),
            ..TabMessage::new(TabMessageKind::Logout, from)
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: String,
    expires_in: Option<f64>,
    refresh_expires_in: Option<f64>,
}

/// An error that came back through a promise: ours keep their code, anything else
/// (a thrown TypeError from fetch, say) is a network error.
fn error_from_js(err: &JsValue) -> Error {
    crate::wasm::error::error_from_js(err, ErrorCode::NetworkError)
}

fn logged_out_during_refresh() -> Error {
    Error::new(ErrorCode::NotAuthenticated, "logged out during refresh")
}

fn local_now() -> f64 {
    js_sys::Date::now() / 1000.0
}

fn claim(token: &str, name: &str) -> Option<f64> {
    decode_unverified(token).ok()?.claims.get(name)?.as_f64()
}

/// A token response → what the client keeps, anchoring the clock on the access token's `iat`.
fn token_set_from(response: &TokenResponse) -> TokenSet {
    let now = local_now();
    let issued_at = claim(&response.access_token, "iat");
    let clock = issued_at.map_or(ServerClock::default(), |iat| {
        ServerClock::from_issued_at(iat, now)
    });
    let server_now = clock.server_now(now);
    let access_expires_at = claim(&response.access_token, "exp")
        .or_else(|| response.expires_in.map(|s| server_now + s))
        .unwrap_or(server_now);
    let refresh_expires_at = claim(&response.refresh_token, "exp")
        .or_else(|| response.refresh_expires_in.map(|s| server_now + s))
        .unwrap_or(f64::MAX);
    TokenSet {
        access_token: Some(response.access_token.clone()),
        access_issued_at: issued_at.unwrap_or(server_now) as i64,
        access_expires_at: access_expires_at as i64,
        refresh_token: response.refresh_token.clone(),
        refresh_expires_at: refresh_expires_at.min(i64::MAX as f64) as i64,
        clock_skew: clock.skew,
    }
}

/// Whether a tab still holds the pair a refresh started from ([`Inner::holding`]).
enum Holding {
    /// It does: this is the pair.
    Still(TokenSet),
    /// It does not: the refresh is over without touching anything; logged out (`Err`), or
    /// holding a newer pair (`Ok`).
    Settled(Result<()>),
}

struct Inner {
    store: TokenStore<BrowserStorage>,
    shared_storage: bool,
    lock_name: String,
    refresh_url: String,
    logout_url: Option<String>,
    fetch: Function,
    policy: RefreshPolicy,
    lock_timeout_ms: f64,
    tab_id: String,
    tokens: RefCell<Option<TokenSet>>,
    refreshing: RefCell<Option<Promise>>,
    listeners: RefCell<Vec<(String, Function)>>,
    channel: RefCell<JsValue>,
    timer: RefCell<JsValue>,
    closed: Cell<bool>,
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in entries {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

fn call_method(
    target: &JsValue,
    name: &str,
    args: &[JsValue],
) -> core::result::Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &name.into())?.dyn_into()?;
    f.apply(target, &args.iter().collect())
}

impl Inner {
    fn emit(&self, event: &str, detail: JsValue) {
        let listeners: Vec<Function> = self
            .listeners
            .borrow()
            .iter()
            .filter(|(name, _)| name == event)
            .map(|(_, f)| f.clone())
            .collect();
        for listener in listeners {
            // A throwing listener must not break the client.
            let _ = listener.call1(&JsValue::NULL, &detail);
        }
    }

    fn emit_error(&self, err: &Error) {
        self.emit(
            "error",
            object(&[
                ("code", err.code().as_str().into()),
                ("message", err.message().into()),
            ]),
        );
    }

    fn post(&self, message: &TabMessage) {
        let channel = self.channel.borrow().clone();
        if let Ok(message) = to_js(message) {
            let _ = call_method(&channel, "post", &[message]);
        }
    }

    fn clock(&self) -> ServerClock {
        ServerClock {
            skew: self.tokens.borrow().as_ref().map_or(0.0, |t| t.clock_skew),
        }
    }

    fn stop_timer(&self) {
        let timer = self.timer.replace(JsValue::UNDEFINED);
        if !timer.is_undefined() {
            glue::stop_timer(&timer);
        }
    }

    /// Arms the proactive refresh for the current access token.
    fn schedule(self: &Rc<Self>) {
        self.stop_timer();
        if self.closed.get() {
            return;
        }
        let Some(set) = self.tokens.borrow().clone() else {
            return;
        };
        let at = self.policy.refresh_at(
            &self.clock(),
            set.access_issued_at as f64,
            set.access_expires_at as f64,
        );
        let delay_ms = ((at - local_now()) * 1000.0).max(0.0);
        let weak: Weak<Inner> = Rc::downgrade(self);
        let fire = Closure::once_into_js(move || {
            if let Some(inner) = weak.upgrade() {
                wasm_bindgen_futures::spawn_local(async move {
                    // Failures are reported through the `error` / `logout` events.
                    let _ = inner.refresh().await;
                });
            }
        });
        *self.timer.borrow_mut() = glue::start_timer(delay_ms, fire.unchecked_ref());
    }

    /// Takes tokens that arrived (our refresh, another tab's, or the app's login).
    fn adopt(self: &Rc<Self>, set: TokenSet, source: &str) {
        self.store.adopt_access(&set);
        let detail = object(&[
            (
                "accessExpiresAt",
                JsValue::from_f64(set.access_expires_at as f64),
            ),
            ("source", source.into()),
        ]);
        *self.tokens.borrow_mut() = Some(set);
        self.schedule();
        self.emit("refresh", detail);
    }

    /// Forgets the tokens here (and in storage when `clear_storage`), once.
    async fn logout_local(self: &Rc<Self>, reason: &str, clear_storage: bool, tell_others: bool) {
        let had_tokens = self.tokens.borrow_mut().take().is_some();
        self.stop_timer();
        if clear_storage || !self.shared_storage {
            if let Err(err) = self.store.clear().await {
                self.emit_error(&err);
            }
        }
        if tell_others {
            self.post(&TabMessage::logout(&self.tab_id, reason));
        }
        if had_tokens {
            self.emit("logout", object(&[("reason", reason.into())]));
        }
    }

    /// One refresh at a time in this tab: later callers wait for the one in flight.
    async fn refresh(self: &Rc<Self>) -> Result<()> {
        let existing = self.refreshing.borrow().clone();
        let promise = match existing {
            Some(promise) => promise,
            None => {
                let inner = self.clone();
                let promise = future_to_promise(async move {
                    let result = inner.clone().refresh_across_tabs().await;
                    *inner.refreshing.borrow_mut() = None;
                    result.map(|_| JsValue::UNDEFINED).map_err(error_to_js)
                });
                *self.refreshing.borrow_mut() = Some(promise.clone());
                promise
            }
        };
        JsFuture::from(promise)
            .await
            .map(|_| ())
            .map_err(|err| error_from_js(&err))
    }

    /// One refresh at a time across tabs: under the lock, a tab whose refresh token was
    /// already rotated by another tab adopts the result instead of refreshing.
    async fn refresh_across_tabs(self: Rc<Self>) -> Result<()> {
        let used = self
            .tokens
            .borrow()
            .as_ref()
            .map(|t| t.refresh_token.clone())
            .ok_or_else(|| Error::new(ErrorCode::NotAuthenticated, "no tokens: log in first"))?;
        let inner = self.clone();
        let work = Closure::once_into_js(move || {
            future_to_promise(async move {
                inner
                    .refresh_in_lock(used)
                    .await
                    .map(|_| JsValue::UNDEFINED)
                    .map_err(error_to_js)
            })
        });
        JsFuture::from(glue::with_lock(
            &self.lock_name,
            self.lock_timeout_ms,
            work.unchecked_ref(),
        ))
        .await
        .map(|_| ())
        .map_err(|err| error_from_js(&err))
    }

    /// Whether the tab still holds the pair whose refresh token is `used`, which a refresh
    /// started from ([`HeldPair`]), asked after each wait: for the lock, for storage, for the
    /// server's answer, for a save. The tab's own state also wins over storage: in Chromium
    /// another renderer's view of `localStorage` is synced after the BroadcastChannel message
    /// can arrive, so a tab told of a logout may still read the old pair there.
    fn holding(&self, used: &str) -> Holding {
        match HeldPair::of(self.tokens.borrow().as_ref(), used) {
            HeldPair::Same(pair) => Holding::Still(pair.clone()),
            HeldPair::Replaced => Holding::Settled(Ok(())),
            HeldPair::LoggedOut => Holding::Settled(Err(logged_out_during_refresh())),
        }
    }

    /// Storage as the tab holds it, after a save that something replaced meanwhile.
    async fn restore_storage(&self) {
        let mine = self.tokens.borrow().clone();
        let restored = match mine {
            None => self.store.clear().await,
            Some(mine) => self.store.save(&mine).await,
        };
        if let Err(err) = restored {
            self.emit_error(&err);
        }
    }

    async fn refresh_in_lock(self: Rc<Self>, used: String) -> Result<()> {
        if let Holding::Settled(outcome) = self.holding(&used) {
            return outcome;
        }
        if self.shared_storage {
            let stored = self.store.load().await;
            // Reading may have taken a task (IndexedDB, a custom storage): look again.
            if let Holding::Settled(outcome) = self.holding(&used) {
                return outcome;
            }
            match stored {
                Ok(None) => {
                    // Another tab logged out while we waited.
                    self.logout_local("logout", false, false).await;
                    return Err(Error::new(
                        ErrorCode::NotAuthenticated,
                        "logged out in another tab",
                    ));
                }
                Ok(Some(stored)) if stored.refresh_token != used => {
                    // Another tab refreshed; its broadcast has not reached us yet.
                    self.adopt(stored, "other-tab");
                    return Ok(());
                }
                Ok(Some(_)) => {}
                Err(err) => self.emit_error(&err),
            }
        }
        let mut attempt = 0;
        loop {
            let current = match self.holding(&used) {
                Holding::Still(current) => current,
                Holding::Settled(outcome) => return outcome,
            };
            let (status, body, retry_after_ms) = self.post_refresh(&current).await;
            // The answer is for a pair the tab may no longer hold: then it is dropped (a
            // refused refresh must not log out a new login; a new pair must not undo a logout).
            if let Holding::Settled(outcome) = self.holding(&used) {
                return outcome;
            }
            let description = body
                .as_ref()
                .and_then(|b| Reflect::get(b, &"error_description".into()).ok())
                .and_then(|d| d.as_string());
            match RefreshOutcome::classify(status, description.as_deref()) {
                RefreshOutcome::Success => {
                    let response: TokenResponse = body
                        .and_then(|b| from_js_json(&b, "the token response").ok())
                        .ok_or_else(|| {
                            Error::new(
                                ErrorCode::NetworkError,
                                "the token response is not the expected JSON",
                            )
                        })?;
                    let set = token_set_from(&response);
                    if let Err(err) = self.store.save(&set).await {
                        self.emit_error(&err);
                    }
                    if let Holding::Settled(outcome) = self.holding(&used) {
                        // Replaced while saving, whose write may have landed last.
                        self.restore_storage().await;
                        return outcome;
                    }
                    self.post(&TabMessage::tokens(&self.tab_id, set.clone()));
                    self.adopt(set, "this-tab");
                    return Ok(());
                }
                RefreshOutcome::Rejected(code) => {
                    self.logout_local(&code, true, true).await;
                    let code = ErrorCode::parse(&code).unwrap_or(ErrorCode::SessionRevoked);
                    return Err(Error::new(code, "the server refused the refresh token"));
                }
                RefreshOutcome::Retry => {
                    attempt += 1;
                    if attempt >= self.policy.max_attempts {
                        let err = Error::new(
                            ErrorCode::NetworkError,
                            format!(
                                "refresh failed {attempt} times (status {status}); tokens kept"
                            ),
                        );
                        self.emit_error(&err);
                        return Err(err);
                    }
                    let delay = self.policy.backoff.delay_ms(
                        attempt - 1,
                        glue::random_unit(),
                        retry_after_ms,
                    );
                    let _ = JsFuture::from(glue::sleep(delay)).await;
                }
            }
        }
    }

    /// POSTs the refresh request; status 0 is a network error.
    async fn post_refresh(&self, current: &TokenSet) -> (u16, Option<JsValue>, Option<f64>) {
        let headers = Object::new();
        let _ = Reflect::set(
            &headers,
            &"content-type".into(),
            &"application/x-www-form-urlencoded".into(),
        );
        if let Some(access) = &current.access_token {
            let _ = Reflect::set(
                &headers,
                &"authorization".into(),
                &format!("Bearer {access}").into(),
            );
        }
        let body = format!(
            "grant_type=refresh_token&refresh_token={}",
            String::from(js_sys::encode_uri_component(&current.refresh_token))
        );
        let init = object(&[
            ("method", "POST".into()),
            ("headers", headers.into()),
            ("body", body.into()),
        ]);
        let Ok(started) =
            self.fetch
                .call2(&JsValue::NULL, &self.refresh_url.as_str().into(), &init)
        else {
            return (0, None, None);
        };
        let Ok(response) = JsFuture::from(Promise::resolve(&started)).await else {
            return (0, None, None);
        };
        let status = Reflect::get(&response, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .unwrap_or(0.0) as u16;
        let headers = Reflect::get(&response, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
        let retry_after_ms = call_method(&headers, "get", &["retry-after".into()])
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|s| s * 1000.0);
        let body = match call_method(&response, "json", &[]) {
            Ok(p) => JsFuture::from(Promise::resolve(&p)).await.ok(),
            Err(_) => None,
        };
        (status, body, retry_after_ms)
    }

    /// A valid access token, refreshing first when it has expired (server clock).
    async fn access_token(self: &Rc<Self>) -> Result<Option<String>> {
        let due = match self.tokens.borrow().as_ref() {
            None => return Ok(None),
            Some(set) => {
                set.access_token.is_none()
                    || self.policy.needs_refresh(
                        &self.clock(),
                        local_now(),
                        set.access_expires_at as f64,
                    )
            }
        };
        if due {
            self.refresh().await?;
        }
        Ok(self
            .tokens
            .borrow()
            .as_ref()
            .and_then(|t| t.access_token.clone()))
    }

    fn on_message(self: &Rc<Self>, message: JsValue) {
        let Ok(message) = serde_wasm_bindgen::from_value::<TabMessage>(message) else {
            return;
        };
        if message.from == self.tab_id {
            return;
        }
        match (message.kind, message.set, message.reason) {
            (TabMessageKind::Tokens, Some(set), _) => {
                let newer = self.tokens.borrow().as_ref().map_or(true, |mine| {
                    mine.refresh_token != set.refresh_token || mine.access_token.is_none()
                });
                if newer {
                    let inner = self.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if !inner.shared_storage {
                            let _ = inner.store.save(&set).await;
                        }
                        inner.adopt(set, "other-tab");
                    });
                }
            }
            (TabMessageKind::Logout, _, Some(reason)) => {
                let inner = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    inner.logout_local(&reason, false, false).await;
                });
            }
            (TabMessageKind::RequestTokens, _, _) => {
                let set = self.tokens.borrow().clone();
                if let Some(set) = set.filter(|s| s.access_token.is_some()) {
                    self.post(&TabMessage::tokens(&self.tab_id, set));
                }
            }
            _ => {}
        }
    }
}

impl JsAuthClient {
    /// `create` for Rust callers (tests): the client itself rather than a promise of it.
    #[doc(hidden)]
    pub async fn open(options: JsValue) -> JsResult<JsAuthClient> {
        let mut js = JsOptions::read(&options, &[OPTION_NAMES], "AuthClient options")?;
        let refresh_url = js
            .string("refreshUrl")?
            .ok_or_else(|| invalid_options("refreshUrl is required"))?;
        let namespace = js
            .string("namespace")?
            .unwrap_or_else(|| "jwt-refresh".into());
        let fetch: Function = match js.value("fetch") {
            None => Reflect::get(&js_sys::global(), &"fetch".into())?
                .dyn_into()
                .map_err(|_| invalid_options("no fetch in this runtime: pass options.fetch"))?,
            Some(fetch) => fetch
                .dyn_into()
                .map_err(|_| invalid_options("fetch must be a function"))?,
        };
        let defaults = RefreshPolicy::default();
        let max_attempts = js
            .integer("maxRefreshAttempts", u32::MAX.into())?
            .map_or(defaults.max_attempts, |n| n as u32);
        let backoff = match js.value("backoff") {
            None => defaults.backoff,
            Some(backoff) => {
                let mut js = JsOptions::read(&backoff, &[&["baseMs", "maxMs"]], "backoff")?;
                let required = |ms: Option<f64>, name: &str| {
                    ms.ok_or_else(|| invalid_options(format!("backoff.{name} is required")))
                };
                Backoff {
                    base_ms: required(js.number("baseMs")?, "baseMs")?,
                    max_ms: required(js.number("maxMs")?, "maxMs")?,
                }
            }
        };
        let policy = RefreshPolicy {
            margin: js
                .seconds("refreshMargin")?
                .map_or(defaults.margin, |s| s as f64),
            max_attempts: max_attempts.max(1),
            backoff,
        };
        let storage_spec = js.value("storage").unwrap_or(JsValue::UNDEFINED);
        let split = js.boolean("split")?.unwrap_or(false);
        let logout_url = js.string("logoutUrl")?;
        let lock_timeout_ms = js.number("lockTimeout")?.unwrap_or(10_000.0).max(1.0);
        let storage = BrowserStorage::open(&storage_spec, &namespace)
            .await
            .map_err(error_to_js)?;
        let shared_storage = storage.is_shared();
        let store = TokenStore::new(storage, &namespace, split).map_err(error_to_js)?;
        let loaded = store.load().await.map_err(error_to_js)?;
        let inner = Rc::new(Inner {
            store,
            shared_storage,
            lock_name: format!("{namespace}:refresh-lock"),
            refresh_url,
            logout_url,
            fetch,
            policy,
            lock_timeout_ms,
            tab_id: random_id().map_err(error_to_js)?,
            tokens: RefCell::new(loaded),
            refreshing: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            channel: RefCell::new(JsValue::UNDEFINED),
            timer: RefCell::new(JsValue::UNDEFINED),
            closed: Cell::new(false),
        });
        let weak = Rc::downgrade(&inner);
        let on_message = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
            if let Some(inner) = weak.upgrade() {
                inner.on_message(message);
            }
        });
        *inner.channel.borrow_mut() = glue::open_channel(
            &format!("{namespace}:tabs"),
            on_message.as_ref().unchecked_ref(),
        );
        on_message.forget(); // lives as long as the channel; `close()` closes the channel
        let missing_access = inner
            .tokens
            .borrow()
            .as_ref()
            .is_some_and(|t| t.access_token.is_none());
        if missing_access {
            // Split placement after a reload: another open tab may hold the access token.
            inner.post(&TabMessage::new(
                TabMessageKind::RequestTokens,
                &inner.tab_id,
            ));
        }
        inner.schedule();
        Ok(JsAuthClient { inner })
    }
}

/// Keeps an access/refresh pair for a browser app and attaches it to requests.
///
/// ```js
/// const auth = await AuthClient.create({ refreshUrl: "/auth/refresh", storage: "localStorage", split: true });
/// auth.on("logout", () => showLogin());
/// await auth.setTokens(await (await fetch("/auth/login", { method: "POST", body })).json());
/// const res = await auth.fetch("/api/me"); // refreshes once on the expired signal, retries once
/// ```
#[wasm_bindgen(js_name = AuthClient)]
pub struct JsAuthClient {
    inner: Rc<Inner>,
}

#[wasm_bindgen(js_class = AuthClient)]
impl JsAuthClient {
    /// Opens the storage, loads any saved tokens, joins the other tabs.
    #[wasm_bindgen(unchecked_return_type = "Promise<AuthClient>")]
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "AuthClientOptions")] options: JsValue,
    ) -> Promise {
        future_to_promise(async move {
            let client = JsAuthClient::open(options).await?;
            Ok(client.into())
        })
    }

    /// Takes the token response of a login (RFC 6749 §5.1 JSON) and shares it with other tabs.
    #[wasm_bindgen(js_name = setTokens, unchecked_return_type = "Promise<void>")]
    pub fn set_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenResponse")] response: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let response: TokenResponse = from_js_json(&response, "the token response")?;
            let set = token_set_from(&response);
            inner.store.save(&set).await.map_err(error_to_js)?;
            inner.post(&TabMessage::tokens(&inner.tab_id, set.clone()));
            inner.adopt(set, "login");
            Ok(JsValue::UNDEFINED)
        })
    }

    /// A valid access token (refreshing first if it has expired), or null when logged out.
    #[wasm_bindgen(js_name = getAccessToken, unchecked_return_type = "Promise<string | null>")]
    pub fn get_access_token(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let token = inner.access_token().await.map_err(error_to_js)?;
            Ok(token.map_or(JsValue::NULL, |t| t.into()))
        })
    }

    /// `fetch` with `Authorization: Bearer`. On the expired signal (only that 401): one
    /// refresh, one retry; the expired signal again right after a refresh logs out.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInfo | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit")] init: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let request_class: Function =
                Reflect::get(&js_sys::global(), &"Request".into())?.dyn_into()?;
            let args = js_sys::Array::of2(&input, &init.unwrap_or(JsValue::UNDEFINED));
            let original = Reflect::construct(&request_class, &args).map_err(|thrown| {
                invalid_options(format!(
                    "fetch's input and init do not make a Request: {}",
                    crate::wasm::js::describe(&thrown)
                ))
            })?;
            let send = |token: Option<String>| {
                let inner = inner.clone();
                let request = call_method(&original, "clone", &[]);
                async move {
                    let request = request?;
                    if let Some(token) = token {
                        let headers = Reflect::get(&request, &"headers".into())?;
                        call_method(
                            &headers,
                            "set",
                            &["authorization".into(), format!("Bearer {token}").into()],
                        )?;
                    }
                    let pending = inner.fetch.call1(&JsValue::NULL, &request)?;
                    JsFuture::from(Promise::resolve(&pending))
                        .await
                        .map_err(|err| {
                            error_to_js(Error::new(
                                ErrorCode::NetworkError,
                                crate::wasm::js::describe(&err),
                            ))
                        })
                }
            };
            let classify = |response: &JsValue, just_refreshed: bool| {
                let status = Reflect::get(response, &"status".into())
                    .ok()
                    .and_then(|s| s.as_f64())
                    .unwrap_or(0.0) as u16;
                let header = Reflect::get(response, &"headers".into())
                    .ok()
                    .and_then(|h| call_method(&h, "get", &["www-authenticate".into()]).ok())
                    .and_then(|v| v.as_string());
                ApiOutcome::classify(status, header.as_deref(), just_refreshed)
            };
            let token = inner.access_token().await.map_err(error_to_js)?;
            let response = send(token).await?;
            if classify(&response, false) != ApiOutcome::RefreshAndRetry {
                return Ok(response);
            }
            inner.refresh().await.map_err(error_to_js)?;
            let token = inner
                .tokens
                .borrow()
                .as_ref()
                .and_then(|t| t.access_token.clone());
            let retried = send(token).await?;
            if classify(&retried, true) == ApiOutcome::Logout {
                inner
                    .logout_local("expired_after_refresh", true, true)
                    .await;
            }
            Ok(retried)
        })
    }

    /// Refreshes now (single flight in this tab, one refresh across tabs). A logout or a new
    /// login meanwhile wins: the answer is dropped, and this rejects with `not_authenticated`
    /// (logged out) or resolves (a newer pair is held).
    ///
    /// ```js
    /// await auth.refresh();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn refresh(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            inner.refresh().await.map_err(error_to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Logs out in every tab: tokens removed everywhere, one `logout` event per tab, and
    /// the session revoked at `logoutUrl` when configured (best effort).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let refresh_token = inner
                .tokens
                .borrow()
                .as_ref()
                .map(|t| t.refresh_token.clone());
            if let (Some(url), Some(token)) = (inner.logout_url.clone(), refresh_token) {
                let body = serde_json::json!({ "refresh_token": token }).to_string();
                let init = object(&[
                    ("method", "POST".into()),
                    (
                        "headers",
                        object(&[("content-type", "application/json".into())]),
                    ),
                    ("body", body.into()),
                ]);
                if let Ok(pending) = inner.fetch.call2(&JsValue::NULL, &url.into(), &init) {
                    let _ = JsFuture::from(Promise::resolve(&pending)).await;
                }
            }
            inner.logout_local("logout", true, true).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `{ status, accessExpiresAt, refreshExpiresAt, clockSkew }` right now.
    #[wasm_bindgen(getter, unchecked_return_type = "AuthState")]
    pub fn state(&self) -> JsValue {
        let tokens = self.inner.tokens.borrow();
        let status = match (tokens.as_ref(), self.inner.refreshing.borrow().is_some()) {
            (None, _) => "unauthenticated",
            (Some(_), true) => "refreshing",
            (Some(_), false) => "authenticated",
        };
        let number = |v: Option<f64>| v.map_or(JsValue::NULL, JsValue::from_f64);
        object(&[
            ("status", status.into()),
            (
                "accessExpiresAt",
                number(tokens.as_ref().map(|t| t.access_expires_at as f64)),
            ),
            (
                "refreshExpiresAt",
                number(tokens.as_ref().map(|t| t.refresh_expires_at as f64)),
            ),
            (
                "clockSkew",
                JsValue::from_f64(tokens.as_ref().map_or(0.0, |t| t.clock_skew)),
            ),
        ])
    }

    /// Listens to `refresh`, `logout` or `error`; returns a function that stops listening.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "\"refresh\" | \"logout\" | \"error\"")]
        event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(detail: Record<string, unknown>) => void")]
        listener: JsValue,
    ) -> JsResult<Function> {
        let event = string_arg(&event, ErrorCode::InvalidOptions, "the event")?;
        if !matches!(event.as_str(), "refresh" | "logout" | "error") {
            return Err(invalid_options(format!("unknown event {event:?}")));
        }
        let listener: Function = listener
            .dyn_into()
            .map_err(|_| invalid_options("the listener must be a function"))?;
        self.inner
            .listeners
            .borrow_mut()
            .push((event, listener.clone()));
        let weak = Rc::downgrade(&self.inner);
        let off = Closure::once_into_js(move || {
            if let Some(inner) = weak.upgrade() {
                inner.listeners.borrow_mut().retain(|(_, f)| f != &listener);
            }
        });
        Ok(off.unchecked_into())
    }

    /// Stops timers and leaves the tab channel (the tokens stay stored).
    pub fn close(&self) {
        self.inner.closed.set(true);
        self.inner.stop_timer();
        let channel = self.inner.channel.replace(JsValue::UNDEFINED);
        let _ = call_method(&channel, "close", &[]);
    }
}
