//! What the client core needs from the world it runs in: a lock shared by the tabs, a channel
//! to them, the refresh and logout requests, time, and a way to tell the app. A browser
//! adapter implements it over Web Locks, BroadcastChannel and `fetch`; the native race tests
//! implement it with N fake tabs, a bus delivered on demand and a scripted server.

use super::proof::ProofKey;
use super::TokenSet;
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// A POST the core asks for (the refresh or logout endpoint).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// The endpoint, as configured.
    pub url: String,
    /// The `Authorization` header (`Bearer <token>`, or `DPoP <token>` for a DPoP-bound one).
    pub authorization: Option<String>,
    /// The `DPoP` header: a proof for this request (RFC 9449), when DPoP is on.
    pub dpop: Option<String>,
    /// The body.
    pub body: RequestBody,
    /// Give up after this long (the adapter aborts the request): status 0.
    pub timeout_ms: f64,
    /// Send the browser's cookies, also to another origin (cookie mode).
    pub with_cookies: bool,
    /// Carry the request through even if the page goes away meanwhile (a logout followed at
    /// once by a reload or a closed tab): `fetch`'s `keepalive`, where the host allows it.
    pub keepalive: bool,
}

/// The body of an [`HttpRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum RequestBody {
    /// JSON text, sent as `application/json`.
    Json(String),
    /// Names and values, sent as `application/x-www-form-urlencoded`: the platform encodes
    /// them (the browser adapter with `URLSearchParams`).
    Form(Vec<(&'static str, String)>),
}

/// What came back. Status 0 is a network error, a timeout or an abort (`error` says which).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpAnswer {
    /// The HTTP status, or 0.
    pub status: u16,
    /// `Retry-After` in seconds, when the server sent a number.
    pub retry_after: Option<f64>,
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// The body text, when it could be read.
    pub body: Option<String>,
    /// Why there is no answer (status 0): the underlying message.
    pub error: Option<String>,
    /// `DPoP-Nonce`, when sent: the nonce the server wants in the next proofs.
    pub dpop_nonce: Option<String>,
}

/// What tabs tell each other. The refresh token itself travels only where the tabs share
/// no storage (memory placement); `RequestAccess` is answered with the access token alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Externally tagged (`{"tokens": {...}}`): an internally tagged enum makes serde buffer
// every message it reads (about 10 KB of wasm).
#[serde(rename_all = "camelCase")]
pub enum TabMessage {
    /// A new pair: after a refresh or a login. `set` is absent when the channel may be
    /// persisted (the storage-event fallback): the others then read the shared storage.
    #[serde(rename_all = "camelCase")]
    Tokens {
        /// The sending tab.
        from: String,
        /// The pair (without the refresh token where the storage is shared).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<TokenSet>,
    },
    /// Logged out, with the reason.
    Logout {
        /// The sending tab.
        from: String,
        /// Why (`logout`, or the server's code).
        reason: String,
    },
    /// A tab holding a refresh token but no access token (split placement after a reload)
    /// asks the others for the access token that goes with it.
    #[serde(rename_all = "camelCase")]
    RequestAccess {
        /// The sending tab.
        from: String,
    },
    /// The answer to `RequestAccess`: the access token alone, and a fingerprint of the
    /// refresh token it goes with (never the refresh token: any script of the origin can
    /// listen on the channel).
    #[serde(rename_all = "camelCase")]
    Access {
        /// The sending tab.
        from: String,
        /// The access token.
        access_token: String,
        /// Its `iat` (server time).
        access_issued_at: i64,
        /// Its `exp` (server time).
        access_expires_at: i64,
        /// [`super::session::fingerprint`] of the refresh token it belongs with.
        pairs_with: String,
    },
}

/// What the app hears. Each is also a change of [`AuthState`].
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// New tokens are in use; `source` is `this-tab`, `other-tab` or `login`.
    Refresh {
        /// When the new access token expires (server time, Unix seconds).
        access_expires_at: i64,
        /// Where they came from.
        source: &'static str,
    },
    /// Logged out (this tab's tokens are gone); `reason` is `logout` or a server code.
    Logout {
        /// Why.
        reason: String,
    },
    /// A refresh started: the state is now `refreshing` (no app event of its own; a change).
    RefreshStarted,
    /// Something failed without logging out (the tokens are kept).
    Error {
        /// The stable code.
        code: crate::ErrorCode,
        /// What happened.
        message: String,
    },
}

/// The client's state, for UIs (`useSyncExternalStore`).
#[derive(Debug, Clone, PartialEq)]
pub enum AuthState {
    /// No usable session. `reason` says why when known (`logout`, a server code,
    /// `no_access_token` after a split-placement reload that no tab could complete).
    Unauthenticated {
        /// Why, when known.
        reason: Option<String>,
    },
    /// A session may exist but is not usable yet: a reload waiting for another tab's access
    /// token or for its first refresh.
    Restoring,
    /// Tokens in hand.
    Authenticated {
        /// When the access token expires (server time).
        access_expires_at: i64,
        /// When the refresh token expires (server time).
        refresh_expires_at: i64,
        /// A refresh is in flight.
        refreshing: bool,
    },
}

/// The world the core runs in. Every method is I/O or time; no decision is made here.
#[allow(async_fn_in_trait)] // browsers are single-threaded: no Send bound wanted
pub trait Platform {
    /// Held while this tab refreshes; released when dropped.
    type Guard;
    /// The refresh lock across tabs. The adapter bounds the wait: past its timeout it
    /// resolves without holding anything, and the server's grace window covers a second
    /// refresh.
    async fn lock(&self) -> Self::Guard;
    /// Tells the other tabs.
    fn broadcast(&self, message: &TabMessage);
    /// Whether broadcast messages can end up persisted (the storage-event fallback writes them
    /// to `localStorage`): then they never carry tokens.
    fn channel_persists(&self) -> bool;
    /// Sends a POST.
    async fn send(&self, request: HttpRequest) -> HttpAnswer;
    /// Local time, Unix seconds (fractional).
    fn now(&self) -> f64;
    /// Waits.
    async fn sleep(&self, ms: f64);
    /// A number in [0, 1) to spread retries of several tabs apart.
    fn jitter(&self) -> f64;
    /// Tells the app (events and state changes).
    fn emit(&self, event: ClientEvent);
    /// The DPoP key of this origin, shared by its tabs (made with `alg` on first use; its
    /// private half can be used, never exported): the public half. `invalid_key` when the
    /// host cannot make or keep one.
    async fn proof_key(&self, alg: &str) -> Result<ProofKey>;
    /// Signs `input` with that key: the JWS signature (r ‖ s for ES256).
    async fn sign_proof(&self, input: &str) -> Result<Vec<u8>>;
    /// Forgets the key in this tab; `discard` also removes it where the tabs share it, so
    /// the next use makes a new one.
    async fn forget_proof_key(&self, discard: bool);
    /// A fresh unguessable id (a proof's `jti`).
    fn unique_id(&self) -> String;
    /// Notes (`true`) or clears a cookie-mode logout the server has not confirmed, where
    /// every tab and the next page load see it: a reload while the logout request is in
    /// flight must not bring the session back through the cookie. Best effort.
    fn set_logout_pending(&self, pending: bool);
    /// Whether such a logout is noted.
    fn logout_pending(&self) -> bool;
    /// Whether the page sees a cookie named `name` (`document.cookie`).
    fn has_cookie(&self, name: &str) -> bool;
}
