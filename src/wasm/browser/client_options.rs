//! `AuthClient.create`'s options, read and checked: the client core's configuration, and what
//! the browser layer needs (storage, fetch, lock timeout).

use super::glue;
use crate::client::{Backoff, ClientConfig, RefreshPolicy};
use crate::http::DEFAULT_SESSION_HINT;
use crate::wasm::error::{invalid_options, JsResult};
use crate::wasm::js::describe;
use crate::wasm::options::JsOptions;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

crate::wasm::options::js_options! {
    /// Options of `AuthClient.create`.
    const OPTION_NAMES, CLIENT_OPTIONS_TYPESCRIPT = interface "AuthClientOptions" {
        /// The token endpoint (POST; header mode: expired access token in Authorization, form body).
        refreshUrl ": string",
        /// Called on `logout()` to revoke the session server-side: with `{ refresh_token }` (JSON) in
        /// header mode, with the cookies in cookie mode (the server clears them).
        logoutUrl "?: string",
        /// "cookie": the server keeps the refresh token (and a copy of the access token) in HttpOnly
        /// cookies (the Issuer's `cookies` option); this client holds the access token in memory only
        /// and refreshes through the cookies, also right after a reload. `storage` and `split` do not
        /// apply. Default "header": the client holds both tokens in `storage`.
        mode "?: \"header\" | \"cookie\"",
        /// Default "memory" (nothing persists; tabs share through messages only).
        storage "?: TokenStorageOption",
        /// Prefix of every storage key, lock and channel name; default "jwt-refresh".
        namespace "?: string",
        /// Keep the access token in memory only; persist the refresh token. Default false.
        split "?: boolean",
        /// Refresh this long before expiry (server clock); default "30s".
        refreshMargin "?: Duration",
        /// Consecutive failed refresh attempts before giving up (then `error`); default 4.
        maxRefreshAttempts "?: number",
        /// Backoff after network errors, 429 and 5xx; default { baseMs: 500, maxMs: 30000 }.
        backoff "?: BackoffOptions",
        /// Milliseconds to wait for the cross-tab lock before refreshing anyway; default 10000.
        lockTimeout "?: number",
        /// The fetch to use (default: globalThis.fetch).
        fetch "?: typeof fetch",
        /// DPoP (RFC 9449; the Issuer's `dpop` option): every refresh, logout and `fetch` to an allowed
        /// origin carries a proof signed by this origin's key, made by WebCrypto on first use with a
        /// private half no script can export, kept in IndexedDB and shared by every tab (memory where
        /// there is no IndexedDB), replaced at logout. Tokens are sent as `Authorization: DPoP`, and
        /// a token response must be DPoP-bound. A login through `fetch` gets a proof, which binds the
        /// session. `true` is ES256; `{ alg: "EdDSA" }` where the browser has Ed25519.
        ///
        /// ```js
        /// const auth = await AuthClient.create({ refreshUrl: "/auth/refresh", storage: "localStorage", dpop: true });
        /// await auth.setTokens(await (await auth.fetch("/auth/login", { method: "POST", body })).json());
        /// ```
        dpop "?: boolean | ClientDpopOptions",
        /// Cookie mode: the readable cookie the server sets beside the session's (the Issuer's
        /// `cookies.sessionHint`). A page that does not see it starts `unauthenticated` at once, with
        /// no refresh request. Default "__Host-jwt-refresh-session" when `refreshUrl` is on this page's
        /// origin (elsewhere the page cannot see it); false: every start asks the server.
        sessionHint "?: string | false",
        /// Other origins (or URLs) that get the access token and whose expired signal refreshes;
        /// the refresh URL's origin always does. Requests elsewhere go out without the token.
        origins "?: string[]",
    }
}

crate::wasm::options::js_options! {
    /// The client's backoff after network errors, 429 and 5xx.
    const BACKOFF_NAMES, BACKOFF_TYPESCRIPT = interface "BackoffOptions" {
        /// The first delay, in milliseconds (each next one doubles, with jitter).
        baseMs ": number",
        /// The longest delay, in milliseconds.
        maxMs ": number",
    }
}

crate::wasm::options::js_options! {
    /// The client's `dpop` option as an object.
    const CLIENT_DPOP_NAMES, CLIENT_DPOP_TYPESCRIPT = interface "ClientDpopOptions" {
        /// The key's algorithm: "ES256" (the default), or "EdDSA" where the browser has Ed25519.
        alg "?: \"ES256\" | \"EdDSA\"",
    }
}
pub(crate) struct ClientOptions {
    pub(crate) config: ClientConfig,
    pub(crate) namespace: String,
    pub(crate) fetch: Function,
    /// The `storage` option as given (`BrowserStorage::open` reads it).
    pub(crate) storage: JsValue,
    pub(crate) split: bool,
    pub(crate) lock_timeout_ms: f64,
}

impl ClientOptions {
    pub(crate) fn read(options: &JsValue) -> JsResult<ClientOptions> {
        let mut js = JsOptions::read(options, &[OPTION_NAMES], "AuthClient options")?;
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
        let mut config = client_config(&mut js, refresh_url)?;
        let storage = js.value("storage").unwrap_or(JsValue::UNDEFINED);
        let split = js.boolean("split")?.unwrap_or(false);
        config.cookie_mode = match js.string("mode")?.as_deref() {
            None | Some("header") => false,
            Some("cookie") => true,
            Some(_) => return Err(invalid_options("mode must be \"header\" or \"cookie\"")),
        };
        config.proof_alg = match js.value("dpop") {
            None => "ES256",
            Some(on) if on.as_bool().is_some() => {
                config.dpop = on.as_bool() == Some(true);
                "ES256"
            }
            Some(dpop) => {
                let mut js = JsOptions::read(&dpop, &[CLIENT_DPOP_NAMES], "dpop")?;
                config.dpop = true;
                match js.string("alg")?.as_deref() {
                    None | Some("ES256") => "ES256",
                    Some("EdDSA") => "EdDSA",
                    Some(_) => {
                        return Err(invalid_options("dpop.alg must be \"ES256\" or \"EdDSA\""))
                    }
                }
            }
        }
        .into();
        config.session_hint = match js.name_or_false("sessionHint")? {
            Some(hint) => hint,
            // The default only where the page can see the server's hint.
            None => (config.cookie_mode && glue::is_same_origin(&config.refresh_url))
                .then(|| DEFAULT_SESSION_HINT.into()),
        };
        let memory = storage.is_undefined() || storage.as_string().as_deref() == Some("memory");
        if config.cookie_mode && (split || !memory) {
            return Err(invalid_options(
                "mode \"cookie\" keeps the access token in memory and the refresh token in a cookie: storage and split do not apply",
            ));
        }
        Ok(ClientOptions {
            config,
            namespace,
            fetch,
            storage,
            split,
            lock_timeout_ms: js.number("lockTimeout")?.unwrap_or(10_000.0).max(1.0),
        })
    }
}

fn client_config(js: &mut JsOptions, refresh_url: String) -> JsResult<ClientConfig> {
    // A relative URL outside a page has no origin: no request gets the token then, and the
    // refresh itself fails with the runtime's own message when it is tried.
    let origin = glue::origin_of(&refresh_url).ok();
    // Absolute, as a DPoP proof names the URL it is for.
    let mut config =
        ClientConfig::new(glue::absolute_url(&refresh_url), origin.unwrap_or_default());
    config.origins.retain(|origin| !origin.is_empty());
    for extra in js.strings("origins")?.unwrap_or_default() {
        let origin = glue::origin_of(&extra).map_err(|thrown| {
            invalid_options(format!("origins: \"{extra}\": {}", describe(&thrown)))
        })?;
        config.origins.push(origin);
    }
    config.logout_url = js.string("logoutUrl")?.map(|url| glue::absolute_url(&url));
    let defaults = RefreshPolicy::default();
    let backoff = match js.value("backoff") {
        None => defaults.backoff,
        Some(backoff) => {
            let mut js = JsOptions::read(&backoff, &[BACKOFF_NAMES], "backoff")?;
            let mut required = |name: &str| {
                js.number(name)?
                    .ok_or_else(|| invalid_options(format!("backoff.{name} is required")))
            };
            Backoff {
                base_ms: required("baseMs")?,
                max_ms: required("maxMs")?,
            }
        }
    };
    config.policy = RefreshPolicy {
        margin: js
            .seconds("refreshMargin")?
            .map_or(defaults.margin, |s| s as f64),
        max_attempts: js
            .integer("maxRefreshAttempts", u32::MAX.into())?
            .map_or(defaults.max_attempts, |n| n as u32)
            .max(1),
        backoff,
    };
    Ok(config)
}
