//! `Signer` and `Verifier`: options parsed once, for hot paths (every request of a Worker).
//! Per call only the token (or claims) and, optionally, the clock cross the boundary.

use super::convert::{claims_json_from_js, token_arg};
use super::error::{to_js as error_to_js, JsResult};
use super::key::verified_to_js;
use super::key_options::now_of;
use super::options::JsOptions;
use super::webcrypto::{sign_async, sign_now, verify_async, verify_now, HostKeys};
use crate::signature_cache::SignatureCache;
use crate::{Algorithm, Key, KeySet, KeySource, SignOptions, VerifyOptions};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The most signatures a cache may hold: each remembered one costs an insertion into a
/// sorted list of this size, and far larger caches belong in a shared store anyway.
const MAX_CACHED_SIGNATURES: u64 = 100_000;

/// A cache option (`cache`, `signatureCache`): how many signatures to remember, if given.
pub(crate) fn cache_option(js: &mut JsOptions, name: &str) -> JsResult<Option<u64>> {
    js.integer(name, MAX_CACHED_SIGNATURES)
}

/// A cache of `capacity` signatures, or none for 0.
pub(crate) fn signature_cache(capacity: u64) -> JsResult<Option<Rc<SignatureCache>>> {
    match usize::try_from(capacity).ok().filter(|&c| c > 0) {
        None => Ok(None),
        Some(capacity) => Ok(Some(Rc::new(
            SignatureCache::new(capacity).map_err(error_to_js)?,
        ))),
    }
}

/// The key, or key set, a verifier checks against.
pub(crate) enum Keys {
    One(Box<Key>),
    Set(KeySet),
}

impl KeySource for Keys {
    fn select(&self, kid: Option<&str>, alg: Algorithm) -> crate::Result<&Key> {
        match self {
            Keys::One(key) => key.select(kid, alg),
            Keys::Set(set) => set.select(kid, alg),
        }
    }
}

/// Verifies tokens with fixed options (made by `key.verifier(options)` or `keySet.verifier(options)`).
///
/// ```js
/// const verifier = key.verifier({ typ: "at+jwt", audience: "api" });
/// const { payload } = verifier.verify(token);
/// ```
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    pub(crate) keys: Keys,
    pub(crate) options: VerifyOptions,
    pub(crate) host: Rc<HostKeys>,
    /// Tokens whose signatures verified (the `cache` option); `None` without one.
    pub(crate) cache: Option<Rc<SignatureCache>>,
}

impl JsVerifier {
    /// A verifier over `keys` with `options` parsed now.
    pub(crate) fn prepare(
        keys: Keys,
        options: Option<JsValue>,
        host: Rc<HostKeys>,
    ) -> JsResult<JsVerifier> {
        let (options, cache) =
            super::key_options::verifier_options(&options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(JsVerifier {
            keys,
            options,
            host,
            cache: signature_cache(cache)?,
        })
    }
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// Verifies `token`: the same checks as `key.verify(token, options)`.
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(js_name = currentDate, unchecked_optional_param_type = "Date")]
        current_date: Option<JsValue>,
    ) -> JsResult<JsValue> {
        let token = token_arg(&token)?;
        let now = now_of(current_date)?;
        let cache = self.cache.as_deref();
        let instead = "verifier.verifyAsync";
        let verified = verify_now(&token, &self.keys, instead, &self.options, now, cache);
        verified_to_js(&verified.map_err(error_to_js)?)
    }

    /// `verify`, with asymmetric signatures checked by the host's crypto (faster); as
    /// `key.verifyAsync`.
    ///
    /// ```js
    /// const { payload } = await verifier.verifyAsync(token);
    /// ```
    #[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "Promise<VerifyResult>")]
    pub fn verify_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(js_name = currentDate, unchecked_optional_param_type = "Date")]
        current_date: Option<JsValue>,
    ) -> js_sys::Promise {
        let (token, now) = match token_arg(&token).and_then(|t| Ok((t, now_of(current_date)?))) {
            Ok(checked) => checked,
            Err(error) => return js_sys::Promise::reject(&error),
        };
        let cache = self.cache.as_ref();
        verify_async(&token, &self.keys, &self.host, &self.options, now, cache)
    }
}

/// Signs claims with fixed options (made by `key.signer(options)`).
///
/// ```js
/// const signer = key.signer({ expiresIn: "15m", typ: "at+jwt", issuer: "https://auth.example" });
/// const token = signer.sign({ sub: "user-1" });
/// ```
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    pub(crate) key: Key,
    pub(crate) options: SignOptions,
    pub(crate) host: Rc<HostKeys>,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    /// Signs `claims`: the same as `key.sign(claims, options)`.
    pub fn sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JWTPayload")] claims: JsValue,
        #[wasm_bindgen(js_name = currentDate, unchecked_optional_param_type = "Date")]
        current_date: Option<JsValue>,
    ) -> JsResult<String> {
        let now = now_of(current_date)?;
        let claims = claims_json_from_js(&claims, "claims")?;
        sign_now(&self.key, "signer.signAsync", &claims, &self.options, now).map_err(error_to_js)
    }

    /// `sign`, with EdDSA/ES256 signatures made by the host's crypto; as `key.signAsync`.
    ///
    /// ```js
    /// const token = await signer.signAsync({ sub: "user-1" });
    /// ```
    #[wasm_bindgen(js_name = signAsync, unchecked_return_type = "Promise<string>")]
    pub fn sign_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JWTPayload")] claims: JsValue,
        #[wasm_bindgen(js_name = currentDate, unchecked_optional_param_type = "Date")]
        current_date: Option<JsValue>,
    ) -> js_sys::Promise {
        let prepared =
            now_of(current_date).and_then(|now| Ok((now, claims_json_from_js(&claims, "claims")?)));
        match prepared {
            Ok((now, claims)) => sign_async(&self.key, &self.host, &claims, &self.options, now),
            Err(error) => js_sys::Promise::reject(&error),
        }
    }
}
