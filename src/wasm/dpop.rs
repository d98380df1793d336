//! DPoP (RFC 9449) at the edge: `DpopVerifier` for any server, and the Issuer's `dpop` option.
//! The core checks a proof (`begin_dpop_proof`), remembers proof ids (`DpopReplay`, and the
//! session record at refresh) and decides bindings (`Issuer::check_bound_key`); this layer reads
//! the options, has the host's crypto check the signature with the proof's own key, and
//! answers.

use super::convert::{promise_of_work, string_arg};
use super::error::{invalid_options, to_js as error_to_js, JsResult};
use super::js::member;
use super::key_options::now_of;
use super::options::JsOptions;
use super::webcrypto::ProofKeys;
use crate::{begin_dpop_proof, Algorithm, DpopNonces, DpopPolicy, DpopReplay, DpopRequest};
use crate::{DpopMode, Error, ErrorCode};
use js_sys::{Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The most proof ids remembered by default.
const DEFAULT_REPLAY_CAPACITY: u64 = 10_000;

/// The most proof keys whose host import is kept: one per client signing now, in this isolate.
const PROOF_KEY_CAPACITY: usize = 1_000;

super::options::js_options! {
    /// Options for `new DpopVerifier`. Durations are seconds or text ("1m").
    const POLICY_OPTION_NAMES, DPOP_VERIFIER_OPTIONS_TYPESCRIPT = interface "DpopVerifierOptions" {
        /// The algorithms a proof may use (asymmetric only; default ES256, EdDSA, ES384, ES512, RS256, PS256).
        algorithms "?: Algorithm[]",
        /// How long a proof stays good after its `iat` (default 60 s).
        maxAge "?: Duration",
        /// How far in the future a proof's `iat` may be (default 5 s).
        futureSkew "?: Duration",
        /// A server secret of at least 32 characters: proofs must then carry its stateless nonce.
        nonceSecret "?: string",
        /// How long each nonce is handed out (default 300 s; one stays good for two periods).
        noncePeriod "?: Duration",
        /// How many proof ids are remembered against replay, in this isolate (default 10,000).
        replayCache "?: number",
    }
}

super::options::js_options! {
    /// The Issuer's `dpop` option as an object: how proofs are checked, and whether every
    /// session must be bound.
    const ISSUER_DPOP_NAMES, ISSUER_DPOP_TYPESCRIPT = interface "IssuerDpopOptions" extends "DpopVerifierOptions" {
        /// Refuse sessions and tokens without a proof (as `dpop: "required"`). Default false.
        required "?: boolean",
    }
}

super::options::js_options! {
    /// The request a DPoP proof must be for.
    const DPOP_REQUEST_NAMES, DPOP_REQUEST_TYPESCRIPT = interface "DpopRequestInfo" {
        /// The request's method (`htm`).
        method ": string",
        /// The request's URL (`htu`: compared without query and fragment).
        url ": string",
        /// The access token the request presents (API requests): the proof's `ath` must be its hash.
        accessToken "?: string",
    }
}

/// How proofs are checked, and the proof ids seen (in this isolate, bounded).
pub(crate) struct DpopSetup {
    pub(crate) policy: DpopPolicy,
    replay: RefCell<DpopReplay>,
    keys: ProofKeys,
}

/// A proof that passed: its key's thumbprint, id and time.
pub(crate) struct CheckedProof {
    pub(crate) jkt: String,
    pub(crate) jti: String,
    pub(crate) iat: i64,
}

impl DpopSetup {
    fn read(js: &mut JsOptions) -> JsResult<DpopSetup> {
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
        Ok(DpopSetup {
            policy,
            replay: RefCell::new(DpopReplay::new(
                usize::try_from(capacity).unwrap_or(usize::MAX),
            )),
            keys: ProofKeys::new(PROOF_KEY_CAPACITY),
        })
    }

    /// The nonce to hand out at `now`, when nonces are on.
    pub(crate) fn nonce(&self, now: i64) -> Option<String> {
        self.policy
            .nonces
            .as_ref()
            .map(|nonces| nonces.current(now))
    }

    /// Checks `proof` for the request, its signature by the host; with `remember`, its id is
    /// recorded against replay here (API requests; a refresh records it in the session).
    pub(crate) async fn check(
        &self,
        proof: Option<&str>,
        request: &DpopRequest<'_>,
        now: i64,
        remember: bool,
    ) -> crate::Result<CheckedProof> {
        let proof = proof.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidDpopProof,
                "the request has no DPoP proof (a DPoP header)",
            )
        })?;
        let pending = begin_dpop_proof(proof, request, &self.policy, now)?;
        let valid = self
            .keys
            .check(
                &pending.key,
                &pending.jkt,
                pending.signing_input.as_bytes(),
                &pending.signature,
            )
            .await?;
        if !valid {
            return Err(Error::new(
                ErrorCode::InvalidDpopProof,
                "the proof's signature does not verify with its jwk",
            ));
        }
        if remember {
            self.replay
                .borrow_mut()
                .record(&pending, &self.policy, now)?;
        }
        Ok(CheckedProof {
            jkt: pending.jkt,
            jti: pending.jti,
            iat: pending.iat,
        })
    }
}

/// The Issuer's `dpop` option: `true`, `"required"`, or `{ required, ...DpopVerifierOptions }`.
pub(crate) fn issuer_dpop(value: Option<JsValue>) -> JsResult<Option<(DpopSetup, DpopMode)>> {
    let (value, mut mode) = match value {
        None => return Ok(None),
        Some(value) if value.as_bool() == Some(false) => return Ok(None),
        Some(value) if value.as_bool() == Some(true) => (JsValue::UNDEFINED, DpopMode::Allowed),
        Some(value) if value.as_string().as_deref() == Some("required") => {
            (JsValue::UNDEFINED, DpopMode::Required)
        }
        Some(value) if value.is_object() => (value, DpopMode::Allowed),
        Some(_) => {
            return Err(invalid_options(
                "dpop must be true, \"required\" or an object",
            ))
        }
    };
    let mut js = JsOptions::read(&value, &[POLICY_OPTION_NAMES, ISSUER_DPOP_NAMES], "dpop")?;
    if js.boolean("required")? == Some(true) {
        mode = DpopMode::Required;
    }
    Ok(Some((DpopSetup::read(&mut js)?, mode)))
}

/// `{ proof, method, url }`: a request's DPoP header and what it was for.
pub(crate) struct DpopInput {
    pub(crate) proof: Option<String>,
    pub(crate) method: String,
    pub(crate) url: String,
}

impl DpopInput {
    pub(crate) fn read(value: &JsValue, what: &str) -> JsResult<DpopInput> {
        if !value.is_object() {
            return Err(invalid_options(format!(
                "{what} must be {{ proof, method, url }}"
            )));
        }
        let text = |name: &'static str| -> JsResult<Option<String>> {
            super::convert::optional_string_arg(
                member(value, name, name)?,
                ErrorCode::InvalidOptions,
                name,
            )
        };
        let required = |value: Option<String>, name: &str| {
            value.ok_or_else(|| invalid_options(format!("{what} needs {name}")))
        };
        Ok(DpopInput {
            proof: text("proof")?,
            method: required(text("method")?, "method")?,
            url: required(text("url")?, "url")?,
        })
    }
}

/// Checks DPoP proofs: options read once, proof ids remembered (in this isolate, bounded) for
/// as long as a proof may be used.
///
/// ```js
/// const dpop = new DpopVerifier({ maxAge: 60 });
/// const { jkt } = await dpop.verifyAsync(request.headers.get("dpop"), { method: "POST", url: request.url });
/// ```
#[wasm_bindgen(js_name = DpopVerifier)]
pub struct JsDpopVerifier {
    setup: Rc<DpopSetup>,
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
        let mut js = JsOptions::read(&options, &[POLICY_OPTION_NAMES], "DpopVerifier options")?;
        Ok(JsDpopVerifier {
            setup: Rc::new(DpopSetup::read(&mut js)?),
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
            let proof = match proof.is_undefined() || proof.is_null() {
                true => None,
                false => Some(string_arg(
                    &proof,
                    ErrorCode::InvalidDpopProof,
                    "the DPoP proof",
                )?),
            };
            let mut js = JsOptions::read(&request, &[DPOP_REQUEST_NAMES], "the DPoP request")?;
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
        let setup = self.setup.clone();
        promise_of_work(Box::pin(async move {
            let request = DpopRequest {
                method: &method,
                url: &url,
                access_token: access_token.as_deref(),
            };
            let checked = setup
                .check(proof.as_deref(), &request, now, true)
                .await
                .map_err(error_to_js)?;
            let result = Object::new();
            Reflect::set(&result, &"jkt".into(), &checked.jkt.as_str().into())?;
            Reflect::set(&result, &"jti".into(), &checked.jti.as_str().into())?;
            Reflect::set(
                &result,
                &"iat".into(),
                &JsValue::from_f64(checked.iat as f64),
            )?;
            Ok(result.into())
        }))
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
        Ok(self.setup.nonce(now_of(current_date)?))
    }
}
