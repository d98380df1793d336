//! Signing: claims in, compact JWS out.

use crate::claims::{ClaimsSet, Registered, CLAIMS_SET};
use crate::error::{Error, ErrorCode, Result};
use crate::key::{cannot_sign, Key};
use crate::members::ReadError;
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
    claims: ClaimsSet,
    options: &SignOptions,
    now: i64,
) -> Result<String> {
    if !key.can_sign() {
        return Err(cannot_sign());
    }
    with_claims_replaced(key, claims, options.claims(now)?, options)
}

/// The signing input of a claims map with `added` inserted, replacing the same names.
fn with_claims_replaced(
    key: &Key,
    mut claims: ClaimsSet,
    added: Vec<(&'static str, Value)>,
    options: &SignOptions,
) -> Result<String> {
    for (name, value) in added {
        claims.insert(name.into(), value);
    }
    let text = serde_json::to_string(&claims).map_err(cannot_serialize)?;
    with_claims_added(key, &text, Registered::of_map(&claims), &[], options)
}

/// [`signing_input`] of the JSON text of a claims object, as JS hands it over
/// (`JSON.stringify`'s output), with no map built: the options' claims are appended to the
/// text, whose members are kept as written. A text that has a claim the options set goes
/// through the map, which replaces it.
#[cfg_attr(not(all(target_arch = "wasm32", feature = "keys")), allow(dead_code))]
pub(crate) fn signing_input_of_json(
    key: &Key,
    claims: &str,
    options: &SignOptions,
    now: i64,
) -> Result<String> {
    if !key.can_sign() {
        return Err(cannot_sign());
    }
    let added = options.claims(now)?;
    let registered = Registered::of_claims(claims)?;
    if added.iter().any(|(name, _)| registered.has(name)) {
        // The map cannot hold what the text path carries as written: a lone surrogate escape
        // in a claim that is not registered. serde_json says so.
        let claims = serde_json::from_str::<ClaimsSet>(claims).map_err(|error| {
            ReadError::of(error).into_error(ErrorCode::InvalidOptions, CLAIMS_SET)
        })?;
        return with_claims_replaced(key, claims, added, options);
    }
    with_claims_added(key, claims, registered, &added, options)
}

/// The signing input of `claims` (a JSON object's text, whose registered claims are
/// `registered`) with `added` appended: none of them is in `claims` already. The claims are
/// type-checked here, so that a token we sign is one we accept.
fn with_claims_added<'a>(
    key: &Key,
    claims: &'a str,
    mut registered: Registered<'a>,
    added: &'a [(&'static str, Value)],
    options: &SignOptions,
) -> Result<String> {
    for (name, value) in added {
        registered.set(name, value);
    }
    registered
        .check_types()
        .map_err(|err| Error::new(ErrorCode::InvalidOptions, err.message()))?;
    // `Registered::of_claims` read one JSON object: the text ends with its `}`.
    let members = claims.trim_end().strip_suffix('}').unwrap_or_default();
    let mut payload = String::with_capacity(claims.len() + 24 * added.len());
    payload.push_str(members);
    let mut first = members.trim_end().ends_with('{');
    for (name, value) in added {
        if !first {
            payload.push(',');
        }
        first = false;
        payload.push('"');
        payload.push_str(name);
        payload.push_str("\":");
        payload.push_str(&serde_json::to_string(value).map_err(cannot_serialize)?);
    }
    payload.push('}');
    let header = JoseHeader {
        alg: key.algorithm().name(),
        kid: key.kid(),
        typ: options.typ.as_deref(),
    };
    let header = serde_json::to_vec(&header).map_err(cannot_serialize)?;
    let mut input = URL_SAFE_NO_PAD.encode(header);
    input.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut input);
    Ok(input)
}

impl SignOptions {
    /// The registered claims these options set, with their values at time `now` (they
    /// replace any the claims have).
    fn claims(&self, now: i64) -> Result<Vec<(&'static str, Value)>> {
        let at = |offset: u64| -> Result<Value> {
            i64::try_from(offset)
                .ok()
                .and_then(|o| now.checked_add(o))
                .map(Value::from)
                .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "time overflows"))
        };
        let mut claims = Vec::with_capacity(7);
        if self.issued_at {
            claims.push(("iat", Value::from(now)));
        }
        if let Some(ttl) = self.expires_in {
            claims.push(("exp", at(ttl)?));
        }
        if let Some(offset) = self.not_before_in {
            claims.push(("nbf", at(offset)?));
        }
        if self.random_jti {
            claims.push(("jti", Value::String(random_id()?)));
        }
        if let Some(iss) = &self.issuer {
            claims.push(("iss", Value::String(iss.clone())));
        }
        if let Some(sub) = &self.subject {
            claims.push(("sub", Value::String(sub.clone())));
        }
        match self.audience.as_slice() {
            [] => {}
            [one] => claims.push(("aud", Value::String(one.clone()))),
            many => claims.push(("aud", Value::from(many.to_vec()))),
        }
        Ok(claims)
    }
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

// Native only: proptest does not build for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::Algorithm;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    const NOW: i64 = 1_700_000_000;

    fn key() -> Key {
        Key::hmac(Algorithm::Hs256, &[9; 32], Some("k".into())).unwrap()
    }

    /// The header and payload of a signing input, as JSON values.
    fn parts(input: &str) -> (Value, Value) {
        let (header, payload) = input.split_once('.').unwrap();
        let json = |segment: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
        };
        (json(header), json(payload))
    }

    fn both(claims: &str, options: &SignOptions) -> (Result<String>, Result<String>) {
        let map: ClaimsSet = serde_json::from_str(claims).unwrap();
        (
            signing_input(&key(), map, options, NOW),
            signing_input_of_json(&key(), claims, options, NOW),
        )
    }

    #[test]
    fn the_text_gets_the_options_claims_appended() {
        let options = SignOptions {
            expires_in: Some(60),
            audience: vec!["a".into(), "b".into()],
            typ: Some("at+jwt".into()),
            ..Default::default()
        };
        let input = signing_input_of_json(&key(), r#"{"role":"x\"y","n":1e+21}"#, &options, NOW);
        let (header, payload) = parts(&input.unwrap());
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["kid"], "k");
        let expected = serde_json::json!({
            "role": "x\"y", "n": 1e21, "iat": NOW, "exp": NOW + 60, "aud": ["a", "b"]
        });
        assert_eq!(payload, expected);
    }

    #[test]
    fn empty_objects_and_whitespace_are_joined_correctly() {
        let options = SignOptions::default();
        for claims in ["{}", "{ }", " {\n} ", r#"{ "a" : 1 }"#] {
            let (_, payload) =
                parts(&signing_input_of_json(&key(), claims, &options, NOW).unwrap());
            assert_eq!(payload["iat"], NOW, "{claims}");
        }
        let options = SignOptions {
            issued_at: false,
            ..Default::default()
        };
        let (_, payload) = parts(&signing_input_of_json(&key(), "{}", &options, NOW).unwrap());
        assert_eq!(payload, serde_json::json!({}));
    }

    #[test]
    fn the_options_replace_claims_of_the_same_name() {
        let options = SignOptions {
            expires_in: Some(5),
            subject: Some("u1".into()),
            ..Default::default()
        };
        let claims = r#"{"exp":"soon","sub":"other","x":[1]}"#;
        let (from_map, from_text) = both(claims, &options);
        let (_, payload) = parts(&from_text.unwrap());
        assert_eq!(payload, parts(&from_map.unwrap()).1);
        assert_eq!(payload["exp"], NOW + 5);
        assert_eq!(payload["sub"], "u1");
        assert_eq!(payload["x"], serde_json::json!([1]));
    }

    #[test]
    fn bad_claims_are_refused_as_the_map_refuses_them() {
        let options = SignOptions::default();
        for claims in [r#"{"exp":"soon"}"#, r#"{"aud":[1]}"#, r#"{"iss":{}}"#] {
            let (from_map, from_text) = both(claims, &options);
            let (map_error, text_error) = (from_map.unwrap_err(), from_text.unwrap_err());
            assert_eq!(text_error.code(), ErrorCode::InvalidOptions, "{claims}");
            assert_eq!(text_error.message(), map_error.message(), "{claims}");
        }
        for claims in ["[1]", "1", "", "{", r#"{"a":1} x"#, r#"{"exp":1,"exp":2}"#] {
            let error = signing_input_of_json(&key(), claims, &options, NOW).unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidOptions, "{claims}");
        }
    }

    #[test]
    fn a_lone_surrogate_is_carried_as_written_or_refused_saying_why() {
        let options = SignOptions::default();
        // Not a registered claim, and nothing to replace: the text is signed as written.
        let input = signing_input_of_json(&key(), r#"{"name":"\ud800"}"#, &options, NOW).unwrap();
        let payload = input.split('.').nth(1).unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert!(text.starts_with(r#"{"name":"\ud800","iat":"#), "{text}");
        // A claim the options replace takes the map's path, which cannot hold it.
        let error = signing_input_of_json(&key(), r#"{"name":"\ud800","iat":1}"#, &options, NOW)
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidOptions);
        assert!(
            error
                .message()
                .starts_with("the claims set is not readable JSON (unexpected end of hex escape"),
            "{}",
            error.message()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the claims and options, the text's path signs what the map's path signs.
        #[test]
        fn the_text_path_signs_what_the_map_path_signs(
            members in proptest::collection::btree_map(
                prop_oneof!["[a-z]{1,4}", Just("exp".to_owned()), Just("sub".to_owned()), Just("aud".to_owned())],
                prop_oneof![
                    any::<i32>().prop_map(Value::from),
                    "[ -~\u{e9}\u{1f600}]{0,8}".prop_map(Value::from),
                    Just(Value::Null),
                ],
                0..6,
            ),
            expires_in in proptest::option::of(0u64..1000),
            subject in proptest::option::of("[a-z]{1,4}"),
            issued_at in any::<bool>(),
        ) {
            let claims = serde_json::to_string(&members).unwrap();
            let options = SignOptions { expires_in, subject, issued_at, ..Default::default() };
            let (from_map, from_text) = both(&claims, &options);
            match (from_map, from_text) {
                (Ok(a), Ok(b)) => prop_assert_eq!(parts(&a), parts(&b)),
                (Err(a), Err(b)) => prop_assert_eq!(a.message(), b.message()),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
            }
        }
    }
}
