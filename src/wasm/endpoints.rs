//! The Issuer's HTTP endpoints as data (`refreshEndpoint`, `logoutEndpoint`,
//! `tokenResponseData`) and the `cookies` option that turns on cookie mode. The exchanges
//! themselves are `crate::endpoints`; this converts requests in and responses out.

use super::convert::{json_text, optional_string_arg, promise_of_work, string_arg};
use super::error::{invalid_options, JsResult};
use super::issuer::{response_data, JsIssuer};
use super::js::member;
use super::key_options::now_from;
use super::options::JsOptions;
use crate::cookie::{CookieLifetime, CookieMode, SameSite};
use crate::csrf::CsrfPolicy;
use crate::endpoints::{logout_endpoint, refresh_endpoint};
use crate::http::{self, RequestParts};
use crate::{DpopRequest, ErrorCode, TokenPair, TokenResponse, VerifiedProof};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

super::options::js_options! {
    /// Cookie mode's settings (the Issuer's `cookies` option).
    const COOKIE_OPTION_NAMES, COOKIE_OPTIONS_TYPESCRIPT = interface "CookieOptions" {
        /// Default "__Secure-refresh_token". A `__Host-` name needs `path: "/"`.
        refreshName "?: string",
        /// The access token's copy, read by refresh when no Bearer token is sent. Default "__Secure-access_token".
        accessName "?: string",
        /// Both cookies are sent only under it: put the refresh and logout endpoints there. Default "/auth".
        path "?: string",
        /// Default "Strict". "None" requires `allowedOrigins`.
        sameSite "?: \"Strict\" | \"Lax\" | \"None\"",
        /// Default: the refresh token's lifetime. "session": until the browser closes.
        maxAge "?: Duration | \"session\"",
        /// Origins besides the endpoint's own whose requests may use the cookies (e.g. the app on a sibling subdomain).
        allowedOrigins "?: string[]",
        /// Accept every same-site request, not only those of `allowedOrigins`. Default false.
        allowSameSite "?: boolean",
        /// A cookie scripts can read (value "1", `Path=/`) set and cleared with the tokens: a page of this origin without it starts signed out with no refresh request (the client's `sessionHint`). Default "__Host-jwt-refresh-session"; false: none.
        sessionHint "?: string | false",
    }
}

/// The Issuer's `cookies` option: `true` for the defaults, or an object of settings.
pub(crate) fn cookie_mode(value: Option<JsValue>) -> JsResult<Option<CookieMode>> {
    let value = match value {
        None => return Ok(None),
        Some(value) if value.as_bool() == Some(false) => return Ok(None),
        Some(value) if value.as_bool() == Some(true) => JsValue::UNDEFINED,
        Some(value) if value.is_object() => value,
        Some(_) => return Err(invalid_options("cookies must be true or an object")),
    };
    let mut js = JsOptions::read(&value, &[COOKIE_OPTION_NAMES], "cookies")?;
    let defaults = CookieMode::default();
    let same_site = match js.string("sameSite")? {
        None => defaults.same_site,
        Some(text) => SameSite::parse(&text).ok_or_else(|| {
            invalid_options("cookies.sameSite must be \"Strict\", \"Lax\" or \"None\"")
        })?,
    };
    let lifetime = match js.value("maxAge") {
        None => defaults.lifetime,
        Some(value) if value.as_string().as_deref() == Some("session") => {
            CookieLifetime::BrowserSession
        }
        Some(_) => CookieLifetime::Seconds(
            js.seconds("maxAge")?
                .unwrap_or_default()
                .min(i64::MAX as u64) as i64,
        ),
    };
    let session_hint = js
        .name_or_false("sessionHint")?
        .unwrap_or(defaults.session_hint);
    let mode = CookieMode {
        session_hint,
        refresh_name: js.string("refreshName")?.unwrap_or(defaults.refresh_name),
        access_name: js.string("accessName")?.unwrap_or(defaults.access_name),
        path: js.string("path")?.unwrap_or(defaults.path),
        same_site,
        lifetime,
        csrf: CsrfPolicy {
            allowed_origins: js.strings("allowedOrigins")?.unwrap_or_default(),
            allow_same_site: js.boolean("allowSameSite")?.unwrap_or(false),
        },
    };
    mode.validate().map_err(super::error::to_js)?;
    Ok(Some(mode))
}

/// A request as the endpoints read it, from `{ ownOrigin, contentType, authorization, cookie,
/// origin, secFetchSite, body, method, url, dpop }` (header values as `Headers.get` gives them;
/// `ownOrigin` is the origin of the request URL, `new URL(request.url).origin`; `dpop` the
/// DPoP header).
struct JsRequest {
    method: Option<String>,
    url: Option<String>,
    dpop: Option<String>,
    own_origin: Option<String>,
    content_type: Option<String>,
    authorization: Option<String>,
    cookie: Option<String>,
    origin: Option<String>,
    sec_fetch_site: Option<String>,
    body: String,
}

impl JsRequest {
    fn read(request: &JsValue) -> JsResult<JsRequest> {
        if !request.is_object() {
            return Err(invalid_options("the request must be an object"));
        }
        let header = |name: &'static str| -> JsResult<Option<String>> {
            optional_string_arg(
                member(request, name, name)?,
                ErrorCode::InvalidOptions,
                name,
            )
        };
        Ok(JsRequest {
            method: header("method")?,
            url: header("url")?,
            dpop: header("dpop")?,
            own_origin: header("ownOrigin")?,
            content_type: header("contentType")?,
            authorization: header("authorization")?,
            cookie: header("cookie")?,
            origin: header("origin")?,
            sec_fetch_site: header("secFetchSite")?,
            body: header("body")?.unwrap_or_default(),
        })
    }

    fn parts(&self) -> RequestParts<'_> {
        RequestParts {
            own_origin: self.own_origin.as_deref(),
            content_type: self.content_type.as_deref(),
            authorization: self.authorization.as_deref(),
            cookie: self.cookie.as_deref(),
            origin: self.origin.as_deref(),
            sec_fetch_site: self.sec_fetch_site.as_deref(),
            body: &self.body,
        }
    }
}

enum Endpoint {
    Refresh,
    Logout,
}

impl JsIssuer {
    /// One of the endpoints, as a promise of its response data.
    fn endpoint(&self, endpoint: Endpoint, request: JsValue, options: Option<JsValue>) -> Promise {
        let (inner, cookies, dpop) = (self.inner.clone(), self.cookies.clone(), self.dpop.clone());
        promise_of_work(Box::pin(async move {
            let request = JsRequest::read(&request)?;
            let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
            let (issuer, store) = &*inner;
            let (parts, cookies) = (&request.parts(), cookies.as_deref());
            let mut response = match endpoint {
                Endpoint::Refresh => {
                    // With the `dpop` option, a proof that came is checked (its id is recorded
                    // in the session with the rotation); the Issuer decides whether the
                    // session needs one.
                    let checked = match (&dpop, &request.dpop) {
                        (Some(setup), Some(proof)) => {
                            let dpop_request = DpopRequest {
                                method: request.method.as_deref().unwrap_or("POST"),
                                url: request.url.as_deref().unwrap_or_default(),
                                access_token: None,
                            };
                            Some(setup.check(Some(proof), &dpop_request, now, false).await)
                        }
                        _ => None,
                    };
                    match checked {
                        Some(Err(err)) => http::grant_error(&err),
                        checked => {
                            let max_age = dpop.as_ref().map_or(0, |setup| setup.policy.max_age);
                            let checked = checked.and_then(Result::ok);
                            let proof = checked.as_ref().map(|proof| VerifiedProof {
                                jkt: &proof.jkt,
                                jti: &proof.jti,
                                usable_until: proof.iat.saturating_add(max_age),
                            });
                            refresh_endpoint(issuer, store, parts, now, cookies, proof.as_ref())
                                .await
                        }
                    }
                }
                Endpoint::Logout => logout_endpoint(issuer, store, parts, now, cookies).await,
            };
            // RFC 9449 §8: a server with nonces hands out the current one with its answers.
            if let Some(nonce) = dpop.as_ref().and_then(|setup| setup.nonce(now)) {
                response.headers.push(("dpop-nonce".into(), nonce));
            }
            response_data(&response)
        }))
    }
}

#[wasm_bindgen(js_class = Issuer)]
impl JsIssuer {
    /// `POST /auth/refresh` as data: the response to send, whatever the request (it rejects
    /// only with `invalid_options` for a request object it cannot read). In cookie mode the
    /// tokens come from the cookies, after the CSRF checks. `handleRefresh` calls it.
    ///
    /// ```js
    /// const data = await issuer.refreshEndpoint({ ownOrigin, contentType, cookie, origin, secFetchSite, body });
    /// ```
    #[wasm_bindgen(js_name = refreshEndpoint, unchecked_return_type = "Promise<ResponseData>")]
    pub fn refresh_endpoint(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EndpointRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.endpoint(Endpoint::Refresh, request, options)
    }

    /// `POST /auth/logout` as data: revokes the session of the refresh token sent (in cookie
    /// mode its cookie, after the CSRF checks; else `{"refresh_token": …}`) and answers 204,
    /// clearing the cookies. `handleLogout` calls it.
    ///
    /// ```js
    /// const data = await issuer.logoutEndpoint({ ownOrigin, contentType, cookie, origin, secFetchSite, body });
    /// ```
    #[wasm_bindgen(js_name = logoutEndpoint, unchecked_return_type = "Promise<ResponseData>")]
    pub fn logout_endpoint(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EndpointRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.endpoint(Endpoint::Logout, request, options)
    }

    /// The login answer for a `startSession` result: in cookie mode both tokens as cookies
    /// and the body without the refresh token (`cookie_too_large` if a token cannot be a
    /// cookie); else the RFC 6749 token response. `tokenResponse(tokens, issuer)` calls it.
    ///
    /// ```js
    /// const data = issuer.tokenResponseData(await issuer.startSession("ada"));
    /// ```
    #[wasm_bindgen(js_name = tokenResponseData, unchecked_return_type = "ResponseData")]
    pub fn token_response_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenResponse")] tokens: JsValue,
    ) -> JsResult<JsValue> {
        if !tokens.is_object() {
            return Err(invalid_options("tokens must be a startSession result"));
        }
        if member(&tokens, "then", "tokens")?.is_function() {
            return Err(invalid_options(
                "tokens is a Promise, not a startSession result: did you forget await?",
            ));
        }
        let tokens: TokenResponse = serde_json::from_str(&json_text(&tokens, "tokens")?)
            .map_err(|err| invalid_options(format!("tokens is not a token response: {err}")))?;
        let seconds = |value: Option<i64>, name: &str| {
            value.filter(|s| *s >= 0).ok_or_else(|| {
                invalid_options(format!("tokens.{name} must be a number of seconds"))
            })
        };
        if tokens.refresh_token.is_empty() {
            return Err(invalid_options("tokens.refresh_token is missing"));
        }
        let pair = TokenPair {
            expires_in: seconds(tokens.expires_in, "expires_in")?,
            refresh_expires_in: seconds(tokens.refresh_expires_in, "refresh_expires_in")?,
            dpop_bound: tokens.token_type.as_deref() == Some("DPoP"),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            session_id: String::new(),
            subject: String::new(),
        };
        let response = match self.cookies.as_deref() {
            Some(mode) => http::cookie_token_response(&pair, mode).map_err(super::error::to_js)?,
            None => http::token_response(&pair),
        };
        response_data(&response)
    }

    /// The answer to a login whose DPoP proof was refused (`invalid_dpop_proof` or
    /// `use_dpop_nonce`): 401 with `WWW-Authenticate: DPoP error="…"` and, with nonces on, the
    /// current `DPoP-Nonce`. `dpopChallenge(error, issuer)` calls it.
    ///
    /// ```js
    /// const data = issuer.dpopChallengeData("use_dpop_nonce");
    /// ```
    #[wasm_bindgen(js_name = dpopChallengeData, unchecked_return_type = "ResponseData")]
    pub fn dpop_challenge_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ErrorCode")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        let code = string_arg(&code, ErrorCode::InvalidOptions, "the error code")?;
        let code = match ErrorCode::parse(&code) {
            Some(code @ (ErrorCode::InvalidDpopProof | ErrorCode::UseDpopNonce)) => code,
            _ => {
                return Err(invalid_options(format!(
                    "a DPoP challenge is for invalid_dpop_proof or use_dpop_nonce, not {code:?}"
                )))
            }
        };
        let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
        let nonce = self.dpop.as_ref().and_then(|setup| setup.nonce(now));
        response_data(&http::unauthorized_dpop(
            &crate::Error::new(code, ""),
            nonce.as_deref(),
        ))
    }

    /// The largest request body the token endpoints read, in bytes (16 KiB): a longer one is
    /// `400 invalid_request`. `handleRefresh` and `handleLogout` stop reading past it.
    ///
    /// ```js
    /// if (Number(request.headers.get("content-length")) > issuer.maxRequestBody) return tooLarge();
    /// ```
    #[wasm_bindgen(getter, js_name = maxRequestBody)]
    pub fn max_request_body(&self) -> u32 {
        http::MAX_REFRESH_BODY as u32
    }

    /// Whether this issuer answers in cookie mode (the `cookies` option).
    #[wasm_bindgen(getter, js_name = cookieMode)]
    pub fn cookie_mode(&self) -> bool {
        self.cookies.is_some()
    }
}
