//! `DpopVerifier`: DPoP proofs (RFC 9449) checked at the edge. The core checks the proof
//! (`begin_dpop_proof`) and remembers proof ids (`DpopReplay`); this layer reads the options,
//! has the host's crypto check the signature with the proof's own key, and answers.

use super::convert::string_arg;
use super::error::{invalid_options, to_js as error_to_js, JsResult};
use super::key_options::now_of;
use super::options::JsOptions;
use super::webcrypto::checked_once;
use crate::{begin_dpop_proof, Algorithm, DpopNonces, DpopPolicy, DpopReplay, DpopRequest};
use crate::{Error, ErrorCode};
use js_sys::{Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The most proof ids a verifier remembers by default.
const DEFAULT_REPLAY_CAPACITY: u64 = 10_000;

/// Checks DPoP proofs: options read once, proof ids remembered (in this isolate, bounded) for
/// as long as a proof may be used.
///
/// ```js
/// const dpop = new DpopVerifier({ maxAge: 60 });
/// const { jkt } = await dpop.verifyAsync(request.headers.get("dpop"), { method: "POST", url: request.url });
/// ```
#[wasm_bindgen(js_name = DpopVerifier)]
pub struct JsDpopVerifier {
    policy: Rc<DpopPolicy>,
    replay: Rc<RefCell<DpopReplay>>,
}

#[wasm_bindgen(js_class = DpopVerifier)]
impl JsDpopVerifier {
    /// `algorithms` (default ES256, EdDSA, ES384, ES512, RS256, PS256), `maxAge` (seconds a
    /// proof stays good, default 60), `futureSkew` (default 5), `nonceSecret` (a string of at
    /// least 32 characters: proofs must then carry the server's stateless nonce),
    /// `noncePeriod` (seconds per nonce, default 300), `replayCache` (proof ids remembered,
    /// default 10,000).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "DpopVerifierOptions")] options: Option<
            JsValue,
        >,
    ) -> JsResult<JsDpopVerifier> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let known = [
            "algorithms",
            "maxAge",
            "futureSkew",
            "nonceSecret",
            "noncePeriod",
            "replayCache",
        ];
        let mut js = JsOptions::read(&options, &[&known], "DpopVerifier options")?;
        let mut policy = DpopPolicy::default();
        if let Some(names) = js.strings("algorithms")? {
            let algorithms = names
                .iter()
                .map(|name| Algorithm::parse(name))
                .collect::<crate::Result<Vec<_>>>()
                .map_err(error_to_js)?;
            if algorithms.is_empty() || algorithms.iter().any(|alg| alg.is_symmetric()) {
                return Err(invalid_options(
                    "DPoP algorithms must be asymmetric, and at least one",
                ));
            }
            policy.algorithms = algorithms;
        }
        let seconds = |value: Option<u64>, default: i64| {
            value.map_or(default, |s| i64::try_from(s).unwrap_or(i64::MAX))
        };
        policy.max_age = seconds(js.seconds("maxAge")?, policy.max_age);
        policy.future_skew = seconds(js.seconds("futureSkew")?, policy.future_skew);
        let period = seconds(js.seconds("noncePeriod")?, 300);
        if let Some(secret) = js.string("nonceSecret")? {
            policy.nonces = Some(DpopNonces::new(secret.as_bytes(), period).map_err(error_to_js)?);
        }
        let capacity = js
            .integer("replayCache", 1_000_000)?
            .unwrap_or(DEFAULT_REPLAY_CAPACITY);
        Ok(JsDpopVerifier {
            policy: Rc::new(policy),
            replay: Rc::new(RefCell::new(DpopReplay::new(
                usize::try_from(capacity).unwrap_or(usize::MAX),
            ))),
        })
    }

    /// Verifies the `DPoP` header of a request: every check of RFC 9449 §4.3, the signature by
    /// the host's crypto with the proof's own key, and the proof id not seen before. Resolves
    /// to `{ jkt, jti, iat }` (`jkt`: the key's RFC 7638 thumbprint, what tokens are bound
    /// to); rejects with `invalid_dpop_proof`, or `use_dpop_nonce` (send `nonce()` in a
    /// `DPoP-Nonce` header).
    ///
    /// ```js
    /// const proof = await dpop.verifyAsync(request.headers.get("dpop"), {
    ///   method: request.method, url: request.url, accessToken,
    /// });
    /// ```
    #[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "Promise<DpopProofResult>")]
    pub fn verify_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] proof: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DpopRequestInfo")] request: JsValue,
        #[wasm_bindgen(js_name = currentDate, unchecked_optional_param_type = "Date")]
        current_date: Option<JsValue>,
    ) -> Promise {
        let read = || -> JsResult<_> {
            if proof.is_undefined() || proof.is_null() {
                return Err(error_to_js(Error::new(
                    ErrorCode::InvalidDpopProof,
                    "the request has no DPoP proof (a DPoP header)",
                )));
            }
            let proof = string_arg(&proof, ErrorCode::InvalidDpopProof, "the DPoP proof")?;
            let mut js = JsOptions::read(
                &request,
                &[&["method", "url", "accessToken"]],
                "the DPoP request",
            )?;
            let required = |value: Option<String>, name: &str| {
                value.ok_or_else(|| invalid_options(format!("the DPoP request needs {name}")))
            };
            let method = required(js.string("method")?, "method")?;
            let url = required(js.string("url")?, "url")?;
            let access_token = js.string("accessToken")?;
            Ok((proof, method, url, access_token, now_of(current_date)?))
        };
        let (proof, method, url, access_token, now) = match read() {
            Ok(read) => read,
            Err(error) => return Promise::reject(&error),
        };
        let request = DpopRequest {
            method: &method,
            url: &url,
            access_token: access_token.as_deref(),
        };
        let pending = match begin_dpop_proof(&proof, &request, &self.policy, now) {
            Ok(pending) => pending,
            Err(error) => return Promise::reject(&error_to_js(error)),
        };
        let (policy, replay) = (self.policy.clone(), self.replay.clone());
        future_to_promise(async move {
            let valid = checked_once(
                &pending.key,
                pending.signing_input.as_bytes(),
                &pending.signature,
            )
            .await
            .map_err(error_to_js)?;
            if !valid {
                return Err(error_to_js(Error::new(
                    ErrorCode::InvalidDpopProof,
                    "the proof's signature does not verify with its jwk",
                )));
            }
            replay
                .borrow_mut()
                .record(&pending, &policy, now)
                .map_err(error_to_js)?;
            let result = Object::new();
            Reflect::set(&result, &"jkt".into(), &pending.jkt.as_str().into())?;
            Reflect::set(&result, &"jti".into(), &pending.jti.as_str().into())?;
            Reflect::set(
                &result,
                &"iat".into(),
                &JsValue::from_f64(pending.iat as f64),
            )?;
            Ok(result.into())
        })
    }

    /// The nonce to send in a `DPoP-Nonce` header (stateless: good for this period and the
    /// next); `undefined` without `nonceSecret`.
    ///
    /// ```js
    /// headers.set("dpop-nonce", dpop.nonce());
    /// ```
    pub fn nonce(
        &self,
        #[wasm_bindgen(js_name = currentDate, unchecked_optional_param_type = "Date")]
        current_date: Option<JsValue>,
    ) -> JsResult<Option<String>> {
        let now = now_of(current_date)?;
        Ok(self
            .policy
            .nonces
            .as_ref()
            .map(|nonces| nonces.current(now)))
    }
}
