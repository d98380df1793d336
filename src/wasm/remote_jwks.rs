//! `RemoteKeySet`: a provider's JWKS URL as a key set (`KeySet.remote(url, options)`). The
//! core's [`RemoteJwks`] decides when to fetch and what an answer means; this layer fetches
//! (fetch_jwks.js: one request in flight, shared by every verification waiting for keys),
//! and verifies with the keys through the host's crypto, as `keySet.verifyAsync` does.

use super::convert::{promise_of_work, token_arg};
use super::error::{error_from_js, to_js as error_to_js, JsResult};
use super::key_options::{now_from, verify_options};
use super::options::JsOptions;
use super::webcrypto::{verify_async, HostKeys};
use crate::{ErrorCode, JwksResponse, JwksStep, RemoteJwks, RemoteJwksOptions, VerifyOptions};
use js_sys::{Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/wasm/fetch_jwks.js")]
extern "C" {
    #[wasm_bindgen(js_name = checkJwksUrl, catch)]
    fn check_jwks_url(url: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = fetchJwks)]
    fn fetch_jwks(
        url: &str,
        timeout_ms: f64,
        max_bytes: f64,
        shared: &JsValue,
        custom_fetch: &JsValue,
        now: f64,
    ) -> Promise;
    #[wasm_bindgen(js_name = shareJwks)]
    fn share_jwks(shared: &JsValue, url: &str, body: &str, fresh_until: f64, now: f64) -> Promise;
}

/// A provider's JWKS, fetched when needed and kept fresh (make one per URL and keep it: its
/// cache is the point).
///
/// ```js
/// const google = KeySet.remote("https://www.googleapis.com/oauth2/v3/certs");
/// const { payload } = await google.verifyAsync(idToken, { issuer: "https://accounts.google.com", audience: clientId });
/// ```
#[wasm_bindgen(js_name = RemoteKeySet)]
pub struct JsRemoteKeySet {
    state: Rc<State>,
}

struct State {
    url: String,
    jwks: RefCell<RemoteJwks>,
    /// The host's keys for the current key set; a new set gets new ones.
    host: RefCell<Rc<HostKeys>>,
    /// The fetch in flight: settles (never rejects) once its outcome is in `jwks`.
    in_flight: RefCell<Option<Promise>>,
    shared: JsValue,
    custom_fetch: JsValue,
}

fn clock() -> i64 {
    js_sys::Date::now() as i64
}

super::options::js_options! {
    /// Options for `KeySet.remote`. Durations are seconds (fractions allowed) or text ("30s").
    const REMOTE_OPTION_NAMES, REMOTE_OPTIONS_TYPESCRIPT = interface "RemoteKeySetOptions" {
        /// How long fetched keys are used when the answer has no Cache-Control max-age, and the
        /// longest a max-age keeps them (default "10m").
        cacheMaxAge "?: Duration",
        /// The least time between two fetches, and the least time keys are kept (default "30s").
        cooldown "?: Duration",
        /// A fetch (body included) that takes longer fails with `jwks_fetch_failed` (default "5s").
        timeout "?: Duration",
        /// How long past their freshness stale keys still verify while fetching fails (default "1h").
        staleIfError "?: Duration",
        /// The largest JWKS accepted, in bytes (default 262144).
        maxBodySize "?: number",
        /// A cache shared by isolates: the Workers Cache API (`caches.default`) or any object with
        ///  its `match(url)` and `put(url, response)`.
        cache "?: { match(url: string): Promise<Response | undefined>; put(url: string, response: Response): Promise<void> }",
        /// The fetch to use (default: the global one).
        fetch "?: (url: string, init: RequestInit) => Promise<Response>",
    }
}

impl JsRemoteKeySet {
    /// `KeySet.remote(url, options)`.
    pub(crate) fn new(url: JsValue, options: Option<JsValue>) -> JsResult<JsRemoteKeySet> {
        let url = super::convert::string_arg(&url, ErrorCode::InvalidOptions, "the JWKS URL")?;
        let url = check_jwks_url(&url)?;
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let mut js = JsOptions::read(&options, &[REMOTE_OPTION_NAMES], "KeySet.remote options")?;
        let defaults = RemoteJwksOptions::default();
        let max_body_bytes = match js.integer("maxBodySize", 16 * 1024 * 1024)? {
            Some(size) => usize::try_from(size).unwrap_or(usize::MAX),
            None => defaults.max_body_bytes,
        };
        let core = RemoteJwksOptions {
            cache_max_age: js
                .milliseconds("cacheMaxAge")?
                .unwrap_or(defaults.cache_max_age),
            cooldown: js.milliseconds("cooldown")?.unwrap_or(defaults.cooldown),
            timeout: js.milliseconds("timeout")?.unwrap_or(defaults.timeout),
            stale_if_error: js
                .milliseconds("staleIfError")?
                .unwrap_or(defaults.stale_if_error),
            max_body_bytes,
        };
        let function_or_object = |value: Option<JsValue>, name: &str, kind: &str| match value {
            None => Ok(JsValue::UNDEFINED),
            Some(value) if kind == "function" && value.is_function() => Ok(value),
            Some(value) if kind == "object" && value.is_object() => Ok(value),
            Some(_) => Err(super::error::invalid_options(format!(
                "KeySet.remote option {name} must be a {kind}"
            ))),
        };
        let shared = function_or_object(js.value("cache"), "cache", "object")?;
        let custom_fetch = function_or_object(js.value("fetch"), "fetch", "function")?;
        Ok(JsRemoteKeySet {
            state: Rc::new(State {
                url,
                jwks: RefCell::new(RemoteJwks::new(core).map_err(error_to_js)?),
                host: RefCell::new(Rc::new(HostKeys::verifying())),
                in_flight: RefCell::default(),
                shared,
                custom_fetch,
            }),
        })
    }
}

#[wasm_bindgen(js_class = RemoteKeySet)]
impl JsRemoteKeySet {
    /// Verifies a token with the provider's keys, as `keySet.verifyAsync` does. Fetches the
    /// JWKS when it has none fresh (concurrent calls share one request); a token whose `kid`
    /// no key has makes one more fetch, at most once per cooldown, in case the provider
    /// rotated. Rejects with `jwks_fetch_failed` or `jwks_invalid` when there are no keys to
    /// use (stale keys serve for `staleIfError` while the endpoint fails).
    ///
    /// ```js
    /// const { payload } = await jwks.verifyAsync(token, { issuer, audience, algorithms: ["RS256"] });
    /// ```
    #[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "Promise<VerifyResult>")]
    pub fn verify_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let checked = token_arg(&token).and_then(|token| {
            let now = now_from(&options)?;
            Ok((token, now, verify_options(&options)?))
        });
        let (token, now, options) = match checked {
            Ok(checked) => checked,
            Err(error) => return Promise::reject(&error),
        };
        let state = self.state.clone();
        promise_of_work(Box::pin(async move {
            state.ready().await?;
            match state.verify(&token, &options, now).await {
                Err(error) if state.should_refetch(&error) => {
                    state.fetch().await;
                    state.ready().await?;
                    state.verify(&token, &options, now).await
                }
                verified => verified,
            }
        }))
    }

    /// The URL the keys come from.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.state.url.clone()
    }
}

impl State {
    /// Waits until keys may be used: the fetch in flight, or a new one when the core asks.
    async fn ready(self: &Rc<Self>) -> JsResult<()> {
        let in_flight = self.in_flight.borrow().clone();
        if let Some(in_flight) = in_flight {
            let _ = JsFuture::from(in_flight).await;
        }
        let step = self.jwks.borrow().step(clock()).map_err(error_to_js)?;
        if step == JwksStep::Fetch {
            self.fetch().await;
        }
        self.jwks.borrow().usable(clock()).map_err(error_to_js)
    }

    async fn verify(&self, token: &str, options: &VerifyOptions, now: i64) -> JsResult<JsValue> {
        let verifying = {
            let jwks = self.jwks.borrow();
            let Some(keys) = jwks.keys() else {
                return Err(error_to_js(crate::Error::new(
                    ErrorCode::JwksFetchFailed,
                    "the JWKS has no keys yet",
                )));
            };
            let host = self.host.borrow().clone();
            verify_async(token, keys, &host, options, now, None)
        };
        JsFuture::from(verifying).await
    }

    /// A `key_not_found` while a fetch may tell whether the provider has rotated.
    fn should_refetch(&self, error: &JsValue) -> bool {
        error_from_js(error, ErrorCode::InvalidSignature).code() == ErrorCode::KeyNotFound
            && self.jwks.borrow().refetch_for_unknown_key(clock())
    }

    /// Fetches the JWKS (or joins the fetch in flight) and records its outcome in the core.
    async fn fetch(self: &Rc<Self>) {
        let existing = self.in_flight.borrow().clone();
        let in_flight = existing.unwrap_or_else(|| {
            let started = self.start_fetch();
            *self.in_flight.borrow_mut() = Some(started.clone());
            started
        });
        let _ = JsFuture::from(in_flight).await;
    }

    fn start_fetch(self: &Rc<Self>) -> Promise {
        let now = clock();
        self.jwks.borrow_mut().fetch_started(now);
        let options = self.jwks.borrow().options().clone();
        let fetching = fetch_jwks(
            &self.url,
            options.timeout as f64,
            options.max_body_bytes as f64,
            &self.shared,
            &self.custom_fetch,
            now as f64,
        );
        let state = self.clone();
        promise_of_work(Box::pin(async move {
            let answer = JsFuture::from(fetching).await;
            // Awaited: a Worker may end the request, and an unfinished put with it, as soon
            // as the verification settles.
            if let Some(sharing) = state.record(answer) {
                let _ = JsFuture::from(sharing).await;
            }
            *state.in_flight.borrow_mut() = None;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// The fetch's answer into the core; new keys get new host keys, and a network answer
    /// goes to the shared cache (the returned put).
    fn record(&self, answer: Result<JsValue, JsValue>) -> Option<Promise> {
        let now = clock();
        let text = |value: &JsValue, name: &str| {
            Reflect::get(value, &name.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        let answer = answer.map(|value| {
            let status = Reflect::get(&value, &"status".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            let shared_until = Reflect::get(&value, &"sharedFreshUntil".into())
                .ok()
                .and_then(|v| v.as_f64());
            (
                status as u16,
                text(&value, "cacheControl"),
                text(&value, "body").unwrap_or_default(),
                shared_until.map(|until| until as i64),
            )
        });
        let mut jwks = self.jwks.borrow_mut();
        let outcome = match &answer {
            Ok((status, cache_control, body, shared_fresh_until)) => jwks.fetched(
                now,
                Ok(JwksResponse {
                    status: *status,
                    cache_control: cache_control.as_deref(),
                    body,
                    shared_fresh_until: *shared_fresh_until,
                }),
            ),
            Err(error) => jwks.fetched(now, Err(error_from_js(error, ErrorCode::JwksFetchFailed))),
        };
        if outcome.is_err() || jwks.last_failure().is_some() {
            return None;
        }
        *self.host.borrow_mut() = Rc::new(HostKeys::verifying());
        match (&answer, jwks.fresh_until()) {
            (Ok((_, _, body, None)), Some(fresh_until)) if self.shared.is_object() => {
                Some(share_jwks(
                    &self.shared,
                    &self.url,
                    body,
                    fresh_until as f64,
                    now as f64,
                ))
            }
            _ => None,
        }
    }
}
