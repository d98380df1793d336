//! The browser client's decisions, with no I/O of its own: which token to attach and where,
//! when to refresh, single flight in a tab and one refresh across tabs, what a refresh answer
//! means, backoff and the loop breaker, what other tabs' messages change, and logout and
//! login winning over a refresh in flight. It reaches the world only through [`Platform`]
//! and a [`TokenStorage`]; timers stay in the adapter, which asks [`Session::next_refresh_at`].

use super::flight::Flight;
use super::json::{self, Claim};
use super::platform::{
    AuthState, ClientEvent, HttpAnswer, HttpRequest, Platform, RequestBody, TabMessage,
};
use super::proof::{self, Nonces, ProofClaims, ProofHeader};
use super::{ApiOutcome, HeldPair, RefreshPolicy, ServerClock, TokenSet, TokenStorage, TokenStore};
use crate::compact::{decode_text, split, DEFAULT_MAX_TOKEN_LENGTH};
use crate::error::{Error, ErrorCode, Result};
use crate::http::is_nonce_challenge;
pub use crate::TokenResponse;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cell::{Cell, RefCell};

/// 2^53 - 1: the largest integer every JS number holds exactly.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A server's `Retry-After` is honoured up to this many seconds (a larger one would overflow
/// the browser's timers into immediate retries).
pub const MAX_RETRY_AFTER: f64 = 300.0;

/// The refresh token codes of this library that mean the grant is dead: the tab logs out.
const DEAD_GRANT_CODES: &[ErrorCode] = &[
    ErrorCode::NotAuthenticated,
    ErrorCode::RefreshTokenExpired,
    ErrorCode::RefreshTokenReused,
    ErrorCode::SessionRevoked,
    ErrorCode::SessionExpired,
    ErrorCode::TokensMismatch,
    ErrorCode::InvalidSignature,
];

/// How the client is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// The refresh endpoint.
    pub refresh_url: String,
    /// The logout endpoint (revokes the session), if any.
    pub logout_url: Option<String>,
    /// Origins (`scheme://host[:port]`) the access token is sent to, and whose expired signal
    /// makes the client refresh: the refresh URL's origin and any API origins.
    pub origins: Vec<String>,
    /// When to refresh, how to back off, when to give up.
    pub policy: RefreshPolicy,
    /// A refresh request that takes longer is abandoned (and retried).
    pub request_timeout_ms: f64,
    /// The logout request (best effort, after the local logout) is bounded by this.
    pub logout_timeout_ms: f64,
    /// How long a tab that holds a refresh token but no access token (split placement after
    /// a reload) waits for another tab to hand it the access token.
    pub access_wait_ms: f64,
    /// Proactive refreshes are at least this many seconds apart (a server that hands out
    /// tokens already due must not cause a refresh storm).
    pub min_refresh_interval: f64,
    /// Cookie mode: the refresh token lives in an HttpOnly cookie the client never sees; the
    /// access token in this tab's memory. A tab starts by refreshing through the cookie.
    pub cookie_mode: bool,
    /// A tab that waited for the lock then waits this long for the pair of the tab that held
    /// it: its message and the lock reach a tab by different paths, in either order; and a
    /// shared storage's write may reach another tab after the lock does (WebKit's
    /// `localStorage` is copied between processes asynchronously).
    pub lock_settle_ms: f64,
    /// DPoP (RFC 9449): every refresh, logout and API request carries a proof by this
    /// origin's key, and the tokens are sent as `DPoP` (the server binds them to the key).
    pub dpop: bool,
    /// The algorithm of the DPoP key: `ES256` or `EdDSA`.
    pub proof_alg: String,
    /// Cookie mode: the readable cookie the server sets beside the session's (the Issuer's
    /// `sessionHint`). A page that does not see it starts signed out without a refresh
    /// request. `None`: every start asks the server.
    pub session_hint: Option<String>,
}

impl ClientConfig {
    /// The defaults for a refresh endpoint at `refresh_url` whose origin is `origin`.
    pub fn new(refresh_url: impl Into<String>, origin: impl Into<String>) -> ClientConfig {
        ClientConfig {
            refresh_url: refresh_url.into(),
            logout_url: None,
            origins: vec![origin.into()],
            policy: RefreshPolicy::default(),
            request_timeout_ms: 10_000.0,
            logout_timeout_ms: 3_000.0,
            access_wait_ms: 500.0,
            min_refresh_interval: 5.0,
            cookie_mode: false,
            lock_settle_ms: 50.0,
            dpop: false,
            proof_alg: "ES256".into(),
            session_hint: None,
        }
    }
}

/// What was done for one API request made through the client ([`Session::after_api_answer`]).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ApiRetries {
    /// Refreshed after its expired signal.
    pub refreshed: bool,
    /// Sent again with the DPoP nonce the server asked for.
    pub nonce: bool,
}

/// An API answer, as the client core reads it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ApiAnswer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// `WWW-Authenticate`, when sent.
    pub www_authenticate: Option<&'a str>,
    /// `DPoP-Nonce`, when sent.
    pub dpop_nonce: Option<&'a str>,
}

/// A short, one-way name for a refresh token: tabs match an access token to their refresh
/// token by it without sending the refresh token.
pub fn fingerprint(refresh_token: &str) -> String {
    crate::base64url::encode(&Sha256::digest(refresh_token.as_bytes())[..16])
}

/// The `exp`, `iat` and `sub` of a token, unverified (the client only schedules with them),
/// read from the token's text without building a map of its claims.
#[derive(Default)]
struct Unverified {
    exp: Option<f64>,
    iat: Option<f64>,
    sub: Option<String>,
}

fn unverified(token: &str) -> Result<Unverified> {
    let parts = split(token, DEFAULT_MAX_TOKEN_LENGTH)?;
    decode_text(parts.header, "header")?;
    let text = decode_text(parts.payload, "payload")?;
    let claims = json::schedule_claims(&text).ok_or_else(|| {
        Error::new(
            ErrorCode::MalformedToken,
            "the payload is not a JSON object",
        )
    })?;
    let number = |claim: Claim| match claim {
        Claim::Number(n) => Some(n),
        _ => None,
    };
    Ok(Unverified {
        exp: number(claims.exp),
        iat: number(claims.iat),
        sub: match claims.sub {
            Claim::Text(text) => Some(text),
            _ => None,
        },
    })
}

fn expiry(token: &str) -> Option<f64> {
    unverified(token).ok()?.exp
}

impl TokenSet {
    /// What the client keeps of a token response received at local time `now`: the clock is
    /// anchored on the access token's `iat`. Both tokens must be JWTs (`malformed_token`).
    pub fn from_response(response: &TokenResponse, now: f64) -> Result<TokenSet> {
        let read = |token: &str, what: &str| {
            unverified(token).map_err(|err| {
                Error::new(
                    ErrorCode::MalformedToken,
                    format!(
                        "the token response's {what} is not a JWT: {}",
                        err.message()
                    ),
                )
            })
        };
        let access = read(&response.access_token, "access_token")?;
        let refresh = match response.refresh_token.as_str() {
            "" => Unverified::default(),
            token => read(token, "refresh_token")?,
        };
        let issued_at = access.iat;
        let clock = issued_at.map_or(ServerClock::default(), |iat| {
            ServerClock::from_issued_at(iat, now)
        });
        let server_now = clock.server_now(now);
        let access_expires_at = access
            .exp
            .or_else(|| response.expires_in.map(|s| server_now + s as f64))
            .unwrap_or(server_now);
        let refresh_expires_at = refresh
            .exp
            .or_else(|| response.refresh_expires_in.map(|s| server_now + s as f64))
            .unwrap_or(f64::MAX);
        Ok(TokenSet {
            access_token: Some(response.access_token.clone()),
            access_issued_at: issued_at.unwrap_or(server_now) as i64,
            access_expires_at: access_expires_at as i64,
            refresh_token: response.refresh_token.clone(),
            // "Never" is the largest integer a JS number holds exactly (the pair crosses JS).
            refresh_expires_at: refresh_expires_at.min(MAX_SAFE_INTEGER) as i64,
            clock_skew: clock.skew,
        })
    }
}

/// What a refresh endpoint's answer means.
#[derive(Debug, Clone)]
pub enum RefreshVerdict {
    /// New tokens.
    Tokens(TokenResponse),
    /// The grant is dead (`invalid_grant`): log out, with this reason.
    Dead(String),
    /// Worth retrying after a backoff (network error, timeout, 408, 429, 5xx).
    Retry,
    /// Not the refresh contract at all (404, 405, HTML, a 2xx without tokens): a
    /// configuration error; the tokens are kept.
    NotTheEndpoint(String),
    /// Another refusal (a malformed request, say): the tokens are kept.
    Refused(String),
    /// The server wants its DPoP nonce in the proof (`use_dpop_nonce`): ask again with it.
    UseNonce,
}

/// The logout request's body in header mode.
#[derive(Serialize)]
pub(crate) struct LogoutBody<'a> {
    pub(crate) refresh_token: &'a str,
}

/// An RFC 6749 §5.2 error answer.
#[derive(Deserialize)]
pub(crate) struct OAuthError {
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) error_description: Option<String>,
}

impl RefreshVerdict {
    /// Classifies an answer of the refresh endpoint. Only an OAuth `invalid_grant` logs
    /// out: an HTML error page, a 404 or a 400 `invalid_request` say nothing about the grant.
    pub fn of(answer: &HttpAnswer) -> RefreshVerdict {
        let is_json = answer
            .content_type
            .as_deref()
            .is_some_and(|t| crate::http::mentions(&t.to_ascii_lowercase(), "json"));
        let body = answer.body.as_deref().unwrap_or_default();
        match answer.status {
            0 | 408 | 429 | 500..=599 => RefreshVerdict::Retry,
            404 | 405 => RefreshVerdict::NotTheEndpoint(format!(
                "the refresh URL answered {}: check refreshUrl",
                answer.status
            )),
            200..=299 => match json::from_str::<TokenResponse>(body) {
                Some(tokens) if is_json => RefreshVerdict::Tokens(tokens),
                _ => RefreshVerdict::NotTheEndpoint(format!(
                    "the refresh URL answered {} without a token response",
                    answer.status
                )),
            },
            status => match json::from_str::<OAuthError>(body) {
                Some(error) if is_json && error.error == "use_dpop_nonce" => {
                    RefreshVerdict::UseNonce
                }
                // The server refuses this tab's key for the grant: only that key could
                // refresh it, so the grant is dead here.
                Some(error) if is_json && error.error == "invalid_dpop_proof" => {
                    RefreshVerdict::Dead(error.error)
                }
                Some(error) if is_json && error.error == "invalid_grant" => {
                    let reason = error
                        .error_description
                        .filter(|code| {
                            ErrorCode::parse(code).is_some_and(|c| DEAD_GRANT_CODES.contains(&c))
                        })
                        .unwrap_or(error.error);
                    RefreshVerdict::Dead(reason)
                }
                Some(error) if is_json => RefreshVerdict::Refused(format!(
                    "the refresh endpoint refused the request ({status} {}{})",
                    error.error,
                    error
                        .error_description
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                )),
                _ => RefreshVerdict::NotTheEndpoint(format!(
                    "the refresh URL answered {status} without an OAuth error: check refreshUrl"
                )),
            },
        }
    }
}

/// One tab's client: its tokens, its view of the other tabs, and every rule.
pub struct Session<P: Platform, S: TokenStorage> {
    platform: P,
    store: TokenStore<S>,
    shared_storage: bool,
    config: ClientConfig,
    tab_id: String,
    tokens: RefCell<Option<TokenSet>>,
    /// Why the tab is signed out, when it is (a restore that no tab could complete says so).
    signed_out_reason: RefCell<Option<String>>,
    refresh_flight: Flight,
    restore_flight: Flight,
    /// Local time of the last refresh this tab completed (the floor between refreshes).
    last_refresh_at: Cell<f64>,
    /// Refresh before the access token expires (the timer, and before a request); off, the
    /// token is sent until the server answers with the expired signal.
    proactive: Cell<bool>,
    /// Cookie mode: the browser may hold a session cookie this tab has not refreshed through
    /// yet (a reload, a new tab). Off once the server says there is none.
    cookie_session: Cell<bool>,
    /// Counts logouts: a refresh that started before one drops its answer.
    logouts: Cell<u32>,
    /// The servers' latest DPoP nonces.
    nonces: RefCell<Nonces>,
    /// Cookie mode: a missing session hint was reported (once is enough).
    hint_missing_told: Cell<bool>,
}

impl<P: Platform, S: TokenStorage> Session<P, S> {
    /// A client over `storage` (`shared`: other tabs see it, as `localStorage` and IndexedDB
    /// are; memory and `sessionStorage` are not), with the pair it holds loaded.
    pub async fn open(
        platform: P,
        store: TokenStore<S>,
        shared: bool,
        config: ClientConfig,
        tab_id: String,
    ) -> Result<Session<P, S>> {
        let loaded = store.load().await?;
        // A logout the server has not confirmed keeps this tab signed out: `start` tells the
        // server again instead of refreshing through the cookie.
        let logout_pending = config.cookie_mode && platform.logout_pending();
        // Without the server's hint there is no session cookie to refresh through: signed
        // out from the start, no request (a login in any tab still reaches this one).
        let no_session = config.cookie_mode
            && (config.session_hint.as_deref()).is_some_and(|hint| !platform.has_cookie(hint));
        let signed_out_reason = match (logout_pending, no_session) {
            (true, _) => Some("logout".to_owned()),
            (false, true) => Some(ErrorCode::NotAuthenticated.as_str().to_owned()),
            (false, false) => None,
        };
        let cookie_mode = config.cookie_mode && !logout_pending && !no_session;
        Ok(Session {
            platform,
            store,
            shared_storage: shared,
            config,
            tab_id,
            tokens: RefCell::new(loaded),
            signed_out_reason: RefCell::new(signed_out_reason),
            refresh_flight: Flight::default(),
            restore_flight: Flight::default(),
            last_refresh_at: Cell::new(f64::NEG_INFINITY),
            proactive: Cell::new(true),
            cookie_session: Cell::new(cookie_mode),
            logouts: Cell::new(0),
            nonces: RefCell::default(),
            hint_missing_told: Cell::new(false),
        })
    }

    /// The platform (for the adapter).
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// The pair held now (tests, and the adapter's state).
    pub fn tokens(&self) -> Option<TokenSet> {
        self.tokens.borrow().clone()
    }

    /// The state now. A tab that holds only a refresh token is `Restoring` until another tab
    /// hands it the access token or a refresh succeeds, never `Authenticated`; so is a
    /// cookie-mode tab until its first refresh through the cookie is answered.
    pub fn state(&self) -> AuthState {
        match self.tokens.borrow().as_ref() {
            None if self.cookie_session.get() && self.signed_out_reason.borrow().is_none() => {
                AuthState::Restoring
            }
            None => AuthState::Unauthenticated {
                reason: self.signed_out_reason.borrow().clone(),
            },
            Some(set) if set.access_token.is_none() => AuthState::Restoring,
            Some(set) => AuthState::Authenticated {
                access_expires_at: set.access_expires_at,
                refresh_expires_at: set.refresh_expires_at,
                refreshing: self.refresh_flight.active(),
            },
        }
    }

    fn clock(&self) -> ServerClock {
        ServerClock {
            skew: self.tokens.borrow().as_ref().map_or(0.0, |t| t.clock_skew),
        }
    }

    /// When the adapter should call [`Session::refresh`] (local time), if a refresh is due
    /// at all: on the server's clock, a margin before expiry, never sooner than
    /// `min_refresh_interval` after the last one.
    pub fn next_refresh_at(&self) -> Option<f64> {
        if !self.proactive.get() {
            return None;
        }
        let tokens = self.tokens.borrow();
        let set = tokens.as_ref().filter(|set| set.access_token.is_some())?;
        let at = self.config.policy.refresh_at(
            &self.clock(),
            set.access_issued_at as f64,
            set.access_expires_at as f64,
        );
        Some(at.max(self.last_refresh_at.get() + self.config.min_refresh_interval))
    }

    /// Turns proactive refresh on or off: off, no timer is due and a due token is still
    /// sent, so the expired signal is what makes the client refresh (demos, tests).
    pub fn set_proactive(&self, on: bool) {
        self.proactive.set(on);
    }

    /// Whether requests to `origin` get the access token (and their expired signal a refresh).
    pub fn is_allowed_origin(&self, origin: &str) -> bool {
        self.config.origins.iter().any(|allowed| allowed == origin)
    }

    fn emit_error(&self, err: &Error) {
        self.platform.emit(ClientEvent::Error {
            code: err.code(),
            message: err.message().to_owned(),
        });
    }

    /// Takes tokens that arrived: a refresh's, another tab's, the app's login.
    fn adopt(&self, set: TokenSet, source: &'static str) {
        self.store.adopt_access(&set);
        if self.config.cookie_mode {
            self.cookie_session.set(true);
        }
        let access_expires_at = set.access_expires_at;
        *self.tokens.borrow_mut() = Some(set);
        self.signed_out_reason.borrow_mut().take();
        self.platform.emit(ClientEvent::Refresh {
            access_expires_at,
            source,
        });
    }

    /// Forgets this tab's tokens (and storage's, when `clear_storage`), once.
    async fn logout_local(&self, reason: &str, clear_storage: bool, tell_others: bool) {
        let had = self.tokens.borrow_mut().take().is_some();
        self.logouts.set(self.logouts.get().wrapping_add(1));
        self.cookie_session.set(false);
        *self.signed_out_reason.borrow_mut() = Some(reason.to_owned());
        if clear_storage || !self.shared_storage {
            if let Err(err) = self.store.clear().await {
                self.emit_error(&err);
            }
        }
        if self.config.dpop {
            // A new session gets a new key; the tab that ends the session discards it.
            self.platform.forget_proof_key(clear_storage).await;
        }
        if tell_others {
            self.platform.broadcast(&TabMessage::Logout {
                from: self.tab_id.clone(),
                reason: reason.to_owned(),
            });
        }
        if had {
            self.platform.emit(ClientEvent::Logout {
                reason: reason.to_owned(),
            });
        }
    }

    /// A message for the other tabs about `set`: without tokens where the channel may be
    /// persisted, without the refresh token where the tabs share storage (they read it there).
    fn tokens_message(&self, set: &TokenSet) -> TabMessage {
        TabMessage::Tokens {
            from: self.tab_id.clone(),
            set: (!self.platform.channel_persists()).then(|| set.clone()),
        }
    }

    /// What a token response holds, checked against the mode: in cookie mode the body must
    /// carry no refresh token, in header mode it must.
    fn pair_of(&self, response: &TokenResponse, now: f64) -> Result<TokenSet> {
        // RFC 9449 §5: the token type says whether the server bound the tokens to the key.
        let bound = response
            .token_type
            .as_deref()
            .is_some_and(|kind| kind.eq_ignore_ascii_case("dpop"));
        match (self.config.dpop, bound) {
            (true, false) => return Err(Error::new(
                ErrorCode::RefreshEndpointInvalid,
                "the token response is not DPoP-bound (token_type is not \"DPoP\"): turn on the Issuer's dpop option, or drop dpop here",
            )),
            (false, true) => return Err(Error::new(
                ErrorCode::RefreshEndpointInvalid,
                "the token response is DPoP-bound (token_type \"DPoP\"): set dpop: true here",
            )),
            _ => {}
        }
        match (self.config.cookie_mode, response.refresh_token.is_empty()) {
            (true, false) => Err(Error::new(
                ErrorCode::RefreshEndpointInvalid,
                "the token response carries a refresh_token: the server is in header mode (turn on the Issuer's cookies option, or drop mode: \"cookie\" here)",
            )),
            (false, true) => Err(Error::new(
                ErrorCode::RefreshEndpointInvalid,
                "the token response has no refresh_token: the server is in cookie mode? (set mode: \"cookie\" here)",
            )),
            _ => TokenSet::from_response(response, now),
        }
    }

    /// A DPoP proof for `method` `url` (with `ath` when it goes with `access_token`), or
    /// `None` with DPoP off: `iat` on the server's clock, the server's latest nonce.
    pub async fn proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
    ) -> Result<Option<String>> {
        if !self.config.dpop {
            return Ok(None);
        }
        let mut key = self.platform.proof_key(&self.config.proof_alg).await?;
        if key.alg != self.config.proof_alg {
            // A key kept from before the app changed its algorithm: replaced.
            self.platform.forget_proof_key(true).await;
            key = self.platform.proof_key(&self.config.proof_alg).await?;
        }
        let jti = self.platform.unique_id();
        let nonces = self.nonces.borrow().for_url(url).map(str::to_owned);
        let header = ProofHeader {
            typ: "dpop+jwt",
            alg: &key.alg,
            jwk: &key.jwk,
        };
        let claims = ProofClaims {
            jti: &jti,
            htm: method,
            htu: proof::target_uri(url),
            iat: self.clock().server_now(self.platform.now()).floor() as i64,
            ath: access_token.map(proof::access_token_hash),
            nonce: nonces.as_deref(),
        };
        let input = proof::signing_input(&header, &claims).ok_or_else(|| {
            Error::new(ErrorCode::InvalidKey, "the DPoP proof could not be written")
        })?;
        let signature = self.platform.sign_proof(&input).await?;
        Ok(Some(format!(
            "{input}.{}",
            crate::base64url::encode(&signature)
        )))
    }

    /// The `Authorization` header for `access_token`: `DPoP` when DPoP is on, else `Bearer`.
    pub fn authorization(&self, access_token: &str) -> String {
        let scheme = if self.config.dpop { "DPoP" } else { "Bearer" };
        format!("{scheme} {access_token}")
    }

    /// Keeps the nonce an answer from `url` carried; whether it is one not seen before.
    fn remember_nonce(&self, url: &str, nonce: Option<&str>) -> bool {
        nonce.is_some_and(|nonce| self.nonces.borrow_mut().remember(url, nonce))
    }

    /// The headers of an API request to `url` (`origin` is its origin) through the client:
    /// `Authorization` (refreshing first when due) and the DPoP proof, for allowed origins
    /// only. A request without a token (a login) still gets a proof there.
    pub async fn api_headers(
        &self,
        origin: &str,
        method: &str,
        url: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        let token = self.access_token_for(origin).await?;
        if !self.is_allowed_origin(origin) {
            return Ok((None, None));
        }
        let proof = self.proof(method, url, token.as_deref()).await?;
        Ok((token.map(|token| self.authorization(&token)), proof))
    }

    /// What to do with an API answer from `url`: `true` to send the request again (with new
    /// headers from [`Session::api_headers`]) — once with the DPoP nonce the server asked
    /// for, once after the refresh its expired signal calls for. `retries` carries what was
    /// done for this request.
    pub async fn after_api_answer(
        &self,
        retries: &mut ApiRetries,
        origin: &str,
        url: &str,
        answer: ApiAnswer<'_>,
    ) -> Result<bool> {
        if !self.is_allowed_origin(origin) {
            return Ok(false);
        }
        let new_nonce = self.remember_nonce(url, answer.dpop_nonce);
        let asks_nonce = is_nonce_challenge(answer.status, answer.www_authenticate);
        if self.config.dpop && asks_nonce && new_nonce && !retries.nonce {
            retries.nonce = true;
            return Ok(true);
        }
        let outcome = self
            .after_response(
                origin,
                answer.status,
                answer.www_authenticate,
                retries.refreshed,
            )
            .await?;
        retries.refreshed |= outcome == ApiOutcome::RefreshAndRetry;
        Ok(outcome == ApiOutcome::RefreshAndRetry)
    }

    /// The app's login: a token response, saved and shared with the other tabs.
    pub async fn set_tokens(&self, response: &TokenResponse) -> Result<()> {
        let set = self.pair_of(response, self.platform.now())?;
        self.store.save(&set).await?;
        if self.config.cookie_mode {
            // A new session: an earlier logout's cookie is gone.
            self.platform.set_logout_pending(false);
            self.check_session_hint();
        }
        self.platform.broadcast(&self.tokens_message(&set));
        self.adopt(set, "login");
        Ok(())
    }

    /// Cookie mode, once the server has set the session's cookies: a hint it did not set
    /// would make every later page load start signed out without asking. Said once, as an
    /// error event naming both fixes.
    fn check_session_hint(&self) {
        let Some(hint) = self.config.session_hint.as_deref() else {
            return;
        };
        if self.platform.has_cookie(hint) || self.hint_missing_told.replace(true) {
            return;
        }
        self.emit_error(&Error::new(
            ErrorCode::RefreshEndpointInvalid,
            format!(
                "the server set no \"{hint}\" cookie (the session hint): the next page load would start signed out without asking. Turn it on in the server (the Issuer's cookies.sessionHint) or set sessionHint: false here"
            ),
        ));
    }

    /// Where the tab holds a refresh token without its access token (split placement after a
    /// reload): asks the other tabs and waits, bounded. If none answers, the tab is signed out
    /// here with the reason `no_access_token`: the refresh endpoint needs both tokens. Nothing
    /// is cleared and nobody else is told: it is this tab's own missing state.
    pub async fn restore(&self) -> Result<()> {
        self.restore_flight
            .run(|| async {
                let lacks_access = |tokens: &Option<TokenSet>| {
                    tokens
                        .as_ref()
                        .is_some_and(|set| set.access_token.is_none())
                };
                if !lacks_access(&self.tokens.borrow()) {
                    return Ok(());
                }
                self.platform.broadcast(&TabMessage::RequestAccess {
                    from: self.tab_id.clone(),
                });
                self.platform.sleep(self.config.access_wait_ms).await;
                if lacks_access(&self.tokens.borrow()) {
                    self.tokens.borrow_mut().take();
                    *self.signed_out_reason.borrow_mut() = Some("no_access_token".into());
                }
                Ok(())
            })
            .await
    }

    /// A valid access token for a request to `origin`, refreshing first when it is due (on
    /// the server's clock); `None` when signed out or for an origin not allowed.
    pub async fn access_token_for(&self, origin: &str) -> Result<Option<String>> {
        if !self.is_allowed_origin(origin) {
            return Ok(None);
        }
        self.access_token().await
    }

    /// A valid access token, refreshing first when it is due; `None` when signed out.
    pub async fn access_token(&self) -> Result<Option<String>> {
        self.restore().await?;
        if self.tokens.borrow().is_none() && self.cookie_session.get() {
            // A cookie-mode tab's first request waits for its first refresh; a failure here
            // is reported by `start` and the state, the request goes out without a token.
            let _ = self.start().await;
        }
        let due = match self.tokens.borrow().as_ref() {
            None => return Ok(None),
            Some(_) if !self.proactive.get() => false,
            Some(set) => self.config.policy.needs_refresh(
                &self.clock(),
                self.platform.now(),
                set.access_expires_at as f64,
            ),
        };
        // A token still due right after a refresh came due from the server: sending it lets
        // the server answer (and the loop breaker act) instead of refreshing again and again.
        let just_refreshed =
            self.platform.now() < self.last_refresh_at.get() + self.config.min_refresh_interval;
        if due && !just_refreshed {
            self.refresh().await?;
        }
        Ok(self
            .tokens
            .borrow()
            .as_ref()
            .and_then(|set| set.access_token.clone()))
    }

    /// What to do with an API answer from `origin`: the expired signal refreshes and retries
    /// once, only from an allowed origin; again right after that refresh, it logs out.
    pub async fn after_response(
        &self,
        origin: &str,
        status: u16,
        www_authenticate: Option<&str>,
        retried: bool,
    ) -> Result<ApiOutcome> {
        if !self.is_allowed_origin(origin) {
            return Ok(ApiOutcome::Deliver);
        }
        let outcome = ApiOutcome::classify(status, www_authenticate, retried);
        match outcome {
            ApiOutcome::Deliver => {}
            ApiOutcome::RefreshAndRetry => self.refresh().await?,
            ApiOutcome::Logout => self.logout_local("expired_after_refresh", true, true).await,
        }
        Ok(outcome)
    }

    /// Refreshes now: one at a time in this tab (later callers share the answer) and one at a
    /// time across tabs (under the lock, a tab whose pair another tab already rotated adopts
    /// that). A logout or a login meanwhile wins: the answer is dropped.
    pub async fn refresh(&self) -> Result<()> {
        self.refresh_flight
            .run(|| async {
                self.platform.emit(ClientEvent::RefreshStarted);
                self.refresh_across_tabs().await
            })
            .await
    }

    /// Cookie mode, at start (a reload, a new tab): refreshes through the session cookie, if
    /// the browser holds one, and no tab has handed this one a pair meanwhile. Until the
    /// answer the state is `Restoring`; no cookie or a dead grant is `Unauthenticated` with the
    /// server's reason; an unreachable server is `Unauthenticated` with `network_error` until
    /// a later request gets through. After a logout the server has not confirmed, it sends
    /// that logout again instead, and stays `Unauthenticated` with the reason `logout`.
    pub async fn start(&self) -> Result<()> {
        if self.config.cookie_mode
            && self.tokens.borrow().is_none()
            && self.platform.logout_pending()
        {
            // The page went away (a reload, a closed tab) before the server confirmed a
            // logout: the cookie may still be live. Tell the server again, never refresh.
            self.cookie_session.set(false);
            *self.signed_out_reason.borrow_mut() = Some("logout".to_owned());
            let url = self.config.logout_url.clone();
            if let Some(url) = url {
                self.tell_server_of_logout(url, None, None, "{}".to_owned())
                    .await;
            } else {
                self.platform.set_logout_pending(false);
            }
            return Ok(());
        }
        if !self.config.cookie_mode || self.tokens.borrow().is_some() || !self.cookie_session.get()
        {
            return Ok(());
        }
        self.signed_out_reason.borrow_mut().take();
        let result = self.refresh().await;
        if let Err(err) = &result {
            if self.tokens.borrow().is_none() && self.cookie_session.get() {
                *self.signed_out_reason.borrow_mut() = Some(err.code().as_str().to_owned());
                self.emit_error(err);
            }
        }
        result
    }

    /// Whether a refresh that started from `used` (the grant held then; `None`: nothing held,
    /// a cookie-mode start) after `logouts` logouts still goes on, with the pair held now; or
    /// its outcome: another pair arrived (done), or logged out meanwhile.
    fn held(
        &self,
        used: Option<&str>,
        logouts: u32,
    ) -> core::result::Result<Option<TokenSet>, Result<()>> {
        let logged_out = || {
            Err(Err(Error::new(
                ErrorCode::NotAuthenticated,
                "logged out during refresh",
            )))
        };
        let logged_out_since = self.logouts.get() != logouts;
        let tokens = self.tokens.borrow();
        // Another pair arrived (a login, another tab's refresh): nothing left to do, even
        // after a logout in between.
        match (used, tokens.as_ref()) {
            (Some(used), held) => match HeldPair::of(held, used) {
                HeldPair::Replaced => Err(Ok(())),
                HeldPair::Same(pair) if !logged_out_since => Ok(Some(pair.clone())),
                HeldPair::Same(_) | HeldPair::LoggedOut => logged_out(),
            },
            (None, Some(_)) => Err(Ok(())),
            (None, None) if logged_out_since => logged_out(),
            (None, None) => Ok(None),
        }
    }

    async fn refresh_across_tabs(&self) -> Result<()> {
        self.restore().await?;
        let logouts = self.logouts.get();
        let used = match self.tokens.borrow().as_ref() {
            Some(set) => Some(set.grant().to_owned()),
            None if self.config.cookie_mode => None,
            None => {
                let reason = self.signed_out_reason.borrow().clone();
                return Err(Error::new(
                    ErrorCode::NotAuthenticated,
                    match reason.as_deref() {
                        Some("no_access_token") => "no access token after the reload (the refresh endpoint needs both tokens): log in again".to_owned(),
                        _ => "no tokens: log in first".to_owned(),
                    },
                ));
            }
        };
        let used = used.as_deref();
        let asked_at = self.platform.now();
        let _lock = self.platform.lock().await;
        if self.platform.now() > asked_at {
            if let Err(outcome) = self.held(used, logouts) {
                return outcome;
            }
            self.platform.sleep(self.config.lock_settle_ms).await;
        }
        if let Err(outcome) = self.held(used, logouts) {
            return outcome;
        }
        if let (true, Some(used)) = (self.shared_storage, used) {
            let stored = self.store.load().await;
            if let Err(outcome) = self.held(Some(used), logouts) {
                return outcome;
            }
            match stored {
                Ok(None) => {
                    self.logout_local("logout", false, false).await;
                    return Err(Error::new(
                        ErrorCode::NotAuthenticated,
                        "logged out in another tab",
                    ));
                }
                Ok(Some(stored)) if stored.grant() != used => {
                    // Another tab refreshed; its message has not reached this tab yet.
                    self.adopt(stored, "other-tab");
                    return Ok(());
                }
                Ok(Some(_)) => {}
                Err(err) => self.emit_error(&err),
            }
        }
        let mut attempt = 0;
        let mut nonce_retried = false;
        loop {
            let current = match self.held(used, logouts) {
                Ok(current) => current,
                Err(outcome) => return outcome,
            };
            let mut request = self.refresh_request(current.as_ref());
            request.dpop = self
                .proof("POST", &request.url, None)
                .await
                .inspect_err(|err| self.emit_error(err))?;
            let answer = self.platform.send(request).await;
            let new_nonce =
                self.remember_nonce(&self.config.refresh_url, answer.dpop_nonce.as_deref());
            if let Err(outcome) = self.held(used, logouts) {
                return outcome;
            }
            match RefreshVerdict::of(&answer) {
                RefreshVerdict::UseNonce if new_nonce && !nonce_retried => {
                    nonce_retried = true;
                }
                RefreshVerdict::UseNonce => {
                    let err = Error::new(
                        ErrorCode::UseDpopNonce,
                        "the refresh endpoint asked for a DPoP nonce again, or gave none",
                    );
                    self.emit_error(&err);
                    return Err(err);
                }
                RefreshVerdict::Tokens(response) => {
                    return self.refreshed(used, logouts, &response).await;
                }
                RefreshVerdict::Dead(reason) => {
                    // A tab that held nothing (a cookie-mode start) has no session to end in
                    // the others: one may have logged in meanwhile.
                    self.logout_local(&reason, true, used.is_some()).await;
                    let code = ErrorCode::parse(&reason).unwrap_or(ErrorCode::SessionRevoked);
                    return Err(Error::new(code, "the server refused the refresh token"));
                }
                RefreshVerdict::NotTheEndpoint(message) => {
                    let err = Error::new(ErrorCode::RefreshEndpointInvalid, message);
                    self.emit_error(&err);
                    return Err(err);
                }
                RefreshVerdict::Refused(message) => {
                    let err = Error::new(ErrorCode::InvalidRequest, message);
                    self.emit_error(&err);
                    return Err(err);
                }
                RefreshVerdict::Retry => {
                    attempt += 1;
                    if attempt >= self.config.policy.max_attempts {
                        let cause = answer
                            .error
                            .clone()
                            .unwrap_or_else(|| format!("status {}", answer.status));
                        let err = Error::new(
                            ErrorCode::NetworkError,
                            format!("refresh failed {attempt} times ({cause}); tokens kept"),
                        );
                        self.emit_error(&err);
                        return Err(err);
                    }
                    let retry_after_ms = answer
                        .retry_after
                        .filter(|s| s.is_finite() && *s >= 0.0)
                        .map(|s| s.min(MAX_RETRY_AFTER) * 1000.0);
                    let delay = self.config.policy.backoff.delay_ms(
                        attempt - 1,
                        self.platform.jitter(),
                        retry_after_ms,
                    );
                    self.platform.sleep(delay).await;
                }
            }
        }
    }

    fn refresh_request(&self, current: Option<&TokenSet>) -> HttpRequest {
        let authorization = current
            .and_then(|set| set.access_token.as_deref())
            .map(|token| self.authorization(token));
        let body = match (self.config.cookie_mode, current) {
            // Cookie mode: the refresh token is the cookie; a JSON body is what a form on
            // another site cannot send (the server's CSRF check).
            (true, _) | (false, None) => {
                RequestBody::Json(r#"{"grant_type":"refresh_token"}"#.to_owned())
            }
            (false, Some(set)) => RequestBody::Form(vec![
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", set.refresh_token.clone()),
            ]),
        };
        HttpRequest {
            url: self.config.refresh_url.clone(),
            authorization,
            dpop: None,
            body,
            timeout_ms: self.config.request_timeout_ms,
            with_cookies: self.config.cookie_mode,
            keepalive: false,
        }
    }

    async fn refreshed(
        &self,
        used: Option<&str>,
        logouts: u32,
        response: &TokenResponse,
    ) -> Result<()> {
        let now = self.platform.now();
        let set = self.pair_of(response, now).map_err(|err| {
            Error::new(ErrorCode::RefreshEndpointInvalid, err.message().to_owned())
        })?;
        if let Err(err) = self.store.save(&set).await {
            self.emit_error(&err);
        }
        if let Err(outcome) = self.held(used, logouts) {
            // Replaced while saving, whose write may have landed last: storage as held.
            let mine = self.tokens.borrow().clone();
            let restored = match mine {
                None => self.store.clear().await,
                Some(mine) => self.store.save(&mine).await,
            };
            if let Err(err) = restored {
                self.emit_error(&err);
            }
            return outcome;
        }
        self.last_refresh_at.set(now);
        if self.config.cookie_mode {
            self.check_session_hint();
        }
        self.platform.broadcast(&self.tokens_message(&set));
        let due = self.config.policy.needs_refresh(
            &ServerClock {
                skew: set.clock_skew,
            },
            now,
            set.access_expires_at as f64,
        );
        self.adopt(set, "this-tab");
        if due {
            self.emit_error(&Error::new(
                ErrorCode::TokenExpired,
                "the refresh endpoint issued an access token that is already due (server clock or accessTtl): the next refresh waits",
            ));
        }
        Ok(())
    }

    /// Logs out here and in every tab at once (tokens gone, storage cleared, the others
    /// told, `logout` emitted), then revokes the session at the logout URL, bounded by a
    /// timeout, best effort: a stalled server never keeps the tab signed in. Header mode
    /// sends the captured refresh token; cookie mode sends the cookies (also from a tab that
    /// holds nothing yet), and the server clears them. Until the server answers, a cookie-mode
    /// logout stays noted where every tab sees it: a page loaded meanwhile (the user reloaded
    /// at once) tells the server again rather than refreshing through the cookie.
    pub async fn logout(&self) {
        let captured = self.tokens.borrow().clone();
        let cookie_session =
            self.config.cookie_mode && (captured.is_some() || self.cookie_session.get());
        // The proof is made before the local logout discards the key; without one (the key
        // is gone), the server is still told.
        let proof = match &self.config.logout_url {
            Some(url) => self.proof("POST", url, None).await.ok().flatten(),
            None => None,
        };
        if cookie_session && self.config.logout_url.is_some() {
            self.platform.set_logout_pending(true);
        }
        self.logout_local("logout", true, true).await;
        let Some(url) = self.config.logout_url.clone() else {
            return;
        };
        let body = match (&captured, cookie_session) {
            (_, true) => "{}".to_owned(),
            (Some(set), false) if !set.refresh_token.is_empty() => {
                match json::to_string(&LogoutBody {
                    refresh_token: &set.refresh_token,
                }) {
                    Some(body) => body,
                    None => return,
                }
            }
            _ => return,
        };
        let authorization = captured
            .and_then(|set| set.access_token)
            .map(|token| self.authorization(&token));
        self.tell_server_of_logout(url, authorization, proof, body)
            .await;
    }

    /// The logout request, bounded by the timeout. In cookie mode, once the server has
    /// answered (anything but a server error), the pending logout is cleared, unless this
    /// tab logged in and out again meanwhile (that logout's own request clears it).
    async fn tell_server_of_logout(
        &self,
        url: String,
        authorization: Option<String>,
        proof: Option<String>,
        body: String,
    ) {
        let logouts = self.logouts.get();
        let answer = self
            .platform
            .send(HttpRequest {
                url,
                authorization,
                dpop: proof,
                body: RequestBody::Json(body),
                timeout_ms: self.config.logout_timeout_ms,
                with_cookies: self.config.cookie_mode,
                // The user may reload or close the tab right after logging out.
                keepalive: true,
            })
            .await;
        if self.config.cookie_mode
            && (200..500).contains(&answer.status)
            && self.logouts.get() == logouts
        {
            self.platform.set_logout_pending(false);
        }
        if !(200..300).contains(&answer.status) {
            self.emit_error(&Error::new(
                ErrorCode::NetworkError,
                format!(
                    "signed out here, but the server was not told ({})",
                    answer
                        .error
                        .unwrap_or_else(|| format!("status {}", answer.status))
                ),
            ));
        }
    }

    /// A message from another tab. Adopted tokens are checked first: JWTs, not expired, and
    /// (while this tab holds a session) of the same subject; the access token alone is given
    /// out, and only to a tab that proves it holds the matching refresh token.
    pub async fn on_message(&self, message: TabMessage) {
        match message {
            TabMessage::Tokens { from, .. }
            | TabMessage::Logout { from, .. }
            | TabMessage::RequestAccess { from }
            | TabMessage::Access { from, .. }
                if from == self.tab_id => {}
            TabMessage::Tokens { set: Some(set), .. } => {
                if !self.plausible(&set) {
                    return;
                }
                let newer = match self.tokens.borrow().as_ref() {
                    None => true,
                    Some(mine) if mine.grant() == set.grant() => mine.access_token.is_none(),
                    // Messages can arrive late and out of order: never step back to an
                    // older pair.
                    Some(mine) => {
                        (set.access_issued_at, set.refresh_expires_at)
                            >= (mine.access_issued_at, mine.refresh_expires_at)
                    }
                };
                if newer {
                    if !self.shared_storage {
                        if let Err(err) = self.store.save(&set).await {
                            self.emit_error(&err);
                        }
                    }
                    self.adopt(set, "other-tab");
                }
            }
            TabMessage::Tokens { set: None, .. } => {
                // The persisted channel carries no tokens: shared storage has them.
                if !self.shared_storage {
                    return;
                }
                if let Ok(Some(stored)) = self.store.load().await {
                    let newer = match self.tokens.borrow().as_ref() {
                        None => true,
                        Some(mine) => mine.refresh_token != stored.refresh_token,
                    };
                    if newer && stored.access_token.is_some() && self.plausible(&stored) {
                        self.adopt(stored, "other-tab");
                    }
                }
            }
            TabMessage::Logout { reason, .. } => self.logout_local(&reason, false, false).await,
            TabMessage::RequestAccess { .. } => {
                if self.platform.channel_persists() {
                    return;
                }
                let answer = self.tokens.borrow().as_ref().and_then(|set| {
                    if set.refresh_token.is_empty() {
                        return None;
                    }
                    Some(TabMessage::Access {
                        from: self.tab_id.clone(),
                        access_token: set.access_token.clone()?,
                        access_issued_at: set.access_issued_at,
                        access_expires_at: set.access_expires_at,
                        pairs_with: fingerprint(&set.refresh_token),
                    })
                });
                if let Some(answer) = answer {
                    self.platform.broadcast(&answer);
                }
            }
            TabMessage::Access {
                access_token,
                access_issued_at,
                access_expires_at,
                pairs_with,
                ..
            } => {
                let completed = self.tokens.borrow().as_ref().and_then(|mine| {
                    let matches = mine.access_token.is_none()
                        && !mine.refresh_token.is_empty()
                        && fingerprint(&mine.refresh_token) == pairs_with
                        && expiry(&access_token) == Some(access_expires_at as f64);
                    matches.then(|| TokenSet {
                        access_token: Some(access_token),
                        access_issued_at,
                        access_expires_at,
                        ..mine.clone()
                    })
                });
                if let Some(set) = completed {
                    self.adopt(set, "other-tab");
                }
            }
        }
    }

    /// Whether tokens from another tab look like a session this tab could hold.
    fn plausible(&self, set: &TokenSet) -> bool {
        let Some(access) = set.access_token.as_deref() else {
            return false;
        };
        let server_now = self.clock().server_now(self.platform.now());
        // A cookie-mode tab takes pairs without a refresh token, any other with one.
        let refresh_as_mode = match self.config.cookie_mode {
            true => set.refresh_token.is_empty(),
            false => unverified(&set.refresh_token).is_ok(),
        };
        let live = set.refresh_expires_at as f64 > server_now
            && refresh_as_mode
            && expiry(access) == Some(set.access_expires_at as f64);
        let subject = |token: &str| unverified(token).ok().and_then(|claims| claims.sub);
        let same_subject = match self.tokens.borrow().as_ref() {
            None => true,
            Some(mine) => match mine.access_token.as_deref() {
                Some(my_access) => subject(my_access) == subject(access),
                None => true,
            },
        };
        live && same_subject
    }
}
