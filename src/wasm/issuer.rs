//! `Issuer` as a JS class: sessions, refresh, revoke, and the HTTP contract.

use super::authenticate::{authenticate, failure, header_arg, ProtectedRequest};
use super::convert::{
    key_json_from_js, object_from_js, promise_of_work, string_arg, to_js, token_arg,
};
use super::dpop::{issuer_dpop, DpopInput, DpopSetup};
use super::error::{invalid_options, to_js as error_to_js, JsResult};
use super::key::{verified_to_js, JsKey};
use super::key_options::{now_from, VERIFIER_OPTIONS};
use super::options::JsOptions;
use super::prepared::{cache_option, signature_cache, JsVerifier, Keys};
use super::store::AnyStore;
use super::webcrypto::{verify_async, HostKeys, HostSigner};
use crate::cookie::CookieMode;
use crate::endpoints::refresh_endpoint;
use crate::http::{self, HttpResponse};
use crate::signature_cache::SignatureCache;
use crate::{
    DpopRequest, Error, ErrorCode, Issuer, IssuerConfig, Key, MemoryStore, SessionPolicy,
    TokenPair, VerifiedProof,
};
use js_sys::{Promise, Reflect};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

super::options::js_options! {
    /// Options of `new Issuer(signingKey, refreshKey, options)`.
    const ISSUER_OPTION_NAMES, ISSUER_OPTIONS_TYPESCRIPT = interface "IssuerOptions" {
        /// `iss` of every token.
        issuer ": string",
        /// `aud` of access tokens.
        audience "?: string | string[]",
        /// Default "15m".
        accessTtl "?: Duration",
        /// Default "14d"; renewed on each rotation, capped at the session's end.
        refreshTtl "?: Duration",
        /// Absolute session lifetime; default "30d".
        sessionLifetime "?: Duration",
        /// Idle timeout; default "14d".
        idleTimeout "?: Duration",
        /// Reuse grace window; default "30s". It also covers a refresh whose store write outlived
        /// `storeTimeout` but landed: the client's retry with the same tokens gets the current pair.
        /// Keep it longer than `storeTimeout` plus the client's retries.
        gracePeriod "?: Duration",
        /// Leeway when verifying access tokens.
        clockTolerance "?: Duration",
        /// Public JWKs of retired signing keys that still verify access tokens.
        previousKeys "?: JWK[]",
        /// Default: this isolate's memory (tests, single process).
        store "?: SessionStore",
        /// Milliseconds before a store call counts as failed (`store_unavailable`, HTTP 503); default
        /// 5000. A write still in flight may land after that: retry with the same tokens.
        storeTimeout "?: number",
        /// Remember up to this many access tokens whose signatures verified (as a verifier's `cache`):
        /// `verifyAccess`, `authenticate`, `authenticateAsync`, `accessVerifier()` and `refresh` skip
        /// the signature check of one they have seen; claims are checked every time. Default 0
        /// (off); at most 100000.
        signatureCache "?: number",
        /// Cookie mode: login and refresh answers set the refresh token and a copy of the access
        /// token as `HttpOnly; Secure; SameSite=Strict` cookies on the auth path, and their bodies
        /// carry no refresh token; refresh and logout read the cookies after the CSRF checks. `true`
        /// for the defaults. Default: off (header mode).
        cookies "?: boolean | CookieOptions",
        /// DPoP (RFC 9449): sessions started with a proof (`startSession(sub, claims, { dpop })`) are
        /// bound to its key: access tokens carry `cnf.jkt`, a refresh needs a proof by that key (its
        /// id recorded in the session), and `authenticateAsync` checks the proof and the binding.
        /// `"required"` (or `{ required: true }`) refuses sessions and tokens without one.
        dpop "?: boolean | \"required\" | IssuerDpopOptions",
    }
}

/// The token response `startSession` and `refresh` resolve to.
fn token_response(pair: &TokenPair) -> JsResult<JsValue> {
    to_js(&crate::TokenResponse::from(pair))
}

/// A response as plain data, for the JS helpers that build a `Response` from it.
#[derive(Serialize)]
struct ResponseData<'a> {
    status: u16,
    headers: &'a [(String, String)],
    body: &'a str,
}

pub(crate) fn response_data(response: &HttpResponse) -> JsResult<JsValue> {
    to_js(&ResponseData {
        status: response.status,
        headers: &response.headers,
        body: &response.body,
    })
}

/// Issues, refreshes and revokes token pairs against a session store.
///
/// ```js
/// const issuer = new Issuer(Key.fromJwk(JSON.parse(env.SIGNING_JWK)),
///   Key.fromJwk(JSON.parse(env.REFRESH_JWK)),
///   { issuer: "https://auth.example", audience: "api", store: new KvStore(env.SESSIONS) });
/// const pair = await issuer.startSession("user-1", { role: "reader" });
/// ```
#[wasm_bindgen(js_name = Issuer)]
pub struct JsIssuer {
    pub(crate) inner: Rc<(Issuer<HostSigner>, AnyStore)>,
    /// Cookie mode (the `cookies` option), for the endpoints.
    pub(crate) cookies: Option<Rc<CookieMode>>,
    /// Host keys of `accessVerifier()`s and `authenticateHttpAsync`, imported once for all.
    access_host: Rc<HostKeys>,
    /// Access-token signatures that verified (the `signatureCache` option), shared by every
    /// path that checks one.
    cache: Option<Rc<SignatureCache>>,
    /// DPoP (the `dpop` option): how proofs are checked, and the ids seen on API requests.
    pub(crate) dpop: Option<Rc<DpopSetup>>,
}

#[wasm_bindgen(js_class = Issuer)]
impl JsIssuer {
    /// `signingKey` signs access tokens; `refreshKey` (an HMAC secret that never leaves the
    /// server) MACs refresh tokens. Lifetimes are seconds or text ("15m"); defaults: access
    /// 15 min, refresh 14 d, session 30 d, idle 14 d, grace 30 s. Without `store`, sessions
    /// live in this isolate's memory.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = signingKey)] signing_key: &JsKey,
        #[wasm_bindgen(js_name = refreshKey)] refresh_key: &JsKey,
        #[wasm_bindgen(unchecked_param_type = "IssuerOptions")] options: JsValue,
    ) -> JsResult<JsIssuer> {
        let mut js = JsOptions::read(&options, &[ISSUER_OPTION_NAMES], "issuer options")?;
        let defaults = SessionPolicy::default();
        let policy = SessionPolicy {
            access_ttl: js.seconds("accessTtl")?.unwrap_or(defaults.access_ttl),
            refresh_ttl: js.seconds("refreshTtl")?.unwrap_or(defaults.refresh_ttl),
            session_lifetime: js
                .seconds("sessionLifetime")?
                .unwrap_or(defaults.session_lifetime),
            idle_timeout: js.seconds("idleTimeout")?.unwrap_or(defaults.idle_timeout),
            grace_period: js.seconds("gracePeriod")?.unwrap_or(defaults.grace_period),
        };
        let previous_keys = match js.value("previousKeys") {
            None => Vec::new(),
            Some(jwks) if super::js::is_array(&jwks, "previousKeys")? => {
                super::js::items(&jwks, "previousKeys")?
                    .iter()
                    .map(|jwk| {
                        let jwk = key_json_from_js(jwk, "previousKeys")?;
                        Key::from_jwk(&jwk, None, None).map_err(error_to_js)
                    })
                    .collect::<JsResult<Vec<_>>>()?
            }
            Some(_) => return Err(invalid_options("previousKeys must be an array of JWKs")),
        };
        let config = IssuerConfig {
            signing_key: signing_key.inner.clone(),
            previous_keys,
            refresh_key: refresh_key.inner.clone(),
            issuer: js
                .string("issuer")?
                .ok_or_else(|| invalid_options("issuer is required"))?,
            audience: js.one_or_many("audience")?.unwrap_or_default(),
            policy,
            clock_tolerance: js.seconds("clockTolerance")?.unwrap_or(0),
        };
        let cache = signature_cache(cache_option(&mut js, "signatureCache")?.unwrap_or(0))?;
        let access_host = Rc::new(HostKeys::verifying());
        let signer = HostSigner::new(access_host.clone(), cache.clone());
        let mut issuer = Issuer::with_signer(config, signer).map_err(error_to_js)?;
        let dpop = match issuer_dpop(js.value("dpop"))? {
            Some((setup, mode)) => {
                issuer = issuer.with_dpop_mode(mode);
                Some(Rc::new(setup))
            }
            None => None,
        };
        let store = match js.value("store") {
            None => AnyStore::Memory(MemoryStore::new()),
            Some(store) if store.is_object() => {
                let timeout_ms = js
                    .number("storeTimeout")?
                    .unwrap_or(crate::DEFAULT_STORE_TIMEOUT_MS);
                if !(timeout_ms.is_finite() && timeout_ms > 0.0) {
                    return Err(invalid_options(
                        "storeTimeout must be a positive number of milliseconds",
                    ));
                }
                AnyStore::Js { store, timeout_ms }
            }
            Some(_) => {
                return Err(invalid_options(
                    "store must be an object with get, put and list",
                ))
            }
        };
        let cookies = super::endpoints::cookie_mode(js.value("cookies"))?.map(Rc::new);
        Ok(JsIssuer {
            inner: Rc::new((issuer, store)),
            cookies,
            access_host,
            cache,
            dpop,
        })
    }

    /// Login: after the app has checked the credentials, start a session for `subject`.
    /// `claims` are copied into every access token of the session.
    #[wasm_bindgen(js_name = startSession, unchecked_return_type = "Promise<TokenResponse>")]
    pub fn start_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "JWTPayload")] claims: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "StartSessionOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let (inner, dpop) = (self.inner.clone(), self.dpop.clone());
        promise_of_work(Box::pin(async move {
            let subject = string_arg(&subject, ErrorCode::InvalidOptions, "the subject")?;
            let options = options.unwrap_or(JsValue::UNDEFINED);
            let now = now_from(&options)?;
            let claims = object_from_js(claims.unwrap_or(JsValue::UNDEFINED), "claims")?;
            let binding = match options.is_object() {
                true => super::js::member(&options, "dpop", "dpop")?,
                false => JsValue::UNDEFINED,
            };
            let (issuer, store) = &*inner;
            let checked = match (binding.is_undefined(), &dpop) {
                (true, _) => None,
                (false, None) => {
                    return Err(invalid_options(
                        "startSession got a DPoP proof, but the issuer has no dpop option",
                    ))
                }
                (false, Some(setup)) => {
                    let input = DpopInput::read(&binding, "startSession's dpop")?;
                    let request = DpopRequest {
                        method: &input.method,
                        url: &input.url,
                        access_token: None,
                    };
                    let checked = setup.check(input.proof.as_deref(), &request, now, false);
                    Some(checked.await.map_err(error_to_js)?)
                }
            };
            let max_age = dpop.as_ref().map_or(0, |setup| setup.policy.max_age);
            let proof = checked.as_ref().map(|checked| VerifiedProof {
                jkt: &checked.jkt,
                jti: &checked.jti,
                usable_until: checked.iat.saturating_add(max_age),
            });
            let pair = issuer
                .start_bound_session(store, &subject, claims, proof.as_ref(), now)
                .await
                .map_err(error_to_js)?;
            token_response(&pair)
        }))
    }

    /// Refresh with both tokens; rotates the refresh token. Rejects with `refresh_token_reused`
    /// (session now revoked), `session_revoked`, `refresh_token_expired`, `tokens_mismatch`, ...
    #[wasm_bindgen(unchecked_return_type = "Promise<TokenResponse>")]
    pub fn refresh(
        &self,
        #[wasm_bindgen(js_name = accessToken, unchecked_param_type = "string")]
        access_token: JsValue,
        #[wasm_bindgen(js_name = refreshToken, unchecked_param_type = "string")]
        refresh_token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_work(Box::pin(async move {
            let (access_token, refresh_token) =
                (token_arg(&access_token)?, token_arg(&refresh_token)?);
            let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
            let (issuer, store) = &*inner;
            let pair = issuer
                .refresh(store, &access_token, &refresh_token, now)
                .await
                .map_err(error_to_js)?;
            token_response(&pair)
        }))
    }

    /// Verifies an access token (stateless) signed with an HMAC key; an issuer with an
    /// asymmetric signing key throws `async_required` (use `verifyAccessAsync`). Throws
    /// `token_expired` only for otherwise valid tokens.
    #[wasm_bindgen(js_name = verifyAccess, unchecked_return_type = "VerifyResult")]
    pub fn verify_access(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        let token = token_arg(&token)?;
        let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
        let verified = self
            .inner
            .0
            .verify_access(&token, now)
            .map_err(error_to_js)?;
        verified_to_js(&verified)
    }

    /// `verifyAccess` for every signing key: asymmetric signatures checked by the host's crypto.
    /// Both check the token alone, so a DPoP-bound token (`cnf`) is refused with
    /// `invalid_dpop_proof`: a copy of it must not pass as a bearer token. Its proof and
    /// binding are checked by `authenticateAsync` (`authenticateRequestAsync`), which has the
    /// request.
    ///
    /// ```js
    /// const { payload } = await issuer.verifyAccessAsync(token);
    /// ```
    #[wasm_bindgen(js_name = verifyAccessAsync, unchecked_return_type = "Promise<VerifyResult>")]
    pub fn verify_access_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        let checked = token_arg(&token)
            .and_then(|token| Ok((token, now_from(&options.unwrap_or(JsValue::UNDEFINED))?)));
        let (token, now) = match checked {
            Ok(checked) => checked,
            Err(error) => return Promise::reject(&error),
        };
        verify_async(
            &token,
            self.inner.0.access_keys(),
            &self.access_host,
            self.inner.0.access_verify_options(),
            now,
            self.cache.as_ref(),
        )
    }

    /// A `Verifier` with the checks of `verifyAccess`, for the hot path of a Worker: its
    /// `verifyAsync` has EdDSA/ES256 signatures checked by the host's crypto (several times
    /// faster than wasm). Make it once and keep it; every verifier of this issuer shares the
    /// imported host keys. Its signature cache is the issuer's (`signatureCache`), unless
    /// `cache` gives it one of its own (as `key.verifier` takes it; 0: none).
    ///
    /// ```js
    /// const accessVerifier = issuer.accessVerifier({ cache: 10_000 });
    /// const { payload } = await accessVerifier.verifyAsync(token);
    /// ```
    #[wasm_bindgen(js_name = accessVerifier, unchecked_return_type = "Verifier")]
    pub fn access_verifier(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Pick<VerifierOptions, \"cache\">")]
        options: Option<JsValue>,
    ) -> JsResult<JsVerifier> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let mut js = JsOptions::read(&options, &[VERIFIER_OPTIONS], "accessVerifier options")?;
        let cache = match cache_option(&mut js, "cache")? {
            Some(own) => signature_cache(own)?,
            None => self.cache.clone(),
        };
        Ok(JsVerifier {
            keys: Keys::Set(self.inner.0.access_keys().clone()),
            options: self.inner.0.access_verify_options().clone(),
            host: self.access_host.clone(),
            cache,
        })
    }

    /// Revokes one session. Idempotent.
    #[wasm_bindgen(js_name = revokeSession, unchecked_return_type = "Promise<void>")]
    pub fn revoke_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_work(Box::pin(async move {
            let subject = string_arg(&subject, ErrorCode::InvalidOptions, "the subject")?;
            let session_id = string_arg(&session_id, ErrorCode::InvalidOptions, "the session id")?;
            let (issuer, store) = &*inner;
            issuer
                .revoke_session(store, &subject, &session_id)
                .await
                .map_err(error_to_js)?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Logout with the refresh token (its `exp` may have passed; its signature must be good).
    #[wasm_bindgen(js_name = revokeByRefreshToken, unchecked_return_type = "Promise<void>")]
    pub fn revoke_by_refresh_token(
        &self,
        #[wasm_bindgen(js_name = refreshToken, unchecked_param_type = "string")]
        refresh_token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_work(Box::pin(async move {
            let refresh_token = token_arg(&refresh_token)?;
            let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
            let (issuer, store) = &*inner;
            issuer
                .revoke_by_refresh_token(store, &refresh_token, now)
                .await
                .map_err(error_to_js)?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// "Log out everywhere": revokes every session of a subject; resolves to how many.
    #[wasm_bindgen(js_name = revokeAll, unchecked_return_type = "Promise<number>")]
    pub fn revoke_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] subject: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_work(Box::pin(async move {
            let subject = string_arg(&subject, ErrorCode::InvalidOptions, "the subject")?;
            let (issuer, store) = &*inner;
            let count = issuer
                .revoke_all(store, &subject)
                .await
                .map_err(error_to_js)?;
            Ok(JsValue::from_f64(count as f64))
        }))
    }

    /// The public JWKS of the access-token keys (for other services that verify).
    #[wasm_bindgen(unchecked_return_type = "JWKS")]
    pub fn jwks(&self) -> JsResult<JsValue> {
        to_js(&self.inner.0.access_keys().to_jwks().map_err(error_to_js)?)
    }

    /// `POST /auth/refresh` in header mode as data, from its three parts: the response to
    /// send, whatever the request (it rejects only with `invalid_options`: bad options, or an
    /// argument that is not a string). `refreshEndpoint` takes the whole request and cookie
    /// mode.
    #[wasm_bindgen(js_name = refreshHttp, unchecked_return_type = "Promise<ResponseData>")]
    pub fn refresh_http(
        &self,
        #[wasm_bindgen(js_name = contentType, unchecked_param_type = "string | null | undefined")]
        content_type: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] authorization: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_work(Box::pin(async move {
            let content_type = header_arg(content_type, "contentType")?;
            let authorization = header_arg(authorization, "authorization")?;
            let body = string_arg(&body, ErrorCode::InvalidOptions, "the body")?;
            let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
            let (issuer, store) = &*inner;
            let request = http::RequestParts {
                content_type: content_type.as_deref(),
                authorization: authorization.as_deref(),
                body: &body,
                ..http::RequestParts::default()
            };
            let response = refresh_endpoint(issuer, store, &request, now, None, None).await;
            response_data(&response)
        }))
    }

    /// Checks `Authorization: Bearer` on a protected request: `{ ok: true, payload, protectedHeader }`
    /// or `{ ok: false, response }` with the 401 to send (the expired signal only for `token_expired`).
    #[wasm_bindgen(js_name = authenticateHttp, unchecked_return_type = "AuthResult")]
    pub fn authenticate_http(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] authorization: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        let authorization = header_arg(authorization, "authorization")?;
        let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
        let Some(token) = authorization.as_deref().and_then(http::bearer_token) else {
            return failure(&http::unauthorized_missing_token());
        };
        // A DPoP-bound token is refused: it needs its proof (`authenticateAsync`).
        match self.inner.0.verify_access(token, now) {
            Ok(verified) => {
                let result = verified_to_js(&verified)?;
                Reflect::set(&result, &"ok".into(), &JsValue::TRUE)?;
                Ok(result)
            }
            // The caller's mistake, not the request's: thrown, never a 401.
            Err(err) if err.code() == ErrorCode::AsyncRequired => Err(error_to_js(err)),
            Err(err) => failure(&http::unauthorized(&err)),
        }
    }

    /// `authenticateHttp` for every signing key (asymmetric signatures checked by the host's
    /// crypto): resolves to the same result. A DPoP-bound token is refused here: it needs its
    /// proof (`authenticateRequestAsync`).
    ///
    /// ```js
    /// const auth = await issuer.authenticateHttpAsync(request.headers.get("authorization"));
    /// ```
    #[wasm_bindgen(js_name = authenticateHttpAsync, unchecked_return_type = "Promise<AuthResult>")]
    pub fn authenticate_http_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] authorization: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        let checked = header_arg(authorization, "authorization").and_then(|authorization| {
            Ok((
                authorization,
                now_from(&options.unwrap_or(JsValue::UNDEFINED))?,
            ))
        });
        match checked {
            Ok((authorization, now)) => self.authenticate(ProtectedRequest {
                authorization,
                dpop: None,
                now,
            }),
            Err(error) => Promise::reject(&error),
        }
    }

    /// Checks a protected request, DPoP included (RFC 9449 §7): `Authorization: Bearer` or
    /// `DPoP`, the `DPoP` proof (for this method and URL, with `ath` of the token), the token,
    /// and that a bound token (`cnf.jkt`) came with a proof by its key. Resolves to
    /// `{ ok: true, payload, protectedHeader }` or `{ ok: false, response }` with the 401 to
    /// send (`WWW-Authenticate: DPoP error="invalid_dpop_proof"` or `"use_dpop_nonce"` with a
    /// `DPoP-Nonce`). `authenticateAsync(request, issuer)` calls it.
    ///
    /// ```js
    /// const auth = await issuer.authenticateRequestAsync({ authorization, dpop, method: "GET", url });
    /// ```
    #[wasm_bindgen(js_name = authenticateRequestAsync, unchecked_return_type = "Promise<AuthResult>")]
    pub fn authenticate_request_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthenticateRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        match ProtectedRequest::read(&request, options) {
            Ok(request) => self.authenticate(request),
            Err(error) => Promise::reject(&error),
        }
    }
}

impl JsIssuer {
    /// The checks of `authenticateRequestAsync` (`request.dpop` is `None` from
    /// `authenticateHttpAsync`, which has no proof to give), with the Issuer's keys, its
    /// access checks and its DPoP mode.
    fn authenticate(&self, request: ProtectedRequest) -> Promise {
        let issuer = &self.inner.0;
        authenticate(
            request,
            self.dpop.clone(),
            issuer.dpop_mode(),
            &|token, now| {
                verify_async(
                    token,
                    issuer.access_keys(),
                    &self.access_host,
                    issuer.proven_access_verify_options(),
                    now,
                    self.cache.as_ref(),
                )
            },
        )
    }
}

/// The client side of the contract: is this the expired signal (and only it)?
///
/// ```js
/// if (isExpiredSignal(res.status, res.headers.get("www-authenticate"))) await refresh();
/// ```
#[wasm_bindgen(js_name = isExpiredSignal)]
pub fn is_expired_signal(
    status: u16,
    #[wasm_bindgen(js_name = wwwAuthenticate, unchecked_optional_param_type = "string | null")]
    www_authenticate: Option<JsValue>,
) -> bool {
    // A predicate: anything but a header string is not the signal.
    let header = www_authenticate.and_then(|value| value.as_string());
    http::is_expired_signal(status, header.as_deref())
}

/// The 401 response data for a verification failure code (for servers that verify with `Key`).
#[wasm_bindgen(js_name = unauthorizedResponse, unchecked_return_type = "ResponseData")]
pub fn unauthorized_response(
    #[wasm_bindgen(unchecked_param_type = "ErrorCode")] code: JsValue,
) -> JsResult<JsValue> {
    let code = string_arg(&code, ErrorCode::InvalidOptions, "the error code")?;
    let code = ErrorCode::parse(&code)
        .ok_or_else(|| invalid_options(format!("unknown error code {code:?}")))?;
    response_data(&http::unauthorized(&Error::new(code, "")))
}
