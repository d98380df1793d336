//! `ResourceServer`: an API that checks the access tokens of an Issuer it does not run (its
//! keys from a JWKS), with the same answers as the Issuer's own `authenticateAsync`: the
//! expired signal the client refreshes on, and DPoP.

use super::authenticate::{authenticate, ProtectedRequest};
use super::dpop::{issuer_dpop, DpopSetup};
use super::error::{invalid_options, JsResult};
use super::key_options::verify_options;
use super::options::JsOptions;
use crate::{DpopMode, ACCESS_TOKEN_TYPE};
use js_sys::{Array, Date, Function, Object, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

super::options::js_options! {
    /// Options of `new ResourceServer(keys, options)`.
    const RESOURCE_SERVER_OPTION_NAMES, RESOURCE_SERVER_OPTIONS_TYPESCRIPT = interface "ResourceServerOptions" {
        /// The Issuer's `issuer` (required): tokens of any other are refused.
        issuer ": string | string[]",
        /// This API's name as the Issuer's `audience` gives it.
        audience "?: string | string[]",
        /// The header `typ` access tokens carry; default "at+jwt" (RFC 9068, as the Issuer signs).
        typ "?: string",
        /// The algorithms accepted (default: each key's own).
        algorithms "?: Algorithm[]",
        /// Leeway for `exp`, `nbf` and `iat`; default 0.
        clockTolerance "?: Duration",
        /// DPoP, as the Issuer's option of the same name: proofs are checked (bound tokens need
        /// one by their key); "required" or `{ required: true }` also refuses unbound tokens.
        dpop "?: boolean | \"required\" | IssuerDpopOptions",
    }
}

/// Checks protected requests with an Issuer's public keys, on a server that does not hold
/// its secrets: `Authorization: Bearer` (or `DPoP` with its proof), the signature, `typ`,
/// `iss`, `aud`, `exp`, and a DPoP-bound token's key. A refusal is the same 401 as the
/// Issuer's (the expired signal only for `token_expired`), so the browser client refreshes
/// for this API as for the Issuer's own. `authenticateAsync(request, server)` takes it where
/// it takes an Issuer.
///
/// ```js
/// const api = new ResourceServer(KeySet.remote("https://auth.example/.well-known/jwks.json"), {
///   issuer: "https://auth.example", audience: "api",
/// });
/// const auth = await authenticateAsync(request, api);
/// if (!auth.ok) return auth.response;
/// ```
#[wasm_bindgen(js_name = ResourceServer)]
pub struct JsResourceServer {
    keys: JsValue,
    verify: Function,
    /// The verify options every token is checked with (the caller's clock added per call).
    checks: Object,
    dpop: Option<Rc<DpopSetup>>,
    mode: DpopMode,
}

#[wasm_bindgen(js_class = ResourceServer)]
impl JsResourceServer {
    /// `keys`: a `RemoteKeySet` (the Issuer's JWKS by URL), a `KeySet` or a `Key`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RemoteKeySet | KeySet | Key")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ResourceServerOptions")] options: JsValue,
    ) -> JsResult<JsResourceServer> {
        let verify = keys
            .is_object()
            .then(|| Reflect::get(&keys, &"verifyAsync".into()).ok())
            .flatten()
            .and_then(|verify| verify.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                invalid_options("ResourceServer's keys must be a RemoteKeySet, a KeySet or a Key")
            })?;
        let mut js = JsOptions::read(
            &options,
            &[RESOURCE_SERVER_OPTION_NAMES],
            "ResourceServer options",
        )?;
        let (dpop, mode) = match issuer_dpop(js.value("dpop"))? {
            Some((setup, mode)) => (Some(Rc::new(setup)), mode),
            None => (None, DpopMode::Allowed),
        };
        let checks = Object::new();
        for name in ["issuer", "audience", "typ", "algorithms", "clockTolerance"] {
            if let Some(value) = js.value(name) {
                Reflect::set(&checks, &name.into(), &value)?;
            }
        }
        if Reflect::get(&checks, &"typ".into())?.is_undefined() {
            Reflect::set(&checks, &"typ".into(), &ACCESS_TOKEN_TYPE.into())?;
        }
        Reflect::set(
            &checks,
            &"requiredClaims".into(),
            &Array::of1(&"sub".into()),
        )?;
        // Checked now, so that a mistake is an error here rather than a 401 per request.
        if verify_options(&checks)?.issuer.is_empty() {
            return Err(invalid_options(
                "ResourceServer needs the Issuer's issuer: tokens of any other issuer must be refused",
            ));
        }
        Ok(JsResourceServer {
            keys,
            verify,
            checks,
            dpop,
            mode,
        })
    }

    /// Checks a protected request, as `issuer.authenticateRequestAsync` does: resolves to
    /// `{ ok: true, payload, protectedHeader }` or `{ ok: false, response }` with the 401 to
    /// send. `authenticateAsync(request, server)` calls it.
    ///
    /// ```js
    /// const auth = await api.authenticateRequestAsync({ authorization, dpop, method: "GET", url });
    /// ```
    #[wasm_bindgen(js_name = authenticateRequestAsync, unchecked_return_type = "Promise<AuthResult>")]
    pub fn authenticate_request_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthenticateRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClockOptions")] options: Option<JsValue>,
    ) -> Promise {
        let request = match ProtectedRequest::read(&request, options) {
            Ok(request) => request,
            Err(error) => return Promise::reject(&error),
        };
        authenticate(request, self.dpop.clone(), self.mode, &|token, now| {
            self.verify_token(token, now)
                .unwrap_or_else(|error| Promise::reject(&error))
        })
    }
}

impl JsResourceServer {
    /// `keys.verifyAsync(token, checks)` at `now`.
    fn verify_token(&self, token: &str, now: i64) -> JsResult<Promise> {
        let options = Object::assign(&Object::new(), &self.checks);
        let date = Date::new(&JsValue::from_f64(now as f64 * 1000.0));
        Reflect::set(&options, &"currentDate".into(), &date)?;
        let verifying = self.verify.call2(&self.keys, &token.into(), &options)?;
        Ok(Promise::resolve(&verifying))
    }
}
