//! `AuthClient.create`'s options, read and checked: the client core's configuration, and what
//! the browser layer needs (storage, fetch, lock timeout).

use super::glue;
use crate::client::{Backoff, ClientConfig, RefreshPolicy};
use crate::wasm::error::{invalid_options, JsResult};
use crate::wasm::js::describe;
use crate::wasm::options::JsOptions;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const OPTION_NAMES: &[&str] = &[
    "refreshUrl",
    "logoutUrl",
    "origins",
    "storage",
    "namespace",
    "split",
    "refreshMargin",
    "maxRefreshAttempts",
    "backoff",
    "lockTimeout",
    "fetch",
    "mode",
    "dpop",
];

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
                let mut js = JsOptions::read(&dpop, &[&["alg"]], "dpop")?;
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
            invalid_options(format!("origins: {extra:?}: {}", describe(&thrown)))
        })?;
        config.origins.push(origin);
    }
    config.logout_url = js.string("logoutUrl")?.map(|url| glue::absolute_url(&url));
    let defaults = RefreshPolicy::default();
    let backoff = match js.value("backoff") {
        None => defaults.backoff,
        Some(backoff) => {
            let mut js = JsOptions::read(&backoff, &[&["baseMs", "maxMs"]], "backoff")?;
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
