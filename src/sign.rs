//! Signing: claims in, compact JWS out.

use crate::claims::{ClaimsSet, Registered};
use crate::error::{Error, ErrorCode, Result};
use crate::key::{cannot_sign, Key};
use crate::random::random_id;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// What [`sign`] adds to the claims and header. Every field is optional; registered
/// claims set here replace those in the claims object.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Header `typ` (e.g. `"at+jwt"`).
    pub typ: Option<String>,
    /// `exp` = now + this many seconds.
    pub expires_in: Option<u64>,
    /// `nbf` = now + this many seconds.
    pub not_before_in: Option<u64>,
    /// Set `iat` to now (default true).
    pub issued_at: bool,
    /// Set `jti` to a fresh random id (default false).
    pub random_jti: bool,
    /// `iss`.
    pub issuer: Option<String>,
    /// `aud`: one value is written as a string, several as an array.
    pub audience: Vec<String>,
    /// `sub`.
    pub subject: Option<String>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            typ: None,
            expires_in: None,
            not_before_in: None,
            issued_at: true,
            random_jti: false,
            issuer: None,
            audience: Vec::new(),
            subject: None,
        }
    }
}

/// Signs `claims` with `key` at time `now` (Unix seconds). The header carries the key's
/// `alg` and `kid`, and `typ` if asked.
///
/// ```
/// use jwt_refresh::{sign, Algorithm, Key, SignOptions};
/// let key = Key::generate(Algorithm::Hs256, None).unwrap();
/// let options = SignOptions { expires_in: Some(900), subject: Some("u1".into()), ..Default::default() };
/// let token = sign(&key, serde_json::Map::new(), &options, 1_700_000_000).unwrap();
/// assert_eq!(token.split('.').count(), 3);
/// ```
pub fn sign(key: &Key, claims: ClaimsSet, options: &SignOptions, now: i64) -> Result<String> {
    signed_in_process(key, signing_input(key, claims, options, now)?)
}

/// The JOSE header [`sign`] writes.
#[derive(Serialize)]
struct JoseHeader<'a> {
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    typ: Option<&'a str>,
}

/// `header.payload` of the token [`sign`] makes: the claims with the options applied,
/// waiting for a signature (which the wasm layer may get from the host's crypto).
pub(crate) fn signing_input(
    key: &Key,
    mut claims: ClaimsSet,
    options: &SignOptions,
    now: i64,
) -> Result<String> {
    if !key.can_sign() {
        return Err(cannot_sign());
    }
    let at = |offset: u64| -> Result<Value> {
        i64::try_from(offset)
            .ok()
            .and_then(|o| now.checked_add(o))
            .map(Value::from)
            .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "time overflows"))
    };
    if options.issued_at {
        claims.insert("iat".into(), Value::from(now));
    }
    if let Some(ttl) = options.expires_in {
        claims.insert("exp".into(), at(ttl)?);
    }
    if let Some(offset) = options.not_before_in {
        claims.insert("nbf".into(), at(offset)?);
    }
    if options.random_jti {
        claims.insert("jti".into(), Value::String(random_id()?));
    }
    if let Some(iss) = &options.issuer {
        claims.insert("iss".into(), Value::String(iss.clone()));
    }
    if let Some(sub) = &options.subject {
        claims.insert("sub".into(), Value::String(sub.clone()));
    }
    match options.audience.as_slice() {
        [] => {}
        [one] => {
            claims.insert("aud".into(), Value::String(one.clone()));
        }
        many => {
            claims.insert("aud".into(), Value::from(many.to_vec()));
        }
    }
    Registered::of_map(&claims)
        .check_types()
        .map_err(|err| Error::new(ErrorCode::InvalidOptions, err.message()))?;
    let header = JoseHeader {
        alg: key.algorithm().name(),
        kid: key.kid(),
        typ: options.typ.as_deref(),
    };
    let header = serde_json::to_vec(&header).map_err(cannot_serialize)?;
    let claims = serde_json::to_vec(&claims).map_err(cannot_serialize)?;
    let mut input = URL_SAFE_NO_PAD.encode(header);
    input.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut input);
    Ok(input)
}

fn cannot_serialize(err: serde_json::Error) -> Error {
    Error::new(
        ErrorCode::InvalidOptions,
        format!("cannot serialize: {err}"),
    )
}

/// How the [`crate::Issuer`] signs its tokens and checks access-token signatures (in
/// `verify_access` and at refresh). [`RustSigner`] does both in this process (HMAC, and what a
/// `rust-*` feature implements); the wasm layer gives the Issuer one that asks the host's
/// crypto for the asymmetric algorithms.
#[allow(async_fn_in_trait)] // used single-threaded (wasm); no Send bound wanted
pub trait TokenSigner {
    /// `signing_input`, a dot, and the base64url signature.
    async fn complete(&self, key: &Key, signing_input: String) -> Result<String>;

    /// Whether `signature` is `key`'s over `signing_input`. The default checks in this process.
    async fn check(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> Result<bool> {
        self.check_now(key, signing_input, signature)
    }

    /// [`TokenSigner::check`] for synchronous callers ([`crate::Issuer::verify_access`]):
    /// `async_required` for a key whose signatures only an asynchronous host checks. The
    /// default checks in this process.
    fn check_now(&self, key: &Key, signing_input: &[u8], signature: &[u8]) -> Result<bool> {
        key.verify_in_process(signing_input, signature)
    }
}

/// Signs and checks with the Rust implementations (the default of [`crate::Issuer`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct RustSigner;

impl TokenSigner for RustSigner {
    async fn complete(&self, key: &Key, signing_input: String) -> Result<String> {
        signed_in_process(key, signing_input)
    }
}

/// The compact JWS of `signing_input`, signed by the Rust implementations.
pub(crate) fn signed_in_process(key: &Key, mut signing_input: String) -> Result<String> {
    let signature = key.signature(signing_input.as_bytes())?;
    signing_input.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut signing_input);
    Ok(signing_input)
}
