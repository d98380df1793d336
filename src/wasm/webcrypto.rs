//! Signature checks through the host's WebCrypto (asymmetric algorithms), for `verifyAsync`:
//! pure-Rust P-256 and Ed25519 in wasm are several times slower than the host's native code.
//! Everything else (structure, header, key choice, claims) stays in the Rust core.

use super::convert::to_js;
use crate::{Key, PendingSignature};
use js_sys::Promise;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/wasm/webcrypto.js")]
extern "C" {
    #[wasm_bindgen(js_name = importVerifyKey, catch)]
    fn import_verify_key(jwk: &JsValue, alg: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = hostVerify, catch)]
    fn host_verify(
        key: &JsValue,
        alg: &str,
        signature: &[u8],
        data: &[u8],
    ) -> Result<Promise, JsValue>;
}

/// Imported host keys, once per key, as promises of `CryptoKey`. Keyed by algorithm and `kid`:
/// unique within a key set (asymmetric keys always have a `kid`: given, or their thumbprint).
#[derive(Default)]
pub(crate) struct HostKeys {
    imported: RefCell<HashMap<String, Promise>>,
}

impl HostKeys {
    fn import(&self, key: &Key) -> Option<Promise> {
        let id = format!(
            "{}:{}",
            key.algorithm().name(),
            key.kid().unwrap_or_default()
        );
        if let Some(found) = self.imported.borrow().get(&id) {
            return Some(found.clone());
        }
        let jwk = to_js(&key.to_public_jwk().ok()?).ok()?;
        let promise = import_verify_key(&jwk, key.algorithm().name()).ok()?;
        self.imported.borrow_mut().insert(id, promise.clone());
        Some(promise)
    }

    /// Whether the signature is valid: HMAC in Rust (fast enough, no key export), asymmetric
    /// algorithms by the host when it supports them, else in Rust.
    pub(crate) async fn check(&self, pending: &PendingSignature<'_, '_>) -> bool {
        let key = pending.key();
        let rust = || key.verify_signature(pending.signing_input(), pending.signature());
        if key.algorithm().is_symmetric() {
            return rust();
        }
        let Some(imported) = self.import(key) else {
            return rust();
        };
        let Ok(crypto_key) = JsFuture::from(imported).await else {
            return rust(); // e.g. a host without Ed25519 in WebCrypto
        };
        let Ok(verdict) = host_verify(
            &crypto_key,
            key.algorithm().name(),
            pending.signature(),
            pending.signing_input(),
        ) else {
            return rust();
        };
        match JsFuture::from(verdict).await {
            Ok(valid) => valid.as_bool().unwrap_or(false),
            Err(_) => rust(),
        }
    }
}
