//! Exact verdicts that an independent corpus of JWT cases found wrong, and errors that name
//! the real mistake: a key without a declared `kid` (RFC 7515 §4.1.4: `kid` is a hint), an
//! unsecured token (`alg: none`, empty signature), tokens of the wrong type passed where
//! another goes, and a token still carrying its `Bearer ` prefix.
#![cfg(all(
    feature = "rust-eddsa",
    feature = "rust-es256",
    not(target_arch = "wasm32")
))]

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_refresh::{sign, verify, Algorithm, ErrorCode, Key, KeySet, SignOptions, VerifyOptions};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_700_000_000;

fn signed(key: &Key, typ: Option<&str>) -> String {
    let options = SignOptions {
        expires_in: Some(600),
        typ: typ.map(str::to_owned),
        ..SignOptions::default()
    };
    sign(key, Map::new(), &options, NOW).unwrap()
}

/// The public JWK of `key` as a provider publishes one without a `kid`.
fn without_kid(key: &Key) -> Value {
    let mut jwk = key.to_public_jwk().unwrap();
    jwk.as_object_mut().unwrap().remove("kid");
    jwk
}

fn error(token: &str, keys: &KeySet, options: &VerifyOptions) -> (ErrorCode, String) {
    let err = verify(token, keys, options, NOW + 1).unwrap_err();
    (err.code(), err.message().to_owned())
}

#[test]
fn a_key_without_a_declared_kid_verifies_a_token_whatever_kid_it_names() {
    let signer = Key::generate(Algorithm::EdDsa, Some("provider-2026-12".into())).unwrap();
    let token = signed(&signer, None);
    let imported = Key::from_jwk(&without_kid(&signer), None, None).unwrap();
    // Its id for publishing is still its thumbprint.
    assert_eq!(imported.kid(), Some(signer.thumbprint().unwrap().as_str()));
    verify(&token, &imported, &VerifyOptions::default(), NOW + 1).unwrap();
    // In a set beside keys that declare their kid, of this algorithm and of another.
    let declared = Key::generate(Algorithm::EdDsa, Some("other".into())).unwrap();
    let hmac = Key::hmac(Algorithm::Hs256, &[7; 32], Some("hs".into())).unwrap();
    let mut keys = KeySet::new();
    for key in [declared.clone(), imported, hmac] {
        keys.insert(key).unwrap();
    }
    verify(&token, &keys, &VerifyOptions::default(), NOW + 1).unwrap();
    // A key that declares its kid still refuses a token naming another.
    let (code, message) = error(
        &token,
        &KeySet::from(declared.clone()),
        &VerifyOptions::default(),
    );
    assert_eq!(code, ErrorCode::KeyNotFound, "{message}");
    let (code, message) = error(
        &signed(
            &Key::generate(Algorithm::Es256, Some("x".into())).unwrap(),
            None,
        ),
        &keys,
        &VerifyOptions::default(),
    );
    assert_eq!(code, ErrorCode::KeyNotFound);
    assert!(
        message.contains("no ES256 key without a declared kid"),
        "{message}"
    );
    // Two keys without a declared kid for one algorithm: which one cannot be told.
    let second = Key::generate(Algorithm::EdDsa, None).unwrap();
    let mut ambiguous = KeySet::new();
    ambiguous
        .insert(Key::from_jwk(&without_kid(&signer), None, None).unwrap())
        .unwrap();
    ambiguous
        .insert(Key::from_jwk(&without_kid(&second), None, None).unwrap())
        .unwrap();
    let (code, message) = error(&token, &ambiguous, &VerifyOptions::default());
    assert_eq!(code, ErrorCode::KeyNotFound);
    assert!(message.contains("several"), "{message}");
    // And a token that names no kid is still matched to the single key of its algorithm.
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#);
    let payload = Base64UrlUnpadded::encode_string(br#"{"exp":1700000600}"#);
    let input = format!("{header}.{payload}");
    let mac = hmac_sha256(&[7; 32], input.as_bytes());
    let no_kid = format!("{input}.{}", Base64UrlUnpadded::encode_string(&mac));
    verify(&no_kid, &keys, &VerifyOptions::default(), NOW + 1).unwrap();
}

fn hmac_sha256(secret: &[u8], input: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

fn unsecured(alg: &str) -> String {
    let header = Base64UrlUnpadded::encode_string(json!({ "alg": alg }).to_string().as_bytes());
    let payload = Base64UrlUnpadded::encode_string(json!({ "sub": "x" }).to_string().as_bytes());
    format!("{header}.{payload}.")
}

#[test]
fn an_unsecured_token_is_alg_not_allowed_in_any_casing() {
    let keys = KeySet::from(Key::hmac(Algorithm::Hs256, &[7; 32], None).unwrap());
    for alg in ["none", "NONE", "None", "nOnE"] {
        let (code, message) = error(&unsecured(alg), &keys, &VerifyOptions::default());
        assert_eq!(code, ErrorCode::AlgNotAllowed, "{alg}: {message}");
        assert!(message.contains("unsecured"), "{message}");
    }
    // An empty signature under a real algorithm is a bad signature, not bad syntax.
    let (code, _) = error(&unsecured("HS256"), &keys, &VerifyOptions::default());
    assert_eq!(code, ErrorCode::InvalidSignature);
}

#[test]
fn a_token_of_the_other_type_says_so_before_any_key_is_looked_up() {
    let access_key = Key::generate(Algorithm::EdDsa, Some("access".into())).unwrap();
    let refresh_key = Key::hmac(Algorithm::Hs256, &[9; 32], Some("refresh".into())).unwrap();
    let refresh_token = signed(&refresh_key, Some("rt+jwt"));
    let access_token = signed(&access_key, Some("at+jwt"));
    let expect = |typ: &str| VerifyOptions {
        typ: Some(typ.into()),
        ..VerifyOptions::default()
    };
    // The access verifier holds no key for the refresh token: the type is named first.
    let (code, message) = error(&refresh_token, &KeySet::from(access_key), &expect("at+jwt"));
    assert_eq!(code, ErrorCode::TokenTypeMismatch);
    assert_eq!(
        message,
        "expected an access token (at+jwt), got a refresh token (rt+jwt)"
    );
    let (code, message) = error(&access_token, &KeySet::from(refresh_key), &expect("rt+jwt"));
    assert_eq!(code, ErrorCode::TokenTypeMismatch);
    assert_eq!(
        message,
        "expected a refresh token (rt+jwt), got an access token (at+jwt)"
    );
}

#[test]
fn a_bearer_prefix_or_stray_whitespace_is_named() {
    let key = Key::hmac(Algorithm::Hs256, &[7; 32], None).unwrap();
    let token = signed(&key, None);
    let keys = KeySet::from(key);
    let (code, message) = error(&format!("Bearer {token}"), &keys, &VerifyOptions::default());
    assert_eq!(code, ErrorCode::MalformedToken);
    assert!(message.contains("\"Bearer \""), "{message}");
    // Leading, trailing, and Unicode whitespace (a no-break space pasted from a page).
    for pasted in [
        format!("{token}\n"),
        format!(" {token}"),
        format!("{token}\u{a0}"),
    ] {
        let (code, message) = error(&pasted, &keys, &VerifyOptions::default());
        assert_eq!(code, ErrorCode::MalformedToken);
        assert!(message.contains("whitespace"), "{message}");
    }
    // Whitespace inside is no base64url, and is not called stray.
    let inside = token.replacen('.', " .", 1);
    let (code, message) = error(&inside, &keys, &VerifyOptions::default());
    assert_eq!(code, ErrorCode::MalformedToken);
    assert!(message.contains("base64url"), "{message}");
}

#[cfg(feature = "edge")]
#[test]
fn swapped_tokens_at_the_issuer_name_the_mistake() {
    use futures::executor::block_on;
    use jwt_refresh::{Issuer, IssuerConfig, MemoryStore, SessionPolicy};
    let issuer = Issuer::new(IssuerConfig {
        signing_key: Key::generate(Algorithm::EdDsa, Some("a".into())).unwrap(),
        previous_keys: vec![],
        refresh_key: Key::generate(Algorithm::Hs256, Some("r".into())).unwrap(),
        issuer: "https://auth.example".into(),
        audience: vec![],
        policy: SessionPolicy::default(),
        clock_tolerance: 0,
    })
    .unwrap();
    let store = MemoryStore::new();
    let pair = block_on(issuer.start_session(&store, "ada", Map::new(), NOW)).unwrap();
    // refresh(access, refresh) called as refresh(refresh, access).
    let err = block_on(issuer.refresh(&store, &pair.refresh_token, &pair.access_token, NOW + 1))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenTypeMismatch);
    assert_eq!(
        err.message(),
        "expected a refresh token (rt+jwt), got an access token (at+jwt)"
    );
    let err =
        block_on(issuer.revoke_by_refresh_token(&store, &pair.access_token, NOW + 1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenTypeMismatch);
    let err = issuer
        .verify_access(&pair.refresh_token, NOW + 1)
        .unwrap_err();
    assert_eq!(
        err.message(),
        "expected an access token (at+jwt), got a refresh token (rt+jwt)"
    );
    // Nothing was revoked by the mistakes.
    block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, NOW + 2)).unwrap();
}
