//! `AuthClient`: the JS face of the client core (`src/client/session.rs`). It reads options,
//! forwards calls and maps errors; the tab it drives (timer, snapshot, channel) is `tab.rs`.
//! It decides nothing.

use super::glue;
use super::tab::{self, answer_of, Inner};
use crate::client::{json, ApiAnswer, ApiRetries, TokenResponse};
use crate::wasm::convert::{json_text, promise_of_work, string_arg, Work};
use crate::wasm::error::{invalid_options, to_js as error_to_js, JsResult};
use crate::wasm::js::describe;
use crate::ErrorCode;
use js_sys::{Function, Promise, Reflect};
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

const EVENTS: &[&str] = &["refresh", "logout", "error", "change"];

impl JsAuthClient {
    /// `create` for Rust callers (tests): the client itself rather than a promise of it.
    #[doc(hidden)]
    pub async fn open(options: JsValue) -> JsResult<JsAuthClient> {
        Ok(JsAuthClient {
            inner: tab::open(options).await?,
        })
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

/// Runs `work` on the client as a promise, then reports any change of state. Boxed, as
/// `promise_of_work` explains: every method's promise comes from one instance.
fn run<F>(inner: &Rc<Inner>, work: impl FnOnce(Rc<Inner>) -> F) -> Promise
where
    F: Future<Output = JsResult<JsValue>> + 'static,
{
    promise_then_changed(inner.clone(), Box::pin(work(inner.clone())))
}

fn promise_then_changed(inner: Rc<Inner>, work: Work) -> Promise {
    future_to_promise(async move {
        let result = work.await;
        inner.changed();
        result
    })
}

#[wasm_bindgen(js_class = AuthClient)]
impl JsAuthClient {
    /// Opens the storage, loads any saved tokens, joins the other tabs.
    #[wasm_bindgen(unchecked_return_type = "Promise<AuthClient>")]
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "AuthClientOptions")] options: JsValue,
    ) -> Promise {
        promise_of_work(Box::pin(async move {
            Ok(JsAuthClient::open(options).await?.into())
        }))
    }

    /// Takes the token response of a login (RFC 6749 §5.1 JSON) and shares it with other tabs.
    #[wasm_bindgen(js_name = setTokens, unchecked_return_type = "Promise<void>")]
    pub fn set_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenResponse")] response: JsValue,
    ) -> Promise {
        run(&self.inner, |inner| async move {
            let response: TokenResponse =
                json::from_str(&json_text(&response, "the token response")?).ok_or_else(|| {
                    invalid_options(
                        "the token response is not an RFC 6749 token response (a JSON object with access_token, and refresh_token in header mode)",
                    )
                })?;
            inner
                .session
                .set_tokens(&response)
                .await
                .map_err(error_to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// A valid access token (refreshing first if it is due), or null when signed out.
    #[wasm_bindgen(js_name = getAccessToken, unchecked_return_type = "Promise<string | null>")]
    pub fn get_access_token(&self) -> Promise {
        run(&self.inner, |inner| async move {
            let token = inner.session.access_token().await.map_err(error_to_js)?;
            Ok(token.map_or(JsValue::NULL, JsValue::from))
        })
    }

    /// `fetch` with `Authorization: Bearer` (with `dpop`: `DPoP` and a proof) for the refresh
    /// URL's origin and `origins` only. On their expired signal (only that 401): one refresh,
    /// one retry; the expired signal again right after a refresh logs out. A DPoP server's
    /// `use_dpop_nonce` is answered once, with its nonce. Signed out, a request there still
    /// gets a proof (a login binds the session to the key).
    ///
    /// ```js
    /// const res = await auth.fetch("/auth/login", { method: "POST", body }); // with dpop: a proof
    /// await auth.setTokens(await res.json());
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInfo | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit")] init: Option<JsValue>,
    ) -> Promise {
        run(&self.inner, |inner| async move {
            let init = init.unwrap_or(JsValue::UNDEFINED);
            let prepared = glue::prepare_request(&input, &init).map_err(|thrown| {
                invalid_options(format!(
                    "fetch's input and init do not make a Request: {}",
                    describe(&thrown)
                ))
            })?;
            let text = |name: &str| {
                Reflect::get(&prepared, &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            let request = Reflect::get(&prepared, &"request".into())?;
            let (origin, url, method) = (text("origin"), text("url"), text("method"));
            let session = &inner.session;
            let mut retries = ApiRetries::default();
            loop {
                let (authorization, proof) = session
                    .api_headers(&origin, &method, &url)
                    .await
                    .map_err(error_to_js)?;
                let fetch = &session.platform().fetch;
                let response =
                    JsFuture::from(glue::send_request(fetch, &request, authorization, proof))
                        .await
                        .map_err(|thrown| {
                            error_to_js(crate::Error::new(
                                ErrorCode::NetworkError,
                                describe(&thrown),
                            ))
                        })?;
                let (status, www_authenticate, dpop_nonce) = answer_of(&response);
                let answer = ApiAnswer {
                    status,
                    www_authenticate: www_authenticate.as_deref(),
                    dpop_nonce: dpop_nonce.as_deref(),
                };
                let again = session
                    .after_api_answer(&mut retries, &origin, &url, answer)
                    .await
                    .map_err(error_to_js)?;
                if !again {
                    return Ok(response);
                }
            }
        })
    }

    /// The headers `fetch` would attach to a request to `url`, for requests an app sends
    /// itself (axios, ky, a WebSocket URL's first request): `authorization` (refreshing first
    /// when the token is due) and, with `dpop`, a proof for this method and URL. Empty for an
    /// origin that is not allowed. The answer's expired signal and nonce are then the app's.
    ///
    /// ```js
    /// const headers = await auth.headersFor("https://api.example/items", "POST");
    /// await axios.post("https://api.example/items", item, { headers });
    /// ```
    #[wasm_bindgen(
        js_name = headersFor,
        unchecked_return_type = "Promise<{ authorization?: string; dpop?: string }>"
    )]
    pub fn headers_for(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] method: Option<JsValue>,
    ) -> Promise {
        run(&self.inner, |inner| async move {
            // A string, or a URL object's href.
            let url = url
                .as_string()
                .or_else(|| Reflect::get(&url, &"href".into()).ok()?.as_string())
                .ok_or_else(|| invalid_options("headersFor takes a URL (a string or a URL)"))?;
            let method = match method.filter(|m| !m.is_undefined()) {
                None => "GET".to_owned(),
                Some(method) => string_arg(&method, ErrorCode::InvalidOptions, "the method")?
                    .to_ascii_uppercase(),
            };
            let origin = glue::origin_of(&url).map_err(|thrown| {
                invalid_options(format!("\"{url}\" is not a URL: {}", describe(&thrown)))
            })?;
            let (authorization, proof) = inner
                .session
                .api_headers(&origin, &method, &glue::absolute_url(&url))
                .await
                .map_err(error_to_js)?;
            let headers = js_sys::Object::new();
            for (name, value) in [("authorization", authorization), ("dpop", proof)] {
                if let Some(value) = value {
                    Reflect::set(&headers, &name.into(), &value.into())?;
                }
            }
            Ok(headers.into())
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
        run(&self.inner, |inner| async move {
            inner.session.refresh().await.map_err(error_to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Logs out in every tab at once (tokens removed everywhere, one `logout` event per tab),
    /// then revokes the session at `logoutUrl` when configured, bounded and best effort.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> Promise {
        run(&self.inner, |inner| async move {
            inner.session.logout().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Turns proactive refresh (before expiry, on a timer) off or on. Off, the access token is
    /// sent until the API answers with the expired signal, which then refreshes once.
    ///
    /// ```js
    /// auth.setProactiveRefresh(false); // watch the expired-signal path
    /// ```
    #[wasm_bindgen(js_name = setProactiveRefresh)]
    pub fn set_proactive_refresh(&self, on: bool) {
        self.inner.session.set_proactive(on);
        self.inner.changed();
    }

    /// The state now: the same object until it changes (for `useSyncExternalStore`).
    #[wasm_bindgen(getter, unchecked_return_type = "AuthState")]
    pub fn state(&self) -> JsValue {
        self.inner.snapshot()
    }

    /// Listens to `refresh`, `logout`, `error` or `change`; returns a function that stops
    /// (calling it again does nothing). A listener that throws does not keep the others from
    /// hearing the event; its error goes to `reportError` (the page's `error` event), or to
    /// `console.error` where there is none.
    ///
    /// ```js
    /// const off = auth.on("logout", ({ reason }) => showLogin(reason));
    /// off(); // later
    /// ```
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "keyof AuthEvents")] event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(detail: any) => void")] listener: JsValue,
    ) -> JsResult<Function> {
        let event = string_arg(&event, ErrorCode::InvalidOptions, "the event")?;
        if !EVENTS.contains(&event.as_str()) {
            return Err(invalid_options(format!("unknown event \"{event}\"")));
        }
        let listener: Function = listener
            .dyn_into()
            .map_err(|_| invalid_options("the listener must be a function"))?;
        Ok(glue::add_listener(
            &self.inner.session.platform().listeners,
            &event,
            &listener,
        ))
    }

    /// `on("change")` in the shape `useSyncExternalStore` takes: returns the unsubscribe.
    ///
    /// ```js
    /// const state = useSyncExternalStore((l) => auth.subscribe(l), () => auth.state);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "() => void")] listener: JsValue,
    ) -> JsResult<Function> {
        self.on("change".into(), listener)
    }

    /// Stops timers and leaves the tab channel (the tokens stay stored).
    pub fn close(&self) {
        self.inner.closed.set(true);
        self.inner.schedule();
        let channel = self
            .inner
            .session
            .platform()
            .channel
            .replace(JsValue::UNDEFINED);
        if let Ok(close) =
            Reflect::get(&channel, &"close".into()).and_then(|f| f.dyn_into::<Function>())
        {
            let _ = close.call0(&channel);
        }
    }
}
