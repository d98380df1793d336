//! The checks of a protected request (RFC 6750 §2.1, RFC 9449 §7), shared by the Issuer and a
//! `ResourceServer`: the scheme, the DPoP proof, the token, the binding, and the 401 to send.
//! The rules are the core's (`http`, `check_dpop_binding`); this runs them over the host.

use super::convert::{optional_string_arg, promise_of, promise_of_work};
use super::dpop::{DpopInput, DpopSetup};
use super::error::{error_from_js, invalid_options, JsResult};
use super::issuer::response_data;
use super::key_options::now_from;
use crate::http::{self, HttpResponse};
use crate::{check_dpop_binding, DpopMode, DpopRequest, Error, ErrorCode};
use js_sys::{Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// What a protected request brings: its `Authorization`, its DPoP proof and what the proof
/// must be for (`None`: a caller with no proof to give), and the time.
pub(crate) struct ProtectedRequest {
    pub(crate) authorization: Option<String>,
    pub(crate) dpop: Option<DpopInput>,
    pub(crate) now: i64,
}

impl ProtectedRequest {
    /// `{ authorization, dpop, method, url }` (header values as `Headers.get` gives them) and
    /// the clock options.
    pub(crate) fn read(request: &JsValue, options: Option<JsValue>) -> JsResult<ProtectedRequest> {
        if !request.is_object() {
            return Err(invalid_options("the request must be an object"));
        }
        let header = |name: &'static str| header_arg(super::js::member(request, name, name)?, name);
        let authorization = header("authorization")?;
        let proof = header("dpop")?;
        let method = header("method")?.unwrap_or_else(|| "GET".into());
        let url = header("url")?.unwrap_or_default();
        let now = now_from(&options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(ProtectedRequest {
            authorization,
            dpop: Some(DpopInput { proof, method, url }),
            now,
        })
    }
}

/// Checks `request`: its token by `verify` (a promise of `{ payload, protectedHeader }`),
/// its proof by `dpop` when the server checks proofs, and the token's binding as `mode`
/// says. Resolves to that result with `ok: true`, or to `{ ok: false, response }` with the
/// 401 to send.
pub(crate) fn authenticate(
    request: ProtectedRequest,
    dpop: Option<Rc<DpopSetup>>,
    mode: DpopMode,
    verify: &dyn Fn(&str, i64) -> Promise,
) -> Promise {
    let ProtectedRequest {
        authorization,
        dpop: input,
        now,
    } = request;
    let Some(authorization) = authorization else {
        return promise_of(failure(&http::unauthorized_missing_token()));
    };
    let (token, dpop_scheme) = match (
        http::bearer_token(&authorization),
        http::dpop_token(&authorization),
    ) {
        (Some(token), _) => (token.to_owned(), false),
        (None, Some(token)) => (token.to_owned(), true),
        (None, None) => return promise_of(failure(&http::unauthorized_missing_token())),
    };
    let nonce = dpop.as_ref().and_then(|setup| setup.nonce(now));
    // A token sent as DPoP is refused in the DPoP scheme (RFC 9449 §7.1).
    let scheme = if dpop_scheme { "DPoP" } else { "Bearer" };
    let refused = move |err: &Error| match err.code() {
        ErrorCode::InvalidDpopProof | ErrorCode::UseDpopNonce => {
            failure(&http::unauthorized_dpop(err, nonce.as_deref()))
        }
        ErrorCode::JwksFetchFailed | ErrorCode::JwksInvalid => {
            failure(&http::keys_unavailable(err))
        }
        _ => failure(&http::unauthorized_in(scheme, err)),
    };
    let verifying = verify(&token, now);
    promise_of_work(Box::pin(async move {
        let proof = input.as_ref().and_then(|input| input.proof.as_deref());
        let proof_jkt = match (&dpop, proof) {
            (Some(setup), Some(proof)) => {
                let (method, url) = input
                    .as_ref()
                    .map(|input| (input.method.as_str(), input.url.as_str()))
                    .unwrap_or_default();
                let request = DpopRequest {
                    method,
                    url,
                    access_token: Some(&token),
                };
                match setup.check(Some(proof), &request, now, true).await {
                    Ok(checked) => Some(checked.jkt),
                    Err(err) => return refused(&err),
                }
            }
            _ if dpop_scheme => return refused(&Error::new(
                ErrorCode::InvalidDpopProof,
                "Authorization: DPoP needs a DPoP proof, checked by a server with the dpop option",
            )),
            _ => None,
        };
        let result = match JsFuture::from(verifying).await {
            Ok(result) => result,
            // Not ours: fail closed.
            Err(error) => return refused(&error_from_js(&error, ErrorCode::InvalidSignature)),
        };
        let bound = Reflect::get(&result, &"payload".into())
            .and_then(|payload| Reflect::get(&payload, &"cnf".into()))
            .ok()
            .filter(JsValue::is_object)
            .and_then(|cnf| Reflect::get(&cnf, &"jkt".into()).ok())
            .and_then(|jkt| jkt.as_string());
        if let Err(err) = check_dpop_binding(bound.as_deref(), proof_jkt.as_deref(), mode) {
            return refused(&err);
        }
        Reflect::set(&result, &"ok".into(), &JsValue::TRUE)?;
        Ok(result)
    }))
}

/// A header value as `Headers.get` gives it: a string, or `null`/`undefined` when absent.
pub(crate) fn header_arg(value: JsValue, what: &str) -> JsResult<Option<String>> {
    optional_string_arg(value, ErrorCode::InvalidOptions, what)
}

/// `{ ok: false, response }`.
pub(crate) fn failure(response: &HttpResponse) -> JsResult<JsValue> {
    let result = js_sys::Object::new();
    Reflect::set(&result, &"ok".into(), &JsValue::FALSE)?;
    Reflect::set(&result, &"response".into(), &response_data(response)?)?;
    Ok(result.into())
}
