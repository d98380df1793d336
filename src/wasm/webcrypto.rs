//! Signatures through the host's crypto: every asymmetric algorithm (RS*, PS*, ES*, EdDSA) is
//! signed and checked by node:crypto in Node, Deno and Bun and by WebCrypto in workerd and
//! browsers (webcrypto.js chooses), so only the async methods take asymmetric keys; HMAC stays
//! in wasm, fast and synchronous, and its secret never leaves wasm. That is the whole rule:
//! HMAC keys work with every method, asymmetric keys with the async ones, and a synchronous
//! method given an asymmetric key throws `async_required` naming the method to call.
//!
//! Everything else (structure, header, key choice, claims) stays in the Rust core: the claims
//! are checked before the host's answer arrives, and the returned promise only reveals that
//! outcome once the signature is known to be valid. A Rust future is involved only on a key's
//! first call, which waits for the key's one import into the host, and where a verifier's
//! cache must remember a token once the host has found it valid.

use super::convert::{key_json_to_js, promise_of, promise_of_work};
use super::error::{to_js as error_to_js, JsResult};
use super::key::verified_to_js;
use crate::asymmetric::async_required;
use crate::secret_json::SecretJson;
use crate::sign::{signed_in_process, signing_input_of_json};
use crate::signature_cache::{Lookup, SignatureCache};
use crate::{
    begin_verify, Algorithm, Error, ErrorCode, Key, KeySource, PendingSignature, SignOptions,
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
    #[wasm_bindgen(js_name = hostKeyRefusal)]
    fn host_key_refusal(entry: &JsValue) -> String;
    // The host entries know their algorithm, and the message is passed as a JS string made
    // once: decoding a string from wasm memory has a fixed cost on every call, short or not.
    #[wasm_bindgen(js_name = settleAfterHostCheck)]
    fn settle_after_host_check(
        entry: &JsValue,
        signature: &[u8],
        data: &[u8],
        ok: bool,
        outcome: &JsValue,
        message: &JsValue,
    ) -> Promise;
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = verifyWithHost)]
    fn host_verdict(entry: &JsValue, signature: &[u8], data: &[u8]) -> Promise;
    /// `bytes` are `signing_input`'s: node:crypto signs them where they are, in wasm memory.
    #[wasm_bindgen(js_name = signWithHost)]
    fn sign_with_host(entry: &JsValue, bytes: &[u8], signing_input: &str) -> Promise;
    #[wasm_bindgen(js_name = generateHostKey)]
    pub(crate) fn generate_host_key(alg: &str) -> Promise;
    #[wasm_bindgen(js_name = pemToJwk)]
    pub(crate) fn pem_to_jwk(pem: &str, alg: &str) -> Promise;
}

const IMPORTING: u8 = 0;
const READY: u8 = 1;

thread_local! {
    /// `invalid_signature`'s message as a JS string, for the host to reject with.
    static INVALID_SIGNATURE: JsValue =
        JsValue::from_str(crate::verify::invalid_signature().message());
}

/// The host's check of a signature with `entry`, settling as `settleAfterHostCheck` says.
fn settle_after_check(
    entry: &JsValue,
    signature: &[u8],
    data: &[u8],
    ok: bool,
    outcome: &JsValue,
) -> Promise {
    INVALID_SIGNATURE
        .with(|message| settle_after_host_check(entry, signature, data, ok, outcome, message))
}

/// `async_required`, naming the method to call instead.
pub(crate) fn async_required_for(alg: Algorithm, method: &str) -> Error {
    let error = async_required(alg);
    Error::new(error.code(), format!("{}: call {method}", error.message()))
}

/// The keys a synchronous method may use: HMAC keys; an asymmetric key is `async_required`
/// (before any cached verdict could hide it: the rule holds for every token).
pub(crate) struct Synchronous<'k> {
    pub(crate) keys: &'k dyn KeySource,
    /// The async method to name.
    pub(crate) instead: &'static str,
}

impl KeySource for Synchronous<'_> {
    fn select(&self, kid: Option<&str>, alg: Algorithm) -> crate::Result<&Key> {
        let key = self.keys.select(kid, alg)?;
        match key.algorithm().is_symmetric() {
            true => Ok(key),
            false => Err(async_required_for(key.algorithm(), self.instead)),
        }
    }
}

/// A synchronous verification (`verify`): HMAC only, see [`Synchronous`].
pub(crate) fn verify_now(
    token: &str,
    keys: &dyn KeySource,
    instead: &'static str,
    options: &VerifyOptions,
    now: i64,
    cache: Option<&SignatureCache>,
) -> crate::Result<crate::VerifiedToken> {
    let keys = Synchronous { keys, instead };
    match cache {
        Some(cache) => cache.verify_with(token, &keys, options, now, |pending| {
            pending
                .key()
                .verify_in_process(pending.signing_input(), pending.signature())
        }),
        None => crate::verify(token, &keys, options, now),
    }
}

/// A synchronous signature (`sign`): HMAC only.
pub(crate) fn sign_now(
    key: &Key,
    instead: &'static str,
    claims: &str,
    options: &SignOptions,
    now: i64,
) -> crate::Result<String> {
    if !key.algorithm().is_symmetric() {
        return Err(async_required_for(key.algorithm(), instead));
    }
    signed_in_process(key, signing_input_of_json(key, claims, options, now)?)
}

/// Host keys for one use (verifying or signing), imported once per key; each entry is the
/// JS object `importHostKey` fills in. Found by algorithm and `kid`, which are unique within
/// a key set (asymmetric keys always have a `kid`: given, or their thumbprint). A key set
/// holds a handful of keys, so a list beats hashing a freshly built id on every call.
pub(crate) struct HostKeys {
    signing: bool,
    keys: RefCell<Vec<HostKey>>,
}

struct HostKey {
    alg: Algorithm,
    kid: Option<String>,
    /// The host's refusal if the import could not even start.
    entry: Result<JsValue, Error>,
}

impl HostKeys {
    /// Host keys that check signatures (imported from the public JWK).
    pub(crate) fn verifying() -> Self {
        HostKeys {
            signing: false,
            keys: RefCell::default(),
        }
    }

    /// Host keys that sign (imported, non-extractable, from the private JWK).
    pub(crate) fn signing() -> Self {
        HostKeys {
            signing: true,
            keys: RefCell::default(),
        }
    }

    /// The host entry for an asymmetric `key`, importing on first use.
    fn entry(&self, key: &Key) -> Result<JsValue, Error> {
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
            .and_then(|jwk| key_json_to_js(SecretJson::new(jwk)).map_err(|_| unusable(key, "")))
            .and_then(|jwk| {
                import_host_key(&jwk, key.algorithm().name(), usage)
                    .map_err(|_| unusable(key, "the import threw"))
            });
        self.keys.borrow_mut().push(HostKey {
            alg: key.algorithm(),
            kid: key.kid().map(str::to_owned),
            entry: entry.clone(),
        });
        entry
    }

    /// The host entry for `key` once its import has settled (starting it if need be), or why
    /// the host cannot use the key.
    #[cfg(feature = "edge")]
    async fn imported(&self, key: &Key) -> Result<JsValue, Error> {
        settled(key, self.entry(key)?).await
    }
}

/// Whether the host finds `signature` over `signing_input` valid with the ready `entry`; a
/// host that fails to answer says no.
#[cfg(feature = "edge")]
async fn host_says_valid(entry: &JsValue, signature: &[u8], signing_input: &[u8]) -> bool {
    let verdict = JsFuture::from(host_verdict(entry, signature, signing_input)).await;
    verdict.ok().and_then(|valid| valid.as_bool()) == Some(true)
}

/// The host's keys of DPoP proofs, by algorithm and RFC 7638 thumbprint (which the public key
/// alone determines). A client signs every proof with the same key, and importing a JWK costs
/// the host more than checking the signature (node:crypto parses and validates it each time).
/// Bounded: past `capacity` keys, the least recently used goes.
#[cfg(feature = "edge")]
pub(crate) struct ProofKeys {
    capacity: usize,
    /// Most recently used last.
    keys: RefCell<std::collections::VecDeque<(Algorithm, String, JsValue)>>,
}

#[cfg(feature = "edge")]
impl ProofKeys {
    /// Keeps the host keys of at most `capacity` proof keys.
    pub(crate) fn new(capacity: usize) -> ProofKeys {
        ProofKeys {
            capacity: capacity.max(1),
            keys: RefCell::default(),
        }
    }

    /// Whether `signature` over `signing_input` is `key`'s (whose thumbprint is `jkt`), checked
    /// by the host's crypto with the key imported once.
    pub(crate) async fn check(
        &self,
        key: &Key,
        jkt: &str,
        signing_input: &[u8],
        signature: &[u8],
    ) -> crate::Result<bool> {
        let alg = key.algorithm();
        let known = {
            let mut keys = self.keys.borrow_mut();
            let at = keys.iter().rposition(|(a, id, _)| *a == alg && id == jkt);
            at.and_then(|at| keys.remove(at)).map(|known| {
                let entry = known.2.clone();
                keys.push_back(known);
                entry
            })
        };
        let entry = match known {
            Some(entry) => entry,
            None => match HostKeys::verifying().imported(key).await {
                Ok(entry) => {
                    let mut keys = self.keys.borrow_mut();
                    if keys.len() >= self.capacity {
                        keys.pop_front();
                    }
                    keys.push_back((alg, jkt.to_owned(), entry.clone()));
                    entry
                }
                Err(refusal) => {
                    return checked_without_host(key, refusal, signing_input, signature)
                }
            },
        };
        Ok(host_says_valid(&entry, signature, signing_input).await)
    }
}

/// `invalid_key`: the host cannot use this key (`why`, as the host put it).
fn unusable(key: &Key, why: &str) -> Error {
    let why = if why.is_empty() {
        String::new()
    } else {
        format!(" ({why})")
    };
    Error::new(
        ErrorCode::InvalidKey,
        format!(
            "this host's crypto cannot use the {} key{why}",
            key.algorithm()
        ),
    )
}

/// `entry` once its import has settled, if the host can use the key.
async fn settled(key: &Key, entry: JsValue) -> Result<JsValue, Error> {
    if host_key_state(&entry) == IMPORTING {
        // Settles with the host's key or null; it never rejects.
        let _ = JsFuture::from(host_key_imported(&entry)).await;
    }
    match host_key_state(&entry) {
        READY => Ok(entry),
        _ => Err(unusable(key, &host_key_refusal(&entry))),
    }
}

/// A signature check the host cannot make: this build's own code, if it has one for the
/// algorithm (a `rust-*` feature), else the host's refusal.
fn checked_without_host(
    key: &Key,
    refusal: Error,
    signing_input: &[u8],
    signature: &[u8],
) -> crate::Result<bool> {
    match key.in_process() {
        true => key.verify_in_process(signing_input, signature),
        false => Err(refusal),
    }
}

/// `verifyAsync`: the same checks as `verify`, with asymmetric signatures checked by the host
/// (HMAC stays in Rust). With a `cache`, a remembered token settles at once (its claims
/// checked, not its signature); another is remembered once its signature is known to be valid
/// (and its claims passed).
pub(crate) fn verify_async(
    token: &str,
    keys: &dyn KeySource,
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
    match cache.lookup(token, keys, options, now) {
        Lookup::Settled(verified) => settle(verified),
        Lookup::Unknown(pending, entry) => {
            let checking = verify_with_host(pending, host, options, now).map(JsFuture::from);
            let cache = cache.clone();
            promise_of_work(Box::pin(async move {
                let verified = checking?.await?;
                cache.remember(entry);
                Ok(verified)
            }))
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
    let entry = match key.algorithm().is_symmetric() {
        true => None,
        false => Some(host.entry(key)),
    };
    let usable = match &entry {
        Some(Ok(entry)) => matches!(host_key_state(entry), IMPORTING | READY),
        _ => false,
    };
    let entry = match (entry, usable) {
        (Some(Ok(entry)), true) => entry,
        (entry, _) => {
            let (input, signature) = (pending.signing_input(), pending.signature());
            let valid = match entry {
                None => key.verify_in_process(input, signature),
                Some(Err(refusal)) => checked_without_host(key, refusal, input, signature),
                Some(Ok(failed)) => {
                    let refusal = unusable(key, &host_key_refusal(&failed));
                    checked_without_host(key, refusal, input, signature)
                }
            };
            let valid = valid.map_err(error_to_js)?;
            let verified = pending.finish(valid, options, now).map_err(error_to_js)?;
            return Ok(Promise::resolve(&verified_to_js(&verified)?));
        }
    };
    let (signature, signing_input) = (pending.signature().to_vec(), pending.signing_input());
    let outcome = pending
        .finish(true, options, now)
        .map_err(error_to_js)
        .and_then(|verified| verified_to_js(&verified));
    let ok = outcome.is_ok();
    let outcome = outcome.unwrap_or_else(|error| error);
    if host_key_state(&entry) == IMPORTING {
        let checked = HostCheck {
            key: key.clone(),
            signature,
            signing_input: signing_input.to_vec(),
            ok,
            outcome,
        };
        return Ok(checked.after_import(entry));
    }
    Ok(settle_after_check(
        &entry,
        &signature,
        signing_input,
        ok,
        &outcome,
    ))
}

/// A signature to check once the key's host import settles: the first `verifyAsync` of a key
/// waits for that one host call. The claims' outcome is already known.
struct HostCheck {
    key: Key,
    signature: Vec<u8>,
    signing_input: Vec<u8>,
    ok: bool,
    outcome: JsValue,
}

impl HostCheck {
    fn after_import(self, entry: JsValue) -> Promise {
        promise_of_work(Box::pin(async move {
            let valid = match settled(&self.key, entry).await {
                Ok(entry) => {
                    let checked = settle_after_check(
                        &entry,
                        &self.signature,
                        &self.signing_input,
                        self.ok,
                        &self.outcome,
                    );
                    return JsFuture::from(checked).await;
                }
                Err(refusal) => {
                    checked_without_host(&self.key, refusal, &self.signing_input, &self.signature)
                        .map_err(error_to_js)?
                }
            };
            match (valid, self.ok) {
                (false, _) => Err(error_to_js(crate::verify::invalid_signature())),
                (true, true) => Ok(self.outcome),
                (true, false) => Err(self.outcome),
            }
        }))
    }
}

/// `signAsync`: HMAC in Rust; asymmetric keys by the host (the first call waits for the key's
/// import), or by this build's own code where the host cannot and a `rust-*` feature can.
pub(crate) fn sign_async(
    key: &Key,
    host: &HostKeys,
    claims: &str,
    options: &SignOptions,
    now: i64,
) -> Promise {
    let input = match signing_input_of_json(key, claims, options, now) {
        Ok(input) => input,
        Err(error) => return Promise::reject(&error_to_js(error)),
    };
    if key.algorithm().is_symmetric() || !key.can_sign() {
        return promise_of(
            signed_in_process(key, input)
                .map(JsValue::from)
                .map_err(error_to_js),
        );
    }
    let entry = match host.entry(key) {
        Ok(entry) => entry,
        Err(refusal) => return promise_of(signed_without_host(key, refusal, input)),
    };
    if host_key_state(&entry) == READY {
        return sign_with_host(&entry, input.as_bytes(), &input);
    }
    let key = key.clone();
    promise_of_work(Box::pin(async move {
        match settled(&key, entry).await {
            Ok(entry) => JsFuture::from(sign_with_host(&entry, input.as_bytes(), &input)).await,
            Err(refusal) => signed_without_host(&key, refusal, input),
        }
    }))
}

/// A signature the host cannot make: this build's own, if it has one, else the refusal.
fn signed_without_host(key: &Key, refusal: Error, signing_input: String) -> JsResult<JsValue> {
    let signed = match key.in_process() {
        true => signed_in_process(key, signing_input),
        false => Err(refusal),
    };
    signed.map(JsValue::from).map_err(error_to_js)
}

/// The [`crate::Issuer`]'s signer in wasm: the host's crypto for asymmetric keys (the first
/// token waits for the key's import); Rust for HMAC.
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
    /// `verifyAccess` and `authenticate`: HMAC only.
    fn check_now(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> crate::Result<bool> {
        if !key.algorithm().is_symmetric() {
            return Err(async_required_for(
                key.algorithm(),
                "issuer.verifyAccessAsync (or authenticateAsync)",
            ));
        }
        let check = || key.verify_in_process(signing_input, signature);
        match &self.cache {
            Some(cache) => cache.checked(signing_input, signature, check),
            None => check(),
        }
    }

    async fn check(
        &self,
        key: &Key,
        signing_input: &[u8],
        signature: &[u8],
    ) -> crate::Result<bool> {
        if key.algorithm().is_symmetric() {
            return RustSigner.check(key, signing_input, signature).await;
        }
        let cached = self
            .cache
            .as_ref()
            .map(|cache| (cache, cache.entry(signing_input, signature)));
        if cached
            .as_ref()
            .is_some_and(|(cache, entry)| cache.contains(entry))
        {
            return Ok(true);
        }
        let valid = match self.verifying.imported(key).await {
            Ok(entry) => host_says_valid(&entry, signature, signing_input).await,
            Err(refusal) => checked_without_host(key, refusal, signing_input, signature)?,
        };
        if let (true, Some((cache, entry))) = (valid, cached) {
            cache.remember(entry);
        }
        Ok(valid)
    }

    async fn complete(&self, key: &Key, signing_input: String) -> crate::Result<String> {
        if key.algorithm().is_symmetric() {
            return RustSigner.complete(key, signing_input).await;
        }
        match self.signing.imported(key).await {
            Ok(entry) => {
                let signing = sign_with_host(&entry, signing_input.as_bytes(), &signing_input);
                match JsFuture::from(signing).await {
                    Ok(token) => token.as_string().ok_or_else(|| unusable(key, "")),
                    Err(error) => Err(super::error::error_from_js(&error, ErrorCode::InvalidKey)),
                }
            }
            Err(_) if key.in_process() => RustSigner.complete(key, signing_input).await,
            Err(refusal) => Err(refusal),
        }
    }
}
