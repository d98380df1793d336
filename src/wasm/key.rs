//! `Key` and `KeySet` as JS classes.

use super::convert::{
    claims_json_from_js, key_json_from_js, key_json_from_text, key_json_to_js, promise_of_work,
    string_arg, to_js, token_arg, token_result_to_js,
};
use super::error::{to_js as error_to_js, JsResult};
use super::key_options::{now_from, sign_options, signer_options, verify_options};
use super::webcrypto::{
    async_required_for, generate_host_key, pem_to_jwk, sign_now, verify_now, HostKeys,
};
use crate::secret_json::SecretJson;
use crate::{Algorithm, ErrorCode, Key, KeySet, KeySource};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A key's `{ alg, kid }`.
struct KeyOptions {
    alg: Option<String>,
    kid: Option<String>,
}

super::options::js_options! {
    /// Options for `Key.fromJwk`.
    const KEY_OPTIONS, KEY_OPTIONS_TYPESCRIPT = interface "KeyOptions" {
        /// Bind the key to this algorithm (must agree with the JWK's own `alg`).
        alg "?: Algorithm",
        /// Override the JWK's `kid`.
        kid "?: string",
    }
}

fn key_options(options: Option<JsValue>) -> JsResult<KeyOptions> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let mut js = super::options::JsOptions::read(&options, &[KEY_OPTIONS], "key options")?;
    Ok(KeyOptions {
        alg: js.string("alg")?,
        kid: js.string("kid")?,
    })
}

/// `verify` from JS: HMAC only (asymmetric keys are `async_required`, naming `instead`).
fn verify_js(
    token: &JsValue,
    keys: &dyn KeySource,
    instead: &'static str,
    options: Option<JsValue>,
) -> JsResult<JsValue> {
    let token = token_arg(token)?;
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let now = now_from(&options)?;
    let verified = verify_now(&token, keys, instead, &verify_options(&options)?, now, None);
    verified_to_js(&verified.map_err(error_to_js)?)
}

/// `verifyAsync` from JS, over any key.
fn verify_async_js(
    token: &JsValue,
    keys: &dyn KeySource,
    host: &HostKeys,
    options: Option<JsValue>,
) -> js_sys::Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let checked = token_arg(token).and_then(|token| {
        let now = now_from(&options)?;
        Ok((token, now, verify_options(&options)?))
    });
    match checked {
        Ok((token, now, options)) => {
            super::webcrypto::verify_async(&token, keys, host, &options, now, None)
        }
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// `{ payload, protectedHeader }` of a verified token.
pub(crate) fn verified_to_js(verified: &crate::VerifiedToken) -> JsResult<JsValue> {
    token_result_to_js(verified.claims_json(), verified.header_json())
}

/// A key bound to exactly one algorithm. HMAC keys work with every method; asymmetric keys
/// (RS*, PS*, ES*, EdDSA), whose signatures the host's crypto makes and checks, with the async
/// ones (a synchronous method throws `async_required`).
///
/// ```js
/// const key = await Key.generateAsync("EdDSA");
/// const token = await key.signAsync({ sub: "user-1" }, { expiresIn: "15m", typ: "at+jwt" });
/// const { payload } = await key.verifyAsync(token, { typ: "at+jwt" });
/// ```
#[wasm_bindgen(js_name = Key)]
pub struct JsKey {
    pub(crate) inner: Key,
    /// The host's CryptoKey for `verifyAsync`, imported on first use.
    pub(crate) host: Rc<HostKeys>,
    /// The host's CryptoKey for `signAsync`, imported on first use.
    pub(crate) signing_host: Rc<HostKeys>,
}

impl From<Key> for JsKey {
    fn from(inner: Key) -> JsKey {
        JsKey {
            inner,
            host: Rc::new(HostKeys::verifying()),
            signing_host: Rc::new(HostKeys::signing()),
        }
    }
}

#[wasm_bindgen(js_class = Key)]
impl JsKey {
    /// Imports a JWK, given as an object or as its JSON text (a secret from the environment).
    /// `options.alg` binds the algorithm (required for `oct` and `RSA` keys without an `alg`
    /// member); `options.kid` overrides the JWK's `kid`.
    ///
    /// ```js
    /// const key = Key.fromJwk({ kty: "oct", k: secretB64url }, { alg: "HS256", kid: "k1" });
    /// ```
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(
        #[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "KeyOptions")] options: Option<JsValue>,
    ) -> JsResult<JsKey> {
        let options = key_options(options)?;
        let alg = options
            .alg
            .as_deref()
            .map(Algorithm::parse)
            .transpose()
            .map_err(error_to_js)?;
        let jwk = if let Some(text) = jwk.as_string() {
            key_json_from_text(&text, "JWK text")?
        } else if jwk.is_undefined() || jwk.is_null() {
            return Err(super::error::invalid_options(format!(
                "Key.fromJwk needs a JWK (an object, or its JSON text), got {}",
                if jwk.is_null() { "null" } else { "undefined" }
            )));
        } else {
            key_json_from_js(jwk, "jwk")?
        };
        let inner = Key::from_jwk(&jwk, alg, options.kid).map_err(error_to_js)?;
        Ok(JsKey::from(inner))
    }

    /// Generates a fresh HMAC key with the runtime's secure randomness (`kid` random unless
    /// given). Asymmetric keys come from the host: `Key.generateAsync`.
    ///
    /// ```js
    /// const key = Key.generate("HS256", { kid: "2026-11" });
    /// ```
    pub fn generate(
        #[wasm_bindgen(unchecked_param_type = "Algorithm")] alg: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ kid?: string }")] options: Option<
            JsValue,
        >,
    ) -> JsResult<JsKey> {
        let alg = string_arg(&alg, ErrorCode::InvalidOptions, "the algorithm")?;
        let options = key_options(options)?;
        let alg = Algorithm::parse(&alg).map_err(error_to_js)?;
        if !alg.is_symmetric() {
            return Err(error_to_js(async_required_for(alg, "Key.generateAsync")));
        }
        let inner = Key::generate(alg, options.kid).map_err(error_to_js)?;
        Ok(JsKey::from(inner))
    }

    /// Generates a fresh key of any algorithm: HMAC in wasm, the others by the host's crypto
    /// (RSA keys of 2048 bits). The key is exportable (`toPrivateJwk`), `kid` random unless
    /// given.
    ///
    /// ```js
    /// const key = await Key.generateAsync("ES256", { kid: "2026-11" });
    /// ```
    #[wasm_bindgen(js_name = generateAsync, unchecked_return_type = "Promise<Key>")]
    pub fn generate_async(
        #[wasm_bindgen(unchecked_param_type = "Algorithm")] alg: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ kid?: string }")] options: Option<
            JsValue,
        >,
    ) -> js_sys::Promise {
        let parsed = string_arg(&alg, ErrorCode::InvalidOptions, "the algorithm").and_then(|alg| {
            let alg = Algorithm::parse(&alg).map_err(error_to_js)?;
            Ok((alg, key_options(options)?.kid))
        });
        let (alg, kid) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return js_sys::Promise::reject(&error),
        };
        if alg.is_symmetric() {
            let key = Key::generate(alg, kid).map(JsKey::from).map(JsValue::from);
            return super::convert::promise_of(key.map_err(error_to_js));
        }
        let generating = wasm_bindgen_futures::JsFuture::from(generate_host_key(alg.name()));
        promise_of_work(Box::pin(async move {
            let jwk = key_json_from_js(generating.await?, "the generated key")?;
            let kid = Some(kid.map_or_else(crate::random_id, Ok).map_err(error_to_js)?);
            let inner = Key::from_jwk(&jwk, Some(alg), kid).map_err(error_to_js)?;
            Ok(JsKey::from(inner).into())
        }))
    }

    /// Imports an asymmetric key from PEM, as providers also publish them: SPKI
    /// (`-----BEGIN PUBLIC KEY-----`) or PKCS #8 (`-----BEGIN PRIVATE KEY-----`), read by the
    /// host's crypto. `options.alg` is required (a PEM does not say which algorithm).
    ///
    /// ```js
    /// const key = await Key.fromPemAsync(spkiPem, { alg: "RS256", kid: "2026-11" });
    /// ```
    #[wasm_bindgen(js_name = fromPemAsync, unchecked_return_type = "Promise<Key>")]
    pub fn from_pem_async(
        #[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KeyOptions & { alg: Algorithm }")] options: JsValue,
    ) -> js_sys::Promise {
        let parsed = string_arg(&pem, ErrorCode::InvalidKey, "the PEM").and_then(|pem| {
            let options = key_options(Some(options))?;
            let alg = options
                .alg
                .as_deref()
                .map(Algorithm::parse)
                .transpose()
                .map_err(error_to_js)?
                .filter(|alg| !alg.is_symmetric())
                .ok_or_else(|| {
                    error_to_js(crate::Error::new(
                        ErrorCode::InvalidOptions,
                        "fromPemAsync needs options.alg, an asymmetric algorithm",
                    ))
                })?;
            Ok((pem, alg, options.kid))
        });
        let (pem, alg, kid) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return js_sys::Promise::reject(&error),
        };
        let converting = wasm_bindgen_futures::JsFuture::from(pem_to_jwk(&pem, alg.name()));
        promise_of_work(Box::pin(async move {
            let jwk = key_json_from_js(converting.await?, "the PEM's key")?;
            let inner = Key::from_jwk(&jwk, Some(alg), kid).map_err(error_to_js)?;
            Ok(JsKey::from(inner).into())
        }))
    }

    /// The algorithm this key is bound to.
    #[wasm_bindgen(getter, unchecked_return_type = "Algorithm")]
    pub fn alg(&self) -> String {
        self.inner.algorithm().name().to_owned()
    }

    /// The key id, if any.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_owned)
    }

    /// Whether the key holds private material and can sign.
    #[wasm_bindgen(getter, js_name = canSign)]
    pub fn can_sign(&self) -> bool {
        self.inner.can_sign()
    }

    /// The public JWK, safe to publish. HMAC keys throw `invalid_key`.
    #[wasm_bindgen(js_name = toPublicJwk, unchecked_return_type = "JWK")]
    pub fn to_public_jwk(&self) -> JsResult<JsValue> {
        to_js(&self.inner.to_public_jwk().map_err(error_to_js)?)
    }

    /// The JWK with private material, to persist a generated key. Keep it secret.
    #[wasm_bindgen(js_name = toPrivateJwk, unchecked_return_type = "JWK")]
    pub fn to_private_jwk(&self) -> JsResult<JsValue> {
        key_json_to_js(SecretJson::new(
            self.inner.to_private_jwk().map_err(error_to_js)?,
        ))
    }

    /// The RFC 7638 thumbprint of the public key. HMAC keys throw `invalid_key`.
    pub fn thumbprint(&self) -> JsResult<String> {
        self.inner.thumbprint().map_err(error_to_js)
    }

    /// Signs claims into a compact JWT with an HMAC key (asymmetric keys: `signAsync`).
    /// Registered claims set in `options` win over the same names in `claims`; `iat` is set
    /// unless `issuedAt: false`.
    ///
    /// ```js
    /// key.sign({ role: "admin" }, { subject: "u1", expiresIn: 900, jti: true });
    /// ```
    pub fn sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JWTPayload")] claims: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: Option<JsValue>,
    ) -> JsResult<String> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let now = now_from(&options)?;
        let claims = claims_json_from_js(&claims, "claims")?;
        let options = sign_options(&options)?;
        sign_now(&self.inner, "key.signAsync", &claims, &options, now).map_err(error_to_js)
    }

    /// Signs claims into a compact JWT with any key: asymmetric signatures by the host's crypto
    /// (node:crypto in Node, Deno and Bun; WebCrypto in workerd and browsers), HMAC in wasm.
    /// The host key is imported once, on the first call, which waits for it; a host that
    /// cannot use the key rejects with `invalid_key`.
    ///
    /// ```js
    /// const token = await key.signAsync({ sub: "user-1" }, { expiresIn: "15m", typ: "at+jwt" });
    /// ```
    #[wasm_bindgen(js_name = signAsync, unchecked_return_type = "Promise<string>")]
    pub fn sign_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JWTPayload")] claims: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let prepared = now_from(&options).and_then(|now| {
            Ok((
                now,
                claims_json_from_js(&claims, "claims")?,
                sign_options(&options)?,
            ))
        });
        match prepared {
            Ok((now, claims, options)) => super::webcrypto::sign_async(
                &self.inner,
                &self.signing_host,
                &claims,
                &options,
                now,
            ),
            Err(error) => js_sys::Promise::reject(&error),
        }
    }

    /// A `Signer` with these options parsed once (for hot paths); `currentDate` is per call.
    #[wasm_bindgen(unchecked_return_type = "Signer")]
    pub fn signer(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Omit<SignOptions, \"currentDate\">")]
        options: Option<JsValue>,
    ) -> JsResult<super::prepared::JsSigner> {
        Ok(super::prepared::JsSigner {
            key: self.inner.clone(),
            options: signer_options(&options.unwrap_or(JsValue::UNDEFINED))?,
            host: self.signing_host.clone(),
        })
    }

    /// A `Verifier` with these options parsed once (for hot paths); `currentDate` is per call.
    #[wasm_bindgen(unchecked_return_type = "Verifier")]
    pub fn verifier(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifierOptions")] options: Option<JsValue>,
    ) -> JsResult<super::prepared::JsVerifier> {
        let keys = super::prepared::Keys::One(Box::new(self.inner.clone()));
        super::prepared::JsVerifier::prepare(keys, options, self.host.clone())
    }

    /// Verifies a token with any key: signature first, then claims; `exp` last. Asymmetric
    /// signatures are checked by the host's crypto (the first call waits for the key's one
    /// import), HMAC in wasm. A host that cannot use the key rejects with `invalid_key`; a host
    /// that throws while checking a signature refuses the token (`invalid_signature`).
    ///
    /// ```js
    /// const { payload } = await key.verifyAsync(token, { typ: "at+jwt" });
    /// ```
    #[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "Promise<VerifyResult>")]
    pub fn verify_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        verify_async_js(&token, &self.inner, &self.host, options)
    }

    /// Verifies a token with an HMAC key (asymmetric keys: `verifyAsync`): signature first,
    /// then claims; `exp` last. Throws a `JwtRefreshError`; `code === "token_expired"` only for
    /// otherwise valid tokens.
    ///
    /// ```js
    /// const { payload, protectedHeader } = key.verify(token, { issuer: "https://auth.example" });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        verify_js(&token, &self.inner, "key.verifyAsync", options)
    }
}

/// Keys selected by `kid`: rotation, and a JWKS document to publish.
///
/// ```js
/// const keys = KeySet.fromJwks(await (await fetch(jwksUrl)).json());
/// const { payload } = await keys.verifyAsync(token, { algorithms: ["RS256"] });
/// ```
#[wasm_bindgen(js_name = KeySet)]
pub struct JsKeySet {
    inner: KeySet,
    /// Host keys for `verify` and the verifiers made from this set. Safe to share as keys are
    /// only added: a `kid` never comes to name other key material.
    host: Rc<HostKeys>,
}

impl From<KeySet> for JsKeySet {
    fn from(inner: KeySet) -> JsKeySet {
        JsKeySet {
            inner,
            host: Rc::new(HostKeys::verifying()),
        }
    }
}

impl Default for JsKeySet {
    fn default() -> Self {
        JsKeySet::new()
    }
}

#[wasm_bindgen(js_class = KeySet)]
impl JsKeySet {
    /// An empty set; add keys with `add`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsKeySet {
        JsKeySet::from(KeySet::new())
    }

    /// Imports every key of a JWKS document (`{ keys: [...] }`).
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(
        #[wasm_bindgen(unchecked_param_type = "JWKS")] jwks: JsValue,
    ) -> JsResult<JsKeySet> {
        let jwks = key_json_from_js(jwks, "jwks")?;
        Ok(JsKeySet::from(
            KeySet::from_jwks(&jwks).map_err(error_to_js)?,
        ))
    }

    /// A provider's JWKS URL as a key set, fetched when needed and kept fresh: `cacheMaxAge`
    /// (default "10m"; a Cache-Control `max-age` may shorten it), `cooldown` ("30s": the least
    /// time between fetches), `timeout` ("5s"), `staleIfError` ("1h": stale keys keep serving
    /// while the endpoint fails), `maxBodySize` (256 KiB), `cache` (the Workers Cache API,
    /// `caches.default`, shared by isolates), `fetch` (your own). Durations are seconds or
    /// text. Make one per URL and keep it.
    ///
    /// ```js
    /// const jwks = KeySet.remote("https://login.example/.well-known/jwks.json", { cache: caches.default });
    /// const { payload } = await jwks.verifyAsync(token, { issuer: "https://login.example", audience: "api" });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "RemoteKeySet")]
    pub fn remote(
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RemoteKeySetOptions")] options: Option<
            JsValue,
        >,
    ) -> JsResult<super::remote_jwks::JsRemoteKeySet> {
        super::remote_jwks::JsRemoteKeySet::new(url, options)
    }

    /// Adds a copy of `key`; a duplicate `kid` throws `invalid_key`.
    pub fn add(&mut self, key: &JsKey) -> JsResult<()> {
        self.inner.insert(key.inner.clone()).map_err(error_to_js)
    }

    /// The number of keys.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// The public JWKS (HMAC keys are left out).
    #[wasm_bindgen(js_name = toJwks, unchecked_return_type = "JWKS")]
    pub fn to_jwks(&self) -> JsResult<JsValue> {
        to_js(&self.inner.to_jwks().map_err(error_to_js)?)
    }

    /// A `Verifier` over a copy of this set, with the options parsed once.
    #[wasm_bindgen(unchecked_return_type = "Verifier")]
    pub fn verifier(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifierOptions")] options: Option<JsValue>,
    ) -> JsResult<super::prepared::JsVerifier> {
        let keys = super::prepared::Keys::Set(self.inner.clone());
        super::prepared::JsVerifier::prepare(keys, options, self.host.clone())
    }

    /// Verifies a token with the key its `kid` names (or the only key of its algorithm), as
    /// `key.verifyAsync`: any key.
    ///
    /// ```js
    /// const { payload } = await keys.verifyAsync(token, { issuer: "https://login.example" });
    /// ```
    #[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "Promise<VerifyResult>")]
    pub fn verify_async(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        verify_async_js(&token, &self.inner, &self.host, options)
    }

    /// `verifyAsync` for sets of HMAC keys, synchronously (a token of an asymmetric key throws
    /// `async_required`).
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        verify_js(&token, &self.inner, "keySet.verifyAsync", options)
    }
}
