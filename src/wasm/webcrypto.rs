//! Signature checks through the host's WebCrypto (asymmetric algorithms), for `verifyAsync`:
//! pure-Rust P-256 and Ed25519 in wasm are several times slower than the host's native code.
//! Everything else (structure, header, key choice, claims) stays in the Rust core, and no Rust
//! future is involved: the claims are checked before the host's answer arrives, and the
//! returned promise only reveals that outcome once the signature is known to be valid.

use super::convert::to_js;
use super::error::{to_js as error_to_js, JsResult};
use super::key::verified_to_js;
use crate::{begin_verify, Algorithm, Key, KeySource, VerifyOptions};
use js_sys::Promise;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/wasm/webcrypto.js")]
extern "C" {
    #[wasm_bindgen(js_name = importVerifyKey, catch)]
    fn import_verify_key(jwk: &JsValue, alg: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = hostKeyState)]
    fn host_key_state(entry: &JsValue) -> u8;
    #[wasm_bindgen(js_name = settleAfterHostCheck)]
    #[allow(clippy::too_many_arguments)]
    fn settle_after_host_check(
        entry: &JsValue,
        alg: &str,
        signature: &[u8],
        data: &[u8],
        rust_valid: bool,
        ok: bool,
        outcome: &JsValue,
        message: &str,
    ) -> Promise;
}

const IMPORTING: u8 = 0;
const READY: u8 = 1;

/// Host keys, imported once per key; each entry is the JS object `importVerifyKey` fills in.
/// Found by algorithm and `kid`, which are unique within a key set (asymmetric keys always
/// have a `kid`: given, or their thumbprint). A key set holds a handful of keys, so a list
/// beats hashing a freshly built id on every call.
#[derive(Default)]
pub(crate) struct HostKeys {
    keys: RefCell<Vec<HostKey>>,
}

struct HostKey {
    alg: Algorithm,
    kid: Option<String>,
    /// `None` if the import could not even start.
    entry: Option<JsValue>,
}

impl HostKeys {
    /// The host entry for `key`, importing on first use; `None` if the import cannot start.
    fn entry(&self, key: &Key) -> Option<JsValue> {
        let id = (key.algorithm(), key.kid());
        if let Some(known) = self
            .keys
            .borrow()
            .iter()
            .find(|known| (known.alg, known.kid.as_deref()) == id)
        {
            return known.entry.clone();
        }
        let entry = key
            .to_public_jwk()
            .ok()
            .and_then(|jwk| to_js(&jwk).ok())
            .and_then(|jwk| import_verify_key(&jwk, key.algorithm().name()).ok());
        self.keys.borrow_mut().push(HostKey {
            alg: key.algorithm(),
            kid: key.kid().map(str::to_owned),
            entry: entry.clone(),
        });
        entry
    }
}

/// `verifyAsync`: the same checks as `verify`, with asymmetric signatures checked by the host
/// when it can (HMAC stays in Rust: fast enough, and no secret leaves wasm).
pub(crate) fn verify_async(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    host: &HostKeys,
    options: &VerifyOptions,
    now: i64,
) -> Promise {
    match verify_with_host(token, keys, host, options, now) {
        Ok(promise) => promise,
        Err(error) => Promise::reject(&error),
    }
}

fn verify_with_host(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    host: &HostKeys,
    options: &VerifyOptions,
    now: i64,
) -> JsResult<Promise> {
    let pending = begin_verify(token, keys, options).map_err(error_to_js)?;
    let key = pending.key();
    let rust = || key.verify_signature(pending.signing_input(), pending.signature());
    let entry = match key.algorithm().is_symmetric() {
        true => None,
        false => host.entry(key),
    };
    let state = entry.as_ref().map(host_key_state);
    let Some((entry, state @ (IMPORTING | READY))) = entry.zip(state) else {
        let valid = rust();
        let verified = pending.finish(valid, options, now).map_err(error_to_js)?;
        return Ok(Promise::resolve(&verified_to_js(&verified)?));
    };
    // Only a key still being imported needs the Rust verdict, in case the import fails.
    let rust_valid = state == IMPORTING && rust();
    let (signature, signing_input) = (pending.signature().to_vec(), pending.signing_input());
    let outcome = pending
        .finish(true, options, now)
        .map_err(error_to_js)
        .and_then(|verified| verified_to_js(&verified));
    let ok = outcome.is_ok();
    let outcome = outcome.unwrap_or_else(|error| error);
    Ok(settle_after_host_check(
        &entry,
        key.algorithm().name(),
        &signature,
        signing_input,
        rust_valid,
        ok,
        &outcome,
        crate::verify::invalid_signature().message(),
    ))
}
