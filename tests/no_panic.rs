//! Property tests: no input makes verify or decode panic, and no mutation of a signed
//! token verifies (a panic in wasm would kill the whole worker isolate).
#![cfg(not(target_arch = "wasm32"))]

use jwt_refresh::{
    decode_unverified, sign, verify, Algorithm, Key, KeySet, SignOptions, VerifyOptions,
};
use proptest::prelude::*;
use serde_json::Map;

fn keys() -> Vec<Key> {
    let mut keys = vec![Key::hmac(Algorithm::Hs256, &[5u8; 32], Some("h".into())).unwrap()];
    for alg in Algorithm::ALL.iter().copied().filter(|a| !a.is_symmetric()) {
        if let Ok(key) = Key::generate(alg, None) {
            keys.push(key);
        }
    }
    keys
}

fn signed(key: &Key) -> String {
    let mut claims = Map::new();
    claims.insert("sub".into(), "user".into());
    sign(
        key,
        claims,
        &SignOptions {
            expires_in: Some(60),
            ..Default::default()
        },
        1000,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(input in ".{0,300}") {
        let keys = KeySet::from(keys().remove(0));
        let _ = verify(&input, &keys, &VerifyOptions::default(), 1000);
        let _ = decode_unverified(&input);
    }

    #[test]
    fn token_shaped_strings_never_panic(
        parts in proptest::collection::vec("[A-Za-z0-9_=+/ -]{0,60}", 0..5)
    ) {
        let input = parts.join(".");
        for key in keys() {
            let _ = verify(&input, &KeySet::from(key), &VerifyOptions::default(), 1000);
        }
        let _ = decode_unverified(&input);
    }

    #[test]
    fn mutated_tokens_never_verify(index in any::<prop::sample::Index>(), byte in 0x21u8..0x7f) {
        for key in keys() {
            let token = signed(&key);
            let mut bytes = token.clone().into_bytes();
            let at = index.index(bytes.len());
            prop_assume!(bytes[at] != byte);
            bytes[at] = byte;
            let mutated = String::from_utf8(bytes).unwrap();
            let keys = KeySet::from(key);
            prop_assert!(verify(&mutated, &keys, &VerifyOptions::default(), 1000).is_err(),
                "mutation at {} verified: {}", at, mutated);
            prop_assert!(verify(&token, &keys, &VerifyOptions::default(), 1000).is_ok());
        }
    }

    #[test]
    fn truncated_and_extended_tokens_never_verify(cut in 0usize..400, extra in "[A-Za-z0-9_.-]{1,8}") {
        for key in keys() {
            let token = signed(&key);
            let keys = KeySet::from(key);
            let short = &token[..cut.min(token.len() - 1)];
            prop_assert!(verify(short, &keys, &VerifyOptions::default(), 1000).is_err());
            let long = format!("{token}{extra}");
            prop_assert!(verify(&long, &keys, &VerifyOptions::default(), 1000).is_err());
        }
    }

    #[test]
    fn arbitrary_jwks_never_panic(json in "\\{(\"[a-z]{1,3}\":\"[A-Za-z0-9_-]{0,90}\",?){0,6}\\}") {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            let _ = Key::from_jwk(&value, None, None);
        }
        for kty in ["oct", "OKP", "EC", "RSA"] {
            let value = serde_json::json!({"kty": kty, "crv": "P-256", "x": json.clone(), "y": "", "k": json.clone(), "alg": "HS256"});
            let _ = Key::from_jwk(&value, None, None);
        }
        // Private parts too (an all-zero Ed25519 seed once panicked inside ed25519-compact).
        for (kty, crv) in [("OKP", "Ed25519"), ("EC", "P-256")] {
            let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
            let value = serde_json::json!({"kty": kty, "crv": crv, "x": x, "y": x, "d": json.clone()});
            let _ = Key::from_jwk(&value, None, None);
        }
    }
}
