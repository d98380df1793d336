//! `Key` and `KeySet` as JS classes.

use super::convert::{
    key_json_from_js, key_json_to_js, object_from_js, string_arg, to_js, token_arg,
    token_result_to_js,
};
use super::error::{to_js as error_to_js, JsResult};
use super::key_options::{now_from, sign_options, signer_options, verify_options};
use super::webcrypto::{sign_at_once, verify_at_once, HostKeys};
use crate::secret_json::SecretJson;
use crate::{Algorithm, ErrorCode, Key, KeySet, KeySource};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A key's `{ alg, kid }`.
struct KeyOptions {
    alg: Option<String>,
    kid: Option<String>,
}

fn key_options(options: Option<JsValue>) -> JsResult<KeyOptions> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let mut js = super::options::JsOptions::read(&options, &[&["alg", "kid"]], "key options")?;
    Ok(KeyOptions {
        alg: js.string("alg")?,
        kid: js.string("kid")?,
    })
}

/// `verify` from JS: asymmetric signatures are checked by the host where it answers at once
/// (node:crypto), in Rust elsewhere.
fn verify_js(
    token: &JsValue,
    keys: &(impl KeySource + ?Sized),
    host: &HostKeys,
    options: Option<JsValue>,
) -> JsResult<JsValue> {
    let token = token_arg(token)?;
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let now = now_from(&options)?;
    let verified = verify_at_once(&token, keys, host, &verify_options(&options)?, now, None);
    verified_to_js(&verified.map_err(error_to_js)?)
}

/// `{ payload, protectedHeader }` of a verified token.
pub(crate) fn verified_to_js(verified: &crate::VerifiedToken) -> JsResult<JsValue> {
    token_result_to_js(verified.claims_json(), verified.header_json())
}

/// A key bound to exactly one algorithm.
///
/// ```js
/// const key = Key.generate("EdDSA");
/// const token = key.sign({ sub: "user-1" }, { expiresIn: "15m", typ: "at+jwt" });
/// const { payload } = key.verify(token, { typ: "at+jwt" });
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
    /// Imports a JWK. `options.alg` binds the algorithm (required for `oct` and `RSA` keys
    /// without an `alg` member); `options.kid` overrides the JWK's `kid`.
    ///
    /// ```js
    /// const key = Key.fromJwk({ kty: "oct", k: secretB64url }, { alg: "HS256", kid: "k1" });
    /// ```
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(
        #[wasm_bindgen(unchecked_param_type = "JWK")] jwk: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "KeyOptions")] options: Option<JsValue>,
    ) -> JsResult<JsKey> {
        let options = key_options(options)?;
        let alg = options
            .alg
            .as_deref()
            .map(Algorithm::parse)
            .transpose()
            .map_err(error_to_js)?;
        let jwk = key_json_from_js(jwk, "jwk")?;
        let inner = Key::from_jwk(&jwk, alg, options.kid).map_err(error_to_js)?;
        Ok(JsKey::from(inner))
    }

    /// Generates a fresh key with the runtime's secure randomness (`kid` random unless given).
    ///
    /// ```js
    /// const key = Key.generate("ES256", { kid: "2026-11" });
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
        let inner = Key::generate(alg, options.kid).map_err(error_to_js)?;
        Ok(JsKey::from(inner))
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

    /// Signs claims into a compact JWT. Registered claims set in `options` win over the
    /// same names in `claims`; `iat` is set unless `issuedAt: false`. EdDSA and ES256 are
    /// signed by node:crypto where it exists (Node, Deno, Bun), in wasm elsewhere.
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
        let claims = object_from_js(claims, "claims")?;
        let options = sign_options(&options)?;
        sign_at_once(&self.inner, &self.signing_host, claims, &options, now).map_err(error_to_js)
    }

    /// `sign`, with EdDSA/ES256 signatures made by the host's crypto (node:crypto in Node, Deno
    /// and Bun; WebCrypto in workerd and browsers): several times faster than wasm, in workerd
    /// ten to twenty. The same token; HMAC stays in wasm. The host key is imported once, on the
    /// first call, which waits for it; a host that cannot import the key is replaced by wasm.
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
                object_from_js(claims, "claims")?,
                sign_options(&options)?,
            ))
        });
        match prepared {
            Ok((now, claims, options)) => {
                super::webcrypto::sign_async(&self.inner, &self.signing_host, claims, &options, now)
            }
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

    /// `verify`, with the signature of EdDSA/ES256/RS256/PS256 tokens checked by the host's
    /// WebCrypto (several times faster than wasm for those; HMAC stays in wasm). Same checks,
    /// same errors; resolves to the same result. The key is imported into the host once, on the
    /// first call, which waits for it. A host that cannot import the key is replaced by the
    /// Rust check; a host that throws while checking a signature refuses the token
    /// (`invalid_signature`).
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
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let checked = token_arg(&token).and_then(|token| {
            let now = now_from(&options)?;
            Ok((token, now, verify_options(&options)?))
        });
        match checked {
            Ok((token, now, options)) => {
                super::webcrypto::verify_async(&token, &self.inner, &self.host, &options, now, None)
            }
            Err(error) => js_sys::Promise::reject(&error),
        }
    }

    /// Verifies a token with this key: signature first, then claims; `exp` last.
    /// Throws a `JwtRefreshError`; `code === "token_expired"` only for otherwise valid tokens.
    /// EdDSA, ES256, RS256 and PS256 signatures are checked by node:crypto where it exists
    /// (Node, Deno, Bun: it answers at once), in wasm elsewhere (`verifyAsync` uses WebCrypto
    /// there).
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
        verify_js(&token, &self.inner, &self.host, options)
    }
}

/// Keys selected by `kid`: rotation, and a JWKS document to publish.
///
/// ```js
/// const keys = KeySet.fromJwks(await (await fetch(jwksUrl)).json());
/// const { payload } = keys.verify(token, { algorithms: ["EdDSA"] });
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

    /// Verifies a token with the key its `kid` names (or the only key of its algorithm).
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        verify_js(&token, &self.inner, &self.host, options)
    }
}
