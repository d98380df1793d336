//! Every verification rule, with boundary times, through the public API.
#![cfg(not(target_arch = "wasm32"))]

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_refresh::{
    decode_unverified, sign, verify, Algorithm, ErrorCode, Key, KeySet, SignOptions, VerifyOptions,
};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_700_000_000;

fn hs256() -> Key {
    Key::hmac(Algorithm::Hs256, &[42u8; 32], Some("hs".into())).unwrap()
}

fn obj(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn token(key: &Key, claims: Value, options: SignOptions) -> String {
    sign(key, obj(claims), &options, NOW).unwrap()
}

fn code(token: &str, keys: &KeySet, options: &VerifyOptions, now: i64) -> ErrorCode {
    match verify(token, keys, options, now) {
        Ok(_) => panic!("expected an error"),
        Err(err) => err.code(),
    }
}

/// Builds a token with an arbitrary header and payload, signed with HMAC `key`.
fn forge(key: &Key, header: Value, claims: Value) -> String {
    forge_text(key, &header.to_string(), &claims.to_string())
}

/// `forge`, from JSON texts (which may say what a `Value` cannot, e.g. a member twice).
fn forge_text(key: &Key, header: &str, claims: &str) -> String {
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    // sign() only emits well-formed tokens, so MAC the hand-made input with the key's secret.
    let secret = key.to_private_jwk().unwrap()["k"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = Base64UrlUnpadded::decode_vec(&secret).unwrap();
    let mac = hmac_sha256(&secret, input.as_bytes());
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&mac))
}

fn hmac_sha256(secret: &[u8], message: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn exp_boundary_now_equal_exp_is_expired() {
    let key = hs256();
    let t = token(&key, json!({"exp": NOW + 10}), SignOptions::default());
    let keys = KeySet::from(key);
    let opts = VerifyOptions::default();
    assert!(verify(&t, &keys, &opts, NOW + 9).is_ok());
    assert_eq!(code(&t, &keys, &opts, NOW + 10), ErrorCode::TokenExpired);
    let lenient = VerifyOptions {
        clock_tolerance: 5,
        ..Default::default()
    };
    assert!(verify(&t, &keys, &lenient, NOW + 14).is_ok());
    assert_eq!(code(&t, &keys, &lenient, NOW + 15), ErrorCode::TokenExpired);
}

#[test]
fn nbf_boundary_now_equal_nbf_is_valid() {
    let key = hs256();
    let t = token(&key, json!({"nbf": NOW + 10}), SignOptions::default());
    let keys = KeySet::from(key);
    let opts = VerifyOptions::default();
    assert_eq!(code(&t, &keys, &opts, NOW + 9), ErrorCode::TokenNotYetValid);
    assert!(verify(&t, &keys, &opts, NOW + 10).is_ok());
    let lenient = VerifyOptions {
        clock_tolerance: 3,
        ..Default::default()
    };
    assert!(verify(&t, &keys, &lenient, NOW + 7).is_ok());
    assert_eq!(
        code(&t, &keys, &lenient, NOW + 6),
        ErrorCode::TokenNotYetValid
    );
}

#[test]
fn fractional_numeric_dates_are_honoured() {
    let key = hs256();
    let t = token(
        &key,
        json!({"exp": NOW as f64 + 0.5}),
        SignOptions {
            issued_at: false,
            ..Default::default()
        },
    );
    let keys = KeySet::from(key);
    assert!(verify(&t, &keys, &VerifyOptions::default(), NOW).is_ok());
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW + 1),
        ErrorCode::TokenExpired
    );
}

#[test]
fn non_numeric_dates_are_claim_invalid_and_refused_at_signing() {
    let key = hs256();
    let err = sign(
        &key,
        obj(json!({"exp": "tomorrow"})),
        &SignOptions::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidOptions);
    let forged = forge(&key, json!({"alg": "HS256"}), json!({"exp": "tomorrow"}));
    assert_eq!(
        code(&forged, &KeySet::from(key), &VerifyOptions::default(), NOW),
        ErrorCode::ClaimInvalid
    );
}

#[test]
fn signature_is_checked_before_claims() {
    let key = hs256();
    let expired = token(&key, json!({"exp": NOW - 100}), SignOptions::default());
    let other = KeySet::from(Key::hmac(Algorithm::Hs256, &[7u8; 32], Some("hs".into())).unwrap());
    assert_eq!(
        code(&expired, &other, &VerifyOptions::default(), NOW),
        ErrorCode::InvalidSignature
    );
    // A payload that is not even JSON, under a bad signature, is still a signature failure.
    let (head, _) = expired.split_once('.').unwrap();
    let garbage = format!("{head}.bm90IGpzb24.{}", expired.rsplit_once('.').unwrap().1);
    assert_eq!(
        code(&garbage, &KeySet::from(key), &VerifyOptions::default(), NOW),
        ErrorCode::InvalidSignature
    );
}

#[test]
fn expired_answer_only_for_otherwise_valid_tokens() {
    let key = hs256();
    let t = token(
        &key,
        json!({"exp": NOW - 1, "iss": "evil"}),
        SignOptions::default(),
    );
    let opts = VerifyOptions {
        issuer: vec!["good".into()],
        ..Default::default()
    };
    assert_eq!(
        code(&t, &KeySet::from(key), &opts, NOW),
        ErrorCode::ClaimMismatch
    );
}

#[test]
fn ignore_expiration_skips_only_exp() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let t = token(
        &key,
        json!({"exp": NOW - 1000, "iss": "a"}),
        SignOptions::default(),
    );
    let opts = VerifyOptions {
        ignore_expiration: true,
        issuer: vec!["a".into()],
        ..Default::default()
    };
    assert!(verify(&t, &keys, &opts, NOW).is_ok());
    let wrong_iss = VerifyOptions {
        issuer: vec!["b".into()],
        ..opts.clone()
    };
    assert_eq!(code(&t, &keys, &wrong_iss, NOW), ErrorCode::ClaimMismatch);
    let not_yet = token(&key, json!({"nbf": NOW + 100}), SignOptions::default());
    assert_eq!(
        code(&not_yet, &keys, &opts.clone(), NOW),
        ErrorCode::ClaimMissing
    ); // iss required
    let opts = VerifyOptions {
        ignore_expiration: true,
        ..Default::default()
    };
    assert_eq!(
        code(&not_yet, &keys, &opts, NOW),
        ErrorCode::TokenNotYetValid
    );
    let aged = VerifyOptions {
        ignore_expiration: true,
        max_token_age: Some(60),
        ..Default::default()
    };
    assert_eq!(code(&t, &keys, &aged, NOW + 61), ErrorCode::TokenTooOld);
}

#[test]
fn issuer_audience_subject_and_required_claims() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let t = token(
        &key,
        json!({"role": "admin"}),
        SignOptions {
            issuer: Some("https://auth.example".into()),
            audience: vec!["api".into(), "admin".into()],
            subject: Some("user-1".into()),
            ..Default::default()
        },
    );
    let claims = verify(&t, &keys, &VerifyOptions::default(), NOW)
        .unwrap()
        .claims()
        .unwrap();
    assert_eq!(claims["aud"], json!(["api", "admin"]));
    let ok = VerifyOptions {
        issuer: vec!["other".into(), "https://auth.example".into()],
        audience: vec!["admin".into()],
        subject: Some("user-1".into()),
        required_claims: vec!["role".into(), "iat".into()],
        ..Default::default()
    };
    assert!(verify(&t, &keys, &ok, NOW).is_ok());
    let cases = [
        (
            VerifyOptions {
                issuer: vec!["x".into()],
                ..ok.clone()
            },
            ErrorCode::ClaimMismatch,
        ),
        (
            VerifyOptions {
                audience: vec!["web".into()],
                ..ok.clone()
            },
            ErrorCode::ClaimMismatch,
        ),
        (
            VerifyOptions {
                subject: Some("user-2".into()),
                ..ok.clone()
            },
            ErrorCode::ClaimMismatch,
        ),
        (
            VerifyOptions {
                required_claims: vec!["jti".into()],
                ..ok.clone()
            },
            ErrorCode::ClaimMissing,
        ),
    ];
    for (opts, expected) in cases {
        assert_eq!(code(&t, &keys, &opts, NOW), expected, "{opts:?}");
    }
    let bare = token(&key, json!({}), SignOptions::default());
    for opts in [
        VerifyOptions {
            issuer: vec!["x".into()],
            ..Default::default()
        },
        VerifyOptions {
            audience: vec!["x".into()],
            ..Default::default()
        },
        VerifyOptions {
            subject: Some("x".into()),
            ..Default::default()
        },
    ] {
        assert_eq!(code(&bare, &keys, &opts, NOW), ErrorCode::ClaimMissing);
    }
    let single_aud = token(
        &key,
        json!({}),
        SignOptions {
            audience: vec!["api".into()],
            ..Default::default()
        },
    );
    let claims = verify(
        &single_aud,
        &keys,
        &VerifyOptions {
            audience: vec!["api".into()],
            ..Default::default()
        },
        NOW,
    )
    .unwrap()
    .claims()
    .unwrap();
    assert_eq!(claims["aud"], "api");
}

#[test]
fn typ_is_compared_per_rfc8725() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let access = token(
        &key,
        json!({}),
        SignOptions {
            typ: Some("at+jwt".into()),
            ..Default::default()
        },
    );
    for expected in ["at+jwt", "AT+JWT", "application/at+jwt"] {
        let opts = VerifyOptions {
            typ: Some(expected.into()),
            ..Default::default()
        };
        assert!(verify(&access, &keys, &opts, NOW).is_ok(), "{expected}");
    }
    let refresh_only = VerifyOptions {
        typ: Some("rt+jwt".into()),
        ..Default::default()
    };
    assert_eq!(
        code(&access, &keys, &refresh_only, NOW),
        ErrorCode::TokenTypeMismatch
    );
    let untyped = token(&key, json!({}), SignOptions::default());
    let access_only = VerifyOptions {
        typ: Some("at+jwt".into()),
        ..Default::default()
    };
    assert_eq!(
        code(&untyped, &keys, &access_only, NOW),
        ErrorCode::TokenTypeMismatch
    );
}

#[test]
fn max_token_age() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let t = token(&key, json!({}), SignOptions::default()); // iat = NOW
    let opts = VerifyOptions {
        max_token_age: Some(300),
        ..Default::default()
    };
    assert!(verify(&t, &keys, &opts, NOW + 300).is_ok());
    assert_eq!(code(&t, &keys, &opts, NOW + 301), ErrorCode::TokenTooOld);
    assert_eq!(code(&t, &keys, &opts, NOW - 1), ErrorCode::ClaimInvalid); // iat in the future
    let no_iat = token(
        &key,
        json!({}),
        SignOptions {
            issued_at: false,
            ..Default::default()
        },
    );
    assert_eq!(code(&no_iat, &keys, &opts, NOW), ErrorCode::ClaimMissing);
}

#[test]
fn crit_with_unknown_extension_is_rejected() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let t = forge(
        &key,
        json!({"alg": "HS256", "crit": ["exp"], "exp": 1}),
        json!({}),
    );
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::CritUnsupported
    );
    let t = forge(&key, json!({"alg": "HS256", "crit": []}), json!({}));
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::MalformedToken
    );
    let t = forge(&key, json!({"alg": "HS256", "crit": "b64"}), json!({}));
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::MalformedToken
    );
}

#[test]
fn alg_none_and_disallowed_algorithms() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"none"}"#);
    let body = Base64UrlUnpadded::encode_string(br#"{"sub":"admin"}"#);
    // An unsecured JWT's empty signature is valid syntax (RFC 7515 §7.1, RFC 7519 §6.1): the
    // verdict is about its algorithm.
    assert_eq!(
        code(
            &format!("{header}.{body}."),
            &keys,
            &VerifyOptions::default(),
            NOW
        ),
        ErrorCode::AlgNotAllowed
    );
    assert_eq!(
        code(
            &format!("{header}.{body}.AAAA"),
            &keys,
            &VerifyOptions::default(),
            NOW
        ),
        ErrorCode::AlgNotAllowed
    );
    let t = token(&key, json!({}), SignOptions::default());
    let only_eddsa = VerifyOptions {
        algorithms: Some(vec![Algorithm::Hs512]),
        ..Default::default()
    };
    assert_eq!(code(&t, &keys, &only_eddsa, NOW), ErrorCode::AlgNotAllowed);
    let missing_alg = forge(&key, json!({"typ": "JWT"}), json!({}));
    assert_eq!(
        code(&missing_alg, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::MalformedToken
    );
}

#[cfg(feature = "rust-eddsa")]
#[test]
fn algorithm_confusion_public_key_as_hmac_secret_fails() {
    // The classic attack: take the verifier's public key bytes and HMAC-sign with them.
    let ed = Key::generate(Algorithm::EdDsa, Some("ed".into())).unwrap();
    let public_jwk = ed.to_public_jwk().unwrap();
    let x = Base64UrlUnpadded::decode_vec(public_jwk["x"].as_str().unwrap()).unwrap();
    let mut secret = x.clone();
    secret.extend_from_slice(&x); // 64 bytes, long enough for any HMAC
    let attacker = Key::hmac(Algorithm::Hs256, &secret, Some("ed".into())).unwrap();
    let forged = token(&attacker, json!({"sub": "admin"}), SignOptions::default());
    let keys = KeySet::from(Key::from_jwk(&public_jwk, None, None).unwrap());
    assert_eq!(
        code(&forged, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::AlgNotAllowed
    );
    // Even when the caller lists HS256 as allowed, the key's own binding wins.
    let opts = VerifyOptions {
        algorithms: Some(vec![Algorithm::Hs256, Algorithm::EdDsa]),
        ..Default::default()
    };
    assert_eq!(code(&forged, &keys, &opts, NOW), ErrorCode::AlgNotAllowed);
}

#[cfg(feature = "rust-eddsa")]
#[test]
fn embedded_jwk_header_is_never_trusted() {
    let attacker = Key::generate(Algorithm::EdDsa, Some("ed".into())).unwrap();
    let victim = Key::generate(Algorithm::EdDsa, Some("ed".into())).unwrap();
    let jwk = attacker.to_public_jwk().unwrap();
    // Hand-build a header with the attacker's key embedded, signed by the attacker.
    let mut claims = Map::new();
    claims.insert("sub".into(), json!("admin"));
    let honest = sign(&attacker, claims, &SignOptions::default(), NOW).unwrap();
    let payload = honest.split('.').nth(1).unwrap();
    for (name, value) in [
        ("jwk", jwk.clone()),
        ("jku", json!("https://evil.example/jwks")),
        ("x5u", json!("https://evil.example/cert")),
        ("x5c", json!(["MIIB"])),
    ] {
        let header = json!({"alg": "EdDSA", "kid": "ed", name: value});
        let header = Base64UrlUnpadded::encode_string(header.to_string().as_bytes());
        let input = format!("{header}.{payload}");
        let sig = attacker_sign(&attacker, &input);
        let t = format!("{input}.{sig}");
        let keys = KeySet::from(victim.clone());
        assert_eq!(
            code(&t, &keys, &VerifyOptions::default(), NOW),
            ErrorCode::InvalidSignature,
            "{name}"
        );
    }
}

#[cfg(feature = "rust-eddsa")]
fn attacker_sign(key: &Key, input: &str) -> String {
    let d = key.to_private_jwk().unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    let seed: [u8; 32] = Base64UrlUnpadded::decode_vec(&d)
        .unwrap()
        .try_into()
        .unwrap();
    let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
    Base64UrlUnpadded::encode_string(pair.sk.sign(input.as_bytes(), None).as_ref())
}

#[test]
fn key_selection_by_kid() {
    let a = Key::hmac(Algorithm::Hs256, &[1u8; 32], Some("a".into())).unwrap();
    let b = Key::hmac(Algorithm::Hs256, &[2u8; 32], Some("b".into())).unwrap();
    let mut keys = KeySet::new();
    keys.insert(a.clone()).unwrap();
    keys.insert(b.clone()).unwrap();
    assert_eq!(
        keys.insert(a.clone()).unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    for key in [&a, &b] {
        let t = token(key, json!({}), SignOptions::default());
        assert!(verify(&t, &keys, &VerifyOptions::default(), NOW).is_ok());
    }
    let c = Key::hmac(Algorithm::Hs256, &[3u8; 32], Some("c".into())).unwrap();
    let t = token(&c, json!({}), SignOptions::default());
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::KeyNotFound
    );
    // No kid and two candidate keys: ambiguous, refused.
    let anon = Key::hmac(Algorithm::Hs256, &[1u8; 32], None).unwrap();
    let t = token(&anon, json!({}), SignOptions::default());
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::KeyNotFound
    );
    // Same kid, wrong secret.
    let impostor = Key::hmac(Algorithm::Hs256, &[9u8; 32], Some("a".into())).unwrap();
    let t = token(&impostor, json!({}), SignOptions::default());
    assert_eq!(
        code(&t, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::InvalidSignature
    );
}

#[test]
fn token_length_cap_applies_before_decoding() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let big = token(
        &key,
        json!({"blob": "x".repeat(9000)}),
        SignOptions::default(),
    );
    assert_eq!(
        code(&big, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::TokenTooLarge
    );
    let roomy = VerifyOptions {
        max_token_length: 64 * 1024,
        ..Default::default()
    };
    assert!(verify(&big, &keys, &roomy, NOW).is_ok());
    let tight = VerifyOptions {
        max_token_length: 10,
        ..Default::default()
    };
    assert_eq!(
        code("not even a token at all", &keys, &tight, NOW),
        ErrorCode::TokenTooLarge
    );
}

#[test]
fn header_and_payload_must_be_objects() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let array_payload = forge(&key, json!({"alg": "HS256"}), json!([1, 2]));
    assert_eq!(
        code(&array_payload, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::MalformedToken
    );
    let bad_kid = forge(&key, json!({"alg": "HS256", "kid": 5}), json!({}));
    assert_eq!(
        code(&bad_kid, &keys, &VerifyOptions::default(), NOW),
        ErrorCode::MalformedToken
    );
}

#[test]
fn sign_options_set_registered_claims_and_header() {
    let key = hs256();
    let t = token(
        &key,
        json!({"exp": 1, "custom": [1, 2]}),
        SignOptions {
            typ: Some("at+jwt".into()),
            expires_in: Some(900),
            not_before_in: Some(5),
            random_jti: true,
            ..Default::default()
        },
    );
    let decoded = decode_unverified(&t).unwrap();
    assert_eq!(decoded.header["alg"], "HS256");
    assert_eq!(decoded.header["kid"], "hs");
    assert_eq!(decoded.header["typ"], "at+jwt");
    assert_eq!(decoded.claims["exp"], NOW + 900);
    assert_eq!(decoded.claims["nbf"], NOW + 5);
    assert_eq!(decoded.claims["iat"], NOW);
    assert_eq!(decoded.claims["custom"], json!([1, 2]));
    assert_eq!(decoded.claims["jti"].as_str().map(str::len), Some(22));
    let other = decode_unverified(&token(
        &key,
        json!({}),
        SignOptions {
            random_jti: true,
            ..Default::default()
        },
    ))
    .unwrap();
    assert_ne!(decoded.claims["jti"], other.claims["jti"]);
}

#[test]
fn decode_unverified_is_structural_only() {
    let key = hs256();
    let t = token(&key, json!({"exp": NOW - 5}), SignOptions::default());
    let tampered = format!("{}AAAA", &t[..t.len() - 4]);
    // Expired and badly signed, yet readable: that is exactly why it is named "unverified".
    assert_eq!(decode_unverified(&tampered).unwrap().claims["exp"], NOW - 5);
    assert_eq!(
        decode_unverified("a.b").unwrap_err().code(),
        ErrorCode::MalformedToken
    );
}

#[test]
fn two_phase_verification_reads_claims_only_after_the_signature() {
    use jwt_refresh::begin_verify;
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let expired = token(&key, json!({"exp": NOW - 10}), SignOptions::default());
    let pending = begin_verify(&expired, &keys, &VerifyOptions::default()).unwrap();
    assert_eq!(pending.key().kid(), Some("hs"));
    assert_eq!(pending.signature().len(), 32);
    assert!(expired.as_bytes().starts_with(pending.signing_input()));
    // A failed external check wins over everything the claims would say.
    let err = pending
        .finish(false, &VerifyOptions::default(), NOW)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSignature);
    let pending = begin_verify(&expired, &keys, &VerifyOptions::default()).unwrap();
    let err = pending
        .finish(true, &VerifyOptions::default(), NOW)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenExpired);
    // Everything before the signature is checked by begin_verify itself.
    let strict = VerifyOptions {
        algorithms: Some(vec![Algorithm::Hs512]),
        ..Default::default()
    };
    assert_eq!(
        begin_verify(&expired, &keys, &strict).unwrap_err().code(),
        ErrorCode::AlgNotAllowed
    );
}

#[test]
fn registered_members_named_twice_are_malformed_others_pass_through() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let opts = VerifyOptions::default();
    let header = header_hs();
    // A later `exp` must not hide an earlier, expired one (or the reverse): refused outright.
    let twice = forge_text(
        &key,
        header,
        &format!(r#"{{"exp":{},"exp":{}}}"#, NOW - 1, NOW + 60),
    );
    assert_eq!(code(&twice, &keys, &opts, NOW), ErrorCode::MalformedToken);
    let alg_twice = forge_text(&key, r#"{"alg":"none","alg":"HS256"}"#, "{}");
    assert_eq!(
        code(&alg_twice, &keys, &opts, NOW),
        ErrorCode::MalformedToken
    );
    // Members verification does not read are handed on as sent.
    let custom_twice = forge_text(&key, header, r#"{"role":"a","role":"b","sub":"x"}"#);
    let verified = verify(&custom_twice, &keys, &opts, NOW).unwrap();
    assert_eq!(
        verified.claims_json(),
        r#"{"role":"a","role":"b","sub":"x"}"#
    );
    assert_eq!(verified.claims().unwrap()["role"], "b");
    assert_eq!(verified.header().unwrap()["kid"], "hs");
}

#[test]
fn escaped_member_names_are_the_names_they_spell() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let opts = VerifyOptions::default();
    let escaped = forge_text(
        &key,
        r#"{"\u0061lg":"HS256","kid":"hs"}"#,
        &format!(r#"{{"\u0065xp":{}}}"#, NOW - 1),
    );
    assert_eq!(code(&escaped, &keys, &opts, NOW), ErrorCode::TokenExpired);
    let required = VerifyOptions {
        required_claims: vec!["role".into(), "sub".into()],
        ..Default::default()
    };
    let named = forge_text(&key, header_hs(), r#"{"r\u006fle":1,"sub":"x"}"#);
    assert!(verify(&named, &keys, &required, NOW).is_ok());
    let without_sub = forge_text(&key, header_hs(), r#"{"role":1,"subject":"x"}"#);
    assert_eq!(
        code(&without_sub, &keys, &required, NOW),
        ErrorCode::ClaimMissing
    );
}

fn header_hs() -> &'static str {
    r#"{"alg":"HS256","kid":"hs"}"#
}

#[test]
fn string_claims_read_from_the_verified_text() {
    let key = hs256();
    let t = forge_text(&key, header_hs(), r#"{"sub":"a\"b","sid":7}"#);
    let verified = verify(&t, &key, &VerifyOptions::default(), NOW).unwrap();
    let [sub, team] = verified.string_claims(["sub", "team"]).unwrap();
    assert_eq!((sub.as_deref(), team), (Some("a\"b"), None));
    let err = verified.string_claims(["sid"]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ClaimInvalid);
}

#[test]
fn key_binding_rules_for_tokens_without_a_proof() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    // Any confirmation method binds the token (RFC 7800): DPoP's jkt, mTLS's x5t#S256.
    let jkt = token(&key, json!({"cnf": {"jkt": "abc"}}), SignOptions::default());
    let mtls = token(
        &key,
        json!({"cnf": {"x5t#S256": "abc"}}),
        SignOptions::default(),
    );
    let plain = token(&key, json!({"sub": "a"}), SignOptions::default());
    let expired = token(
        &key,
        json!({"cnf": {"jkt": "abc"}, "exp": NOW}),
        SignOptions::default(),
    );
    let unchecked = VerifyOptions::default();
    for t in [&jkt, &mtls, &plain] {
        assert!(verify(t, &keys, &unchecked, NOW).is_ok());
    }
    let refuse_bound = VerifyOptions {
        refuse_bound: true,
        ..Default::default()
    };
    for t in [&jkt, &mtls] {
        assert_eq!(
            code(t, &keys, &refuse_bound, NOW),
            ErrorCode::InvalidDpopProof
        );
    }
    assert!(verify(&plain, &keys, &refuse_bound, NOW).is_ok());
    // The token's own faults come first: an expired bound token is expired.
    assert_eq!(
        code(&expired, &keys, &refuse_bound, NOW),
        ErrorCode::TokenExpired
    );
    let refuse_all = VerifyOptions {
        refuse_bound: true,
        refuse_unbound: true,
        ..Default::default()
    };
    for t in [&jkt, &plain] {
        assert_eq!(
            code(t, &keys, &refuse_all, NOW),
            ErrorCode::InvalidDpopProof
        );
    }
    // `cnf` is read with the registered claims: twice is refused, as they are.
    let twice = forge_text(
        &key,
        r#"{"alg":"HS256"}"#,
        r#"{"cnf":{"jkt":"a"},"cnf":{"jkt":"b"}}"#,
    );
    assert_eq!(
        code(&twice, &keys, &unchecked, NOW),
        ErrorCode::MalformedToken
    );
}

/// A header seen before is not read again, but every check of it still runs: against each
/// verifier's own options and keys, and for a token whose signature is someone else's.
#[test]
fn a_header_seen_before_is_checked_again_for_every_verifier() {
    let key = hs256();
    let keys = KeySet::from(key.clone());
    let header = json!({"alg": "HS256", "kid": "hs", "typ": "at+jwt"});
    let good = forge(&key, header.clone(), json!({"sub": "u"}));
    let plain = VerifyOptions::default();
    assert!(verify(&good, &keys, &plain, NOW).is_ok());
    // The same header text again, each time under options or keys that refuse it.
    let hs384_only = VerifyOptions {
        algorithms: Some(vec![Algorithm::Hs384]),
        ..VerifyOptions::default()
    };
    assert_eq!(
        code(&good, &keys, &hs384_only, NOW),
        ErrorCode::AlgNotAllowed
    );
    let refresh_only = VerifyOptions {
        typ: Some("rt+jwt".into()),
        ..VerifyOptions::default()
    };
    assert_eq!(
        code(&good, &keys, &refresh_only, NOW),
        ErrorCode::TokenTypeMismatch
    );
    let other_kid =
        KeySet::from(Key::hmac(Algorithm::Hs256, &[42u8; 32], Some("x".into())).unwrap());
    assert_eq!(code(&good, &other_kid, &plain, NOW), ErrorCode::KeyNotFound);
    let other_secret = Key::hmac(Algorithm::Hs256, &[7u8; 32], Some("hs".into())).unwrap();
    let forged = forge(&other_secret, header, json!({"sub": "u"}));
    assert_eq!(
        code(&forged, &keys, &plain, NOW),
        ErrorCode::InvalidSignature
    );
    // And what it read is the same: the verified header is the token's own.
    let verified = verify(&good, &keys, &plain, NOW).unwrap();
    assert_eq!(
        verified.header_json(),
        r#"{"alg":"HS256","kid":"hs","typ":"at+jwt"}"#
    );
}
