//! Signatures through the host's crypto (asymmetric algorithms), for `verifyAsync` and
//! `signAsync`: node:crypto's one-shot sign/verify in Node, Deno and Bun, WebCrypto in workerd
//! and browsers (webcrypto.js chooses). Pure-Rust P-256 and Ed25519 in wasm are several times
//! slower than the host's native code (P-256 signing about twenty times).
//! Everything else (structure, header, key choice, claims) stays in the Rust core: the claims
//! are checked before the host's answer arrives, and the returned promise only reveals that
//! outcome once the signature is known to be valid. A Rust future is involved only on a key's
//! first call, which waits for the key's one import into the host, and where a verifier's
//! cache must remember a token once the host has found it valid.

use super::convert::{key_json_to_js, promise_of};
use super::error::{to_js as error_to_js, JsResult};
use super::key::verified_to_js;
use crate::secret_json::SecretJson;
use crate::sign::{signed_in_process, signing_input};
use crate::signature_cache::{Lookup, SignatureCache};
use crate::{
    begin_verify, Algorithm, ClaimsSet, Key, KeySource, PendingSignature, SignOptions,
    VerifyOptions,
};
#[cfg(feature = "edge")]
use crate::{RustSigner, TokenSigner};
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/wasm/webcrypto.js")]
extern "C" {
    #[wasm_bindgen(js_name = importHostKey, catch)]
    fn import_host_key(jwk: &JsValue, alg: &str, usage: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = hostKeyState)]
    fn host_key_state(entry: &JsValue) -> u8;
    #[wasm_bindgen(js_name = hostKeyImported)]
    fn host_key_imported(entry: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = settleAfterHostCheck)]
    fn settle_after_host_check(
        entry: &JsValue,
        alg: &str,
        signature: &[u8],
        data: &[u8],
        ok: bool,
        outcome: &JsValue,
        message: &str,
    ) -> Promise;
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = verifyWithHost)]
    fn host_verdict(entry: &JsValue, alg: &str, signature: &[u8], data: &[u8]) -> Promise;
    #[wasm_bindgen(js_name = hasSynchronousHost)]
    fn has_synchronous_host() -> bool;
    #[wasm_bindgen(js_name = verifyNow)]
    fn verify_now(entry: &JsValue, alg: &str, signature: &[u8], data: &[u8]) -> u8;
    #[wasm_bindgen(js_name = signNow)]
    fn sign_now(entry: &JsValue, alg: &str, signing_input: &str) -> Option<String>;
    #[wasm_bindgen(js_name = signWithHost)]
    fn sign_with_host(entry: &JsValue, alg: &str, signing_input: &str) -> Promise;
}

const IMPORTING: u8 = 0;
const READY: u8 = 1;

/// Whether this build has keys the host imports (EdDSA, ES256, RSA). Without them no call
/// can find an import pending, and the code that waits for one is dead, left out of the binary.
const HAS_HOST_KEYS: bool = cfg!(any(feature = "eddsa", feature = "es256", feature = "rsa"));

/// Host keys for one use (verifying or signing), imported once per key; each entry is the
/// JS object `importHostKey` fills in. Found by algorithm and `kid`, which are unique within
/// a key set (asymmetric keys always have a `kid`: given, or their thumbprint). A key set
/// holds a handful of keys, so a list beats hashing a freshly built id on every call.
pub(crate) struct HostKeys {
    signing: bool,
    keys: RefCell<Vec<HostKey>>,
    /// Whether the host answers checks synchronously (asked once).
    synchronous: std::cell::OnceCell<bool>,
}

struct HostKey {
    alg: Algorithm,
    kid: Option<String>,
    /// `None` if the import could not even start.
    entry: Option<JsValue>,
}

impl HostKeys {
    /// Host keys that check signatures (imported from the public JWK).
    pub(crate) fn verifying() -> Self {
        HostKeys {
            signing: false,
            keys: RefCell::default(),
            synchronous: Default::default(),
        }
    }

    /// Host keys that sign (imported, non-extractable, from the private JWK).
    pub(crate) fn signing() -> Self {
        HostKeys {
            signing: true,
            keys: RefCell::default(),
            synchronous: Default::default(),
        }
    }

    /// The host entry for `key`, importing on first use; `None` if the import cannot start
    /// (and for HMAC keys: HMAC stays in Rust, fast enough, and no secret leaves wasm).
    fn entry(&self, key: &Key) -> Option<JsValue> {
        if key.algorithm().is_symmetric() {
            return None;
        }
        let id = (key.algorithm(), key.kid());
        if let Some(known) = self
            .keys
            .borrow()
            .iter()
            .find(|known| (known.alg, known.kid.as_deref()) == id)
        {
            return known.entry.clone();
        }
        let (jwk, usage) = match self.signing {
            true => (key.to_private_jwk(), "sign"),
            false => (key.to_public_jwk(), "verify"),
        };
        let entry = jwk
            .ok()
            .and_then(|jwk| key_json_to_js(SecretJson::new(jwk)).ok())
            .and_then(|jwk| import_host_key(&jwk, key.algorithm().name(), usage).ok());
        self.keys.borrow_mut().push(HostKey {
            alg: key.algorithm(),
            kid: key.kid().map(str::to_owned),
            entry: entry.clone(),
        });
        entry
    }

    /// The host's verdict on `signature`, where it can answer at once (node:crypto: Node, Deno,
    /// Bun); `None` elsewhere (WebCrypto has no synchronous form), for HMAC, and where the host
    /// cannot take the key: the caller checks in Rust.
    fn verdict_now(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> Option<bool> {
        let entry = self.synchronous_entry(key)?;
        match verify_now(&entry, key.algorithm().name(), signature, signing_input) {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// Whether `signature` is `key`'s: the host's verdict where it answers at once, Rust's
    /// elsewhere.
    pub(crate) fn check_now(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> bool {
        self.verdict_now(key, signing_input, signature)
            .unwrap_or_else(|| key.verify_signature(signing_input, signature))
    }

    /// The token signed by the host where it signs at once (node:crypto); `None` elsewhere,
    /// for HMAC, and where the host cannot take the key: the caller signs in Rust.
    fn signed_now(&self, key: &Key, signing_input: &str) -> Option<String> {
        let entry = self.synchronous_entry(key)?;
        sign_now(&entry, key.algorithm().name(), signing_input)
    }

    /// The host entry for `key` if this host answers synchronously (node:crypto).
    fn synchronous_entry(&self, key: &Key) -> Option<JsValue> {
        // HMAC never goes to the host: asking about the host first would load node:crypto
        // (~2 ms of a cold start) for nothing.
        if !HAS_HOST_KEYS || key.algorithm().is_symmetric() {
            return None;
        }
        let synchronous = *self.synchronous.get_or_init(has_synchronous_host);
        synchronous.then(|| self.entry(key)).flatten()
    }

    /// The host entry for `key` once its import has settled (starting it if need be); `None`
    /// if the host cannot use the key.
    #[cfg(feature = "edge")]
    async fn imported(&self, key: &Key) -> Option<JsValue> {
        settled(self.entry(key)?).await
    }
}

/// `entry` once its import has settled, if the host can use the key. Signing waits for this:
/// an import is one host call, while an EdDSA or ES256 signature in wasm takes a fraction of
/// a millisecond to milliseconds.
async fn settled(entry: JsValue) -> Option<JsValue> {
    if host_key_state(&entry) == IMPORTING {
        // Settles with the CryptoKey or null; it never rejects.
        let _ = JsFuture::from(host_key_imported(&entry)).await;
    }
    (host_key_state(&entry) == READY).then_some(entry)
}

/// `verify`, with asymmetric signatures checked by the host where it answers at once
/// (node:crypto), in Rust elsewhere; with a `cache`, a remembered token's signature is not
/// checked again.
pub(crate) fn verify_at_once(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    host: &HostKeys,
    options: &VerifyOptions,
    now: i64,
    cache: Option<&SignatureCache>,
) -> crate::Result<crate::VerifiedToken> {
    let check = |pending: &PendingSignature| {
        host.check_now(pending.key(), pending.signing_input(), pending.signature())
    };
    if let Some(cache) = cache {
        return cache.verify_with(token, keys, options, now, check);
    }
    let pending = begin_verify(token, keys, options)?;
    let valid = check(&pending);
    pending.finish(valid, options, now)
}

/// `sign`, with EdDSA/ES256 signatures made by the host where it signs at once
/// (node:crypto), in Rust elsewhere: the same token.
pub(crate) fn sign_at_once(
    key: &Key,
    host: &HostKeys,
    claims: ClaimsSet,
    options: &SignOptions,
    now: i64,
) -> crate::Result<String> {
    let input = signing_input(key, claims, options, now)?;
    match host.signed_now(key, &input) {
        Some(token) => Ok(token),
        None => signed_in_process(key, input),
    }
}

/// `verifyAsync`: the same checks as `verify`, with asymmetric signatures checked by the host
/// when it can (HMAC stays in Rust: fast enough, and no secret leaves wasm). With a `cache`, a
/// remembered token settles at once (its claims checked, not its signature); another is
/// remembered once its signature is known to be valid (and its claims passed).
pub(crate) fn verify_async(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    host: &HostKeys,
    options: &VerifyOptions,
    now: i64,
    cache: Option<&Rc<SignatureCache>>,
) -> Promise {
    let settle = |verified: crate::Result<crate::VerifiedToken>| {
        promise_of(
            verified
                .map_err(error_to_js)
                .and_then(|v| verified_to_js(&v)),
        )
    };
    let Some(cache) = cache else {
        let checking = begin_verify(token, keys, options).map_err(error_to_js);
        return checking
            .and_then(|pending| verify_with_host(pending, host, options, now))
            .unwrap_or_else(|e| Promise::reject(&e));
    };
    if !HAS_HOST_KEYS {
        // Every signature is checked in Rust in this build: nothing to wait for.
        return settle(verify_at_once(token, keys, host, options, now, Some(cache)));
    }
    match cache.lookup(token, keys, options, now) {
        Lookup::Settled(verified) => settle(verified),
        Lookup::Unknown(pending, entry) => {
            let checking = verify_with_host(pending, host, options, now).map(JsFuture::from);
            let cache = cache.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let verified = checking?.await?;
                cache.remember(entry);
                Ok(verified)
            })
        }
    }
}

/// The rest of `verifyAsync` once `pending` has passed everything before its signature.
fn verify_with_host(
    pending: PendingSignature,
    host: &HostKeys,
    options: &VerifyOptions,
    now: i64,
) -> JsResult<Promise> {
    let key = pending.key();
    let entry = host.entry(key);
    let state = entry.as_ref().map(host_key_state);
    let Some((entry, state @ (IMPORTING | READY))) = entry.zip(state) else {
        let valid = key.verify_signature(pending.signing_input(), pending.signature());
        let verified = pending.finish(valid, options, now).map_err(error_to_js)?;
        return Ok(Promise::resolve(&verified_to_js(&verified)?));
    };
    let (signature, signing_input) = (pending.signature().to_vec(), pending.signing_input());
    let outcome = pending
        .finish(true, options, now)
        .map_err(error_to_js)
        .and_then(|verified| verified_to_js(&verified));
    let ok = outcome.is_ok();
    let outcome = outcome.unwrap_or_else(|error| error);
    if HAS_HOST_KEYS && state == IMPORTING {
        let checked = HostCheck {
            key: key.clone(),
            signature,
            signing_input: signing_input.to_vec(),
            ok,
            outcome,
        };
        return Ok(checked.after_import(entry));
    }
    Ok(settle_after_host_check(
        &entry,
        key.algorithm().name(),
        &signature,
        signing_input,
        ok,
        &outcome,
        crate::verify::invalid_signature().message(),
    ))
}

/// A signature to check once the key's host import settles: the first `verifyAsync` of a key
/// waits for that one host call rather than checking in wasm meanwhile (pure-Rust P-256 takes
/// milliseconds). The claims' outcome is already known; wasm checks the signature only if the
/// host cannot use the key.
struct HostCheck {
    key: Key,
    signature: Vec<u8>,
    signing_input: Vec<u8>,
    ok: bool,
    outcome: JsValue,
}

impl HostCheck {
    fn after_import(self, entry: JsValue) -> Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            let invalid = crate::verify::invalid_signature();
            let valid = match settled(entry).await {
                Some(entry) => {
                    let checked = settle_after_host_check(
                        &entry,
                        self.key.algorithm().name(),
                        &self.signature,
                        &self.signing_input,
                        self.ok,
                        &self.outcome,
                        invalid.message(),
                    );
                    return JsFuture::from(checked).await;
                }
                None => self
                    .key
                    .verify_signature(&self.signing_input, &self.signature),
            };
            match (valid, self.ok) {
                (false, _) => Err(error_to_js(invalid)),
                (true, true) => Ok(self.outcome),
                (true, false) => Err(self.outcome),
            }
        })
    }
}

/// `signAsync`: the token `sign` makes, with EdDSA/ES256 signatures made by the host (the
/// first call waits for the key's import). Where the host cannot import the key, the Rust
/// signature is used: the same token, only slower.
pub(crate) fn sign_async(
    key: &Key,
    host: &HostKeys,
    claims: ClaimsSet,
    options: &SignOptions,
    now: i64,
) -> Promise {
    let input = match signing_input(key, claims, options, now) {
        Ok(input) => input,
        Err(error) => return Promise::reject(&error_to_js(error)),
    };
    match host.entry(key) {
        Some(entry) if host_key_state(&entry) == READY => {
            sign_with_host(&entry, key.algorithm().name(), &input)
        }
        Some(entry) if HAS_HOST_KEYS && host_key_state(&entry) == IMPORTING => {
            let key = key.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                match settled(entry).await {
                    Some(entry) => {
                        let signing = sign_with_host(&entry, key.algorithm().name(), &input);
                        JsFuture::from(signing).await
                    }
                    None => signed_in_rust(&key, input),
                }
            })
        }
        _ => promise_of(signed_in_rust(key, input)),
    }
}

fn signed_in_rust(key: &Key, signing_input: String) -> JsResult<JsValue> {
    signed_in_process(key, signing_input)
        .map(JsValue::from)
        .map_err(error_to_js)
}

/// The [`crate::Issuer`]'s signer in wasm: the host's crypto for EdDSA/ES256 (the first
/// token waits for the key's import); Rust for HMAC, and where the host cannot sign.
#[cfg(feature = "edge")]
pub(crate) struct HostSigner {
    signing: HostKeys,
    verifying: Rc<HostKeys>,
    /// Access-token signatures that verified (the issuer's `signatureCache`).
    cache: Option<Rc<SignatureCache>>,
}

#[cfg(feature = "edge")]
impl HostSigner {
    /// A signer whose signature checks share `verifying` (the issuer's access verifiers use it
    /// too, so each key is imported once) and `cache`.
    pub(crate) fn new(verifying: Rc<HostKeys>, cache: Option<Rc<SignatureCache>>) -> Self {
        HostSigner {
            signing: HostKeys::signing(),
            verifying,
            cache,
        }
    }
}

#[cfg(feature = "edge")]
impl TokenSigner for HostSigner {
    fn check_now(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> bool {
        let check = || self.verifying.check_now(key, signing_input, signature);
        match &self.cache {
            Some(cache) => cache.checked(signing_input, signature, check),
            None => check(),
        }
    }

    async fn check(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> bool {
        let cached = self
            .cache
            .as_ref()
            .map(|cache| (cache, cache.entry(signing_input, signature)));
        if cached
            .as_ref()
            .is_some_and(|(cache, entry)| cache.contains(entry))
        {
            return true;
        }
        let valid = match self.verifying.imported(key).await {
            Some(entry) => {
                let verdict =
                    host_verdict(&entry, key.algorithm().name(), signature, signing_input);
                let verdict = JsFuture::from(verdict).await;
                verdict.ok().and_then(|valid| valid.as_bool()) == Some(true)
            }
            None => RustSigner.check(key, signing_input, signature).await,
        };
        if let (true, Some((cache, entry))) = (valid, cached) {
            cache.remember(entry);
        }
        valid
    }

    async fn complete(&self, key: &Key, signing_input: String) -> crate::Result<String> {
        if let Some(entry) = self.signing.imported(key).await {
            let signing = sign_with_host(&entry, key.algorithm().name(), &signing_input);
            let token = JsFuture::from(signing).await;
            if let Some(token) = token.ok().and_then(|token| token.as_string()) {
                return Ok(token);
            }
        }
        RustSigner.complete(key, signing_input).await
    }
}
