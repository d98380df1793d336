//! Asymmetric JWKs as the default build takes them: checked for shape in Rust (curves,
//! lengths, modulus size, exponent, weak Ed25519 points, the members a private key needs),
//! exported and thumbprinted without any crypto of their own, and refused for synchronous use
//! unless a `rust-*` feature brings an implementation.
#![cfg(not(target_arch = "wasm32"))]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_refresh::{Algorithm, ErrorCode, Key};
use serde_json::{json, Value};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A modulus of exactly `bits` bits (top bit set), odd.
fn modulus(bits: usize) -> String {
    let mut n = vec![0xa5; bits.div_ceil(8)];
    let top_bits = bits - (n.len() - 1) * 8;
    n[0] = 1 << (top_bits - 1);
    n[0] |= 1;
    *n.last_mut().unwrap() |= 1;
    b64(&n)
}

#[track_caller]
fn refused(jwk: Value, alg: Option<Algorithm>, says: &str) {
    let err = Key::from_jwk(&jwk, alg, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidKey, "{jwk}");
    assert!(
        err.message().contains(says),
        "{jwk}: {:?} should say {says:?}",
        err.message()
    );
}

#[test]
fn rsa_moduli_from_2048_to_16384_bits_are_taken_and_others_refused() {
    for bits in [2048, 3072, 4096, 16384] {
        let jwk = json!({"kty": "RSA", "alg": "PS384", "n": modulus(bits), "e": "AQAB"});
        let key = Key::from_jwk(&jwk, None, None).unwrap();
        assert_eq!(key.algorithm(), Algorithm::Ps384);
        assert!(!key.can_sign());
    }
    refused(
        json!({"kty": "RSA", "alg": "RS256", "n": modulus(2047), "e": "AQAB"}),
        None,
        "at least 2048 bits; this one has 2047",
    );
    refused(
        json!({"kty": "RSA", "alg": "RS256", "n": modulus(16385), "e": "AQAB"}),
        None,
        "at most 16384 bits",
    );
    // A leading zero byte is not a bit: 2047 bits with one is still 2047.
    let mut padded = vec![0];
    padded.extend(URL_SAFE_NO_PAD.decode(modulus(2047)).unwrap());
    refused(
        json!({"kty": "RSA", "alg": "RS256", "n": b64(&padded), "e": "AQAB"}),
        None,
        "this one has 2047",
    );
    refused(
        json!({"kty": "RSA", "alg": "RS256", "n": "AAAA", "e": "AQAB"}),
        None,
        "this one has 0",
    );
}

#[test]
fn rsa_keys_name_their_algorithm_and_have_a_sane_exponent() {
    let n = modulus(2048);
    refused(
        json!({"kty": "RSA", "n": n, "e": "AQAB"}),
        None,
        "needs alg RS256",
    );
    refused(
        json!({"kty": "RSA", "n": n, "e": "AQAB"}),
        Some(Algorithm::Es256),
        "needs alg RS256",
    );
    for e in ["AQ", "AQAA", "", "AQEBAQEBAQEB"] {
        refused(
            json!({"kty": "RSA", "alg": "RS256", "n": n, "e": e}),
            None,
            "odd public exponent",
        );
    }
    refused(
        json!({"kty": "RSA", "alg": "RS256", "n": n, "e": "AQAB", "oth": []}),
        None,
        "multi-prime",
    );
    // A private key brings every member a host needs to import it.
    let d = b64(&[3; 256]);
    refused(
        json!({"kty": "RSA", "alg": "RS256", "n": n, "e": "AQAB", "d": d, "p": "Aw", "q": "Aw"}),
        None,
        "\"dp\"",
    );
}

#[test]
fn ec_keys_take_their_algorithm_from_the_curve_and_full_length_members() {
    for (crv, len, alg) in [
        ("P-256", 32, Algorithm::Es256),
        ("P-384", 48, Algorithm::Es384),
        ("P-521", 66, Algorithm::Es512),
    ] {
        // RFC 7515 A.3's P-256 point (a `rust-es256` build checks it is on the curve); the
        // others are checked by the host only.
        let (x, y) = match crv {
            "P-256" => (
                "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU".to_owned(),
                "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0".to_owned(),
            ),
            _ => (b64(&vec![1; len]), b64(&vec![2; len])),
        };
        let point = y.clone();
        let jwk = json!({"kty": "EC", "crv": crv, "x": x, "y": y});
        let key = Key::from_jwk(&jwk, None, Some("e".into())).unwrap();
        assert_eq!(key.algorithm(), alg);
        let public = key.to_public_jwk().unwrap();
        assert_eq!(
            (public["crv"].as_str(), public["alg"].as_str()),
            (Some(crv), Some(alg.name()))
        );
        let short = b64(&vec![1; len - 1]);
        refused(
            json!({"kty": "EC", "crv": crv, "x": short, "y": point}),
            None,
            &format!("x of a {crv} key must be {len} bytes, not {}", len - 1),
        );
        refused(
            json!({"kty": "EC", "crv": crv, "x": point, "y": point, "d": short}),
            None,
            "d of a",
        );
        let other = if alg == Algorithm::Es256 {
            Algorithm::Es384
        } else {
            Algorithm::Es256
        };
        refused(jwk, Some(other), "is bound to");
    }
    refused(
        json!({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}),
        None,
        "not supported",
    );
}

#[test]
fn ed25519_keys_refuse_weak_points_and_other_curves() {
    let x = |bytes: [u8; 32]| json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&bytes)});
    let mut identity = [0; 32];
    identity[0] = 1;
    refused(x(identity), None, "small-order");
    refused(x([0; 32]), None, "small-order");
    let mut p_plus_1 = [0xff; 32];
    p_plus_1[0] = 0xee;
    p_plus_1[31] = 0x7f;
    refused(x(p_plus_1), None, "small-order");
    let mut non_canonical = [0xff; 32];
    non_canonical[0] = 0xf0;
    refused(x(non_canonical), None, "canonical");
    let fine = [9; 32];
    assert_eq!(
        Key::from_jwk(&x(fine), None, None).unwrap().algorithm(),
        Algorithm::EdDsa
    );
    refused(x(fine), Some(Algorithm::Es256), "bound to EdDSA");
    refused(
        json!({"kty": "OKP", "crv": "Ed448", "x": b64(&[9; 57])}),
        None,
        "Ed25519",
    );
    refused(
        json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&[9; 31])}),
        None,
        "32 bytes",
    );
}

#[test]
fn thumbprints_follow_rfc_7638_and_8037_without_any_crypto_of_our_own() {
    // RFC 7638 §3.1.
    let rsa = json!({"kty": "RSA", "alg": "RS256",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB"});
    let key = Key::from_jwk(&rsa, None, None).unwrap();
    assert_eq!(
        key.thumbprint().unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // Without a declared kid, the thumbprint is the key's id for publishing.
    assert_eq!(
        key.kid(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
    // RFC 8037 A.3.
    let ed = json!({"kty": "OKP", "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    assert_eq!(
        Key::from_jwk(&ed, None, None)
            .unwrap()
            .thumbprint()
            .unwrap(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn private_members_never_reach_the_public_jwk() {
    // RFC 8037 A.1.
    let d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "k",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": d});
    let key = Key::from_jwk(&jwk, None, None).unwrap();
    assert!(key.can_sign());
    let public = key.to_public_jwk().unwrap();
    assert!(public.get("d").is_none());
    assert_eq!(key.to_private_jwk().unwrap()["d"], d);
    // Verify-only by key_ops: no private export, no signing.
    let mut verify_only = jwk.clone();
    verify_only["key_ops"] = json!(["verify"]);
    let key = Key::from_jwk(&verify_only, None, None).unwrap();
    assert!(!key.can_sign());
    assert!(key.to_private_jwk().unwrap().get("d").is_none());
}

/// Without an implementation of its own, the native API says what to use instead.
#[cfg(not(feature = "rust-eddsa"))]
#[test]
fn a_host_algorithm_used_natively_is_async_required() {
    use jwt_refresh::{sign, verify, SignOptions, VerifyOptions};
    let d = b64(&[5; 32]);
    let jwk = json!({"kty": "OKP", "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": d});
    let key = Key::from_jwk(&jwk, None, None).unwrap();
    let err = sign(&key, Default::default(), &SignOptions::default(), 0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AsyncRequired);
    assert!(err.message().contains("rust-*"), "{}", err.message());
    let token = "eyJhbGciOiJFZERTQSJ9.e30.".to_owned() + &"A".repeat(86);
    let err = verify(&token, &key, &VerifyOptions::default(), 0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AsyncRequired);
    assert_eq!(
        Key::generate(Algorithm::EdDsa, None).unwrap_err().code(),
        ErrorCode::AsyncRequired
    );
}

#[test]
fn a_jwks_skips_keys_for_other_uses_and_names_a_malformed_one() {
    use jwt_refresh::KeySet;
    let ed = |kid: &str| {
        json!({"kty": "OKP", "crv": "Ed25519", "kid": kid,
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})
    };
    let n = modulus(2048);
    let mut keys = vec![
        ed("sig"),
        json!({"kty": "RSA", "kid": "entra", "n": n, "e": "AQAB"}),
    ];
    let skipped = [
        json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": n, "e": "AQAB"}),
        json!({"kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP-256", "n": n, "e": "AQAB"}),
        json!({"kty": "RSA", "kid": "wrap", "key_ops": ["wrapKey"], "n": n, "e": "AQAB"}),
        json!({"kty": "EC", "kid": "k1", "crv": "secp256k1", "x": "AA", "y": "AA"}),
        json!({"kty": "OKP", "kid": "x", "crv": "X25519", "x": "AA"}),
        json!({"kty": "EC", "kid": "es256k", "alg": "ES256K", "crv": "P-256", "x": "AA", "y": "AA"}),
    ];
    keys.extend(skipped);
    let set = KeySet::from_jwks(&json!({ "keys": keys })).unwrap();
    let published = set.to_jwks().unwrap();
    let kids: Vec<_> = published["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["kid"].as_str().unwrap(), k["alg"].as_str().unwrap()))
        .collect();
    assert_eq!(kids, [("sig", "EdDSA"), ("entra", "RS256")]);
    // A signing key of the wrong shape is not skipped: the error names it.
    keys.push(json!({"kty": "EC", "kid": "broken", "crv": "P-256", "x": "AA", "y": "AA"}));
    let err = KeySet::from_jwks(&json!({ "keys": keys })).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert!(
        err.message()
            .starts_with("key 8 of the JWKS (\"broken\"): x of a P-256"),
        "{}",
        err.message()
    );
}

#[test]
fn a_jwk_may_name_ed25519_by_its_fully_specified_alg() {
    // RFC 9864: WebCrypto exports Ed25519 keys with `alg: "Ed25519"`.
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "alg": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let key = Key::from_jwk(&jwk, Some(Algorithm::EdDsa), None).unwrap();
    assert_eq!(key.algorithm(), Algorithm::EdDsa);
    assert_eq!(key.to_public_jwk().unwrap()["alg"], "EdDSA");
    refused(jwk, Some(Algorithm::Es256), "bound to EdDSA");
}
