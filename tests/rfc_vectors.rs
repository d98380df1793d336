//! Published vectors: RFC 7515 A.1 (HS256), A.3 (ES256) and RFC 8037 A.4 (Ed25519).
#![cfg(not(target_arch = "wasm32"))]

use jwt_refresh::{verify, ErrorCode, Key, KeySet, VerifyOptions};
use serde_json::json;

// Both RFC 7515 examples carry exp = 1300819380 (2011-03-22).
const BEFORE_EXP: i64 = 1_300_819_379;

fn flip_last_signature_char(token: &str) -> String {
    let mut s = token.to_owned();
    let last = s.pop().unwrap();
    s.push(if last == 'A' { 'Q' } else { 'A' });
    s
}

#[test]
fn rfc7515_a1_hs256() {
    let key = Key::from_jwk(
        &json!({"kty": "oct", "alg": "HS256",
            "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}),
        None,
        None,
    )
    .unwrap();
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
        eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
        dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let keys = KeySet::from(key);
    let verified = verify(token, &keys, &VerifyOptions::default(), BEFORE_EXP).unwrap();
    assert_eq!(verified.claims().unwrap()["iss"], "joe");
    assert_eq!(
        verified.claims().unwrap()["http://example.com/is_root"],
        true
    );
    assert_eq!(verified.header().unwrap()["typ"], "JWT");
    let err = verify(token, &keys, &VerifyOptions::default(), BEFORE_EXP + 1).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenExpired);
    let err = verify(
        &flip_last_signature_char(token),
        &keys,
        &VerifyOptions::default(),
        BEFORE_EXP,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSignature);
}

#[cfg(feature = "rust-es256")]
#[test]
fn rfc7515_a3_es256() {
    let jwk = json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"});
    let key = Key::from_jwk(&jwk, None, None).unwrap();
    assert!(key.can_sign());
    let token = "eyJhbGciOiJFUzI1NiJ9.\
        eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
        DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    // Verify with the public half only, as a relying party would.
    let public = Key::from_jwk(&key.to_public_jwk().unwrap(), None, None).unwrap();
    assert!(!public.can_sign());
    let keys = KeySet::from(public);
    let verified = verify(token, &keys, &VerifyOptions::default(), BEFORE_EXP).unwrap();
    assert_eq!(verified.claims().unwrap()["iss"], "joe");
    let err = verify(
        &flip_last_signature_char(token),
        &keys,
        &VerifyOptions::default(),
        BEFORE_EXP,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSignature);
}

#[cfg(feature = "rust-eddsa")]
#[test]
fn rfc8037_a4_ed25519() {
    let jwk = json!({"kty": "OKP", "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let key = Key::from_jwk(&jwk, None, None).unwrap();
    // RFC 8037 A.3: the thumbprint of this key.
    assert_eq!(
        key.thumbprint().unwrap(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        key.kid(),
        Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    );
    // The A.4 payload is the text "Example of Ed25519 signing", not a JSON object:
    // the signature verifies, then the payload is refused as a JWT claims set.
    let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.\
        hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let keys = KeySet::from(key);
    let err = verify(token, &keys, &VerifyOptions::default(), 0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MalformedToken);
    assert!(err.message().contains("payload"), "{err}");
    let err = verify(
        &flip_last_signature_char(token),
        &keys,
        &VerifyOptions::default(),
        0,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSignature);
}

/// Imports check what they take in: curve, lengths, point on the curve, and a private part
/// that belongs to the public one.
#[cfg(all(feature = "rust-eddsa", feature = "rust-es256"))]
#[test]
fn jwk_imports_refuse_inconsistent_keys() {
    let refused = |jwk: serde_json::Value| {
        let err = Key::from_jwk(&jwk, None, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{jwk}");
        err.message().to_owned()
    };
    let ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let ed_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    let other_d = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
    assert!(
        refused(json!({"kty": "OKP", "crv": "Ed25519", "x": ed_x, "d": other_d})).contains("match")
    );
    refused(json!({"kty": "OKP", "crv": "X25519", "x": ed_x}));
    refused(json!({"kty": "OKP", "crv": "Ed25519", "x": &ed_x[..20]}));
    refused(json!({"kty": "OKP", "crv": "Ed25519", "x": format!("{ed_x}=")}));
    refused(json!({"kty": "OKP", "crv": "Ed25519"}));
    // An all-zero seed: a typed error, not ed25519-compact's panic (fatal in wasm).
    let zero_d = "A".repeat(43);
    assert!(
        refused(json!({"kty": "OKP", "crv": "Ed25519", "x": ed_x, "d": zero_d})).contains("seed")
    );
    refused(
        json!({"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "d": zero_d}),
    );
    assert!(Key::from_jwk(
        &json!({"kty": "OKP", "crv": "Ed25519", "x": ed_x, "d": ed_d}),
        None,
        None
    )
    .unwrap()
    .can_sign());

    let (x, y) = (
        "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    );
    assert!(
        refused(json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "d": ed_d})).contains("match")
    );
    refused(json!({"kty": "EC", "crv": "P-384", "x": x, "y": y}));
    // y taken from x: not a point on the curve.
    refused(json!({"kty": "EC", "crv": "P-256", "x": x, "y": x}));
    refused(json!({"kty": "EC", "crv": "P-256", "x": x}));
    refused(json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "alg": "EdDSA"}));
    refused(json!({"kty": "oct", "alg": "HS256", "k": "not base64!"}));
    refused(json!({"kty": "oct", "alg": "HS256"}));
    refused(
        json!({"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}),
    );
    refused(json!({"kty": "XYZ"}));
    refused(json!({"crv": "P-256", "x": x, "y": y}));
}

/// A private JWK exported is the published one imported, member for member, plus the `kid`
/// (given, or the RFC 7638 thumbprint), `alg` and `use: "sig"`.
#[cfg(all(feature = "rust-eddsa", feature = "rust-es256"))]
#[test]
fn private_jwks_export_the_published_keys_exactly() {
    let published = [
        json!({"kty": "oct",
            "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}),
        json!({"kty": "EC", "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
            "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}),
        json!({"kty": "OKP", "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}),
    ];
    for (jwk, alg) in published.iter().zip(["HS256", "ES256", "EdDSA"]) {
        let key = Key::from_jwk(
            jwk,
            jwt_refresh::Algorithm::parse(alg).ok(),
            Some("k1".into()),
        )
        .unwrap();
        let mut expected = jwk.clone();
        let members = expected.as_object_mut().unwrap();
        members.insert("kid".into(), "k1".into());
        members.insert("alg".into(), alg.into());
        members.insert("use".into(), "sig".into());
        assert_eq!(key.to_private_jwk().unwrap(), expected, "{alg}");
    }
    // RFC 8037 A.3: the Ed25519 thumbprint becomes the default kid.
    let key = Key::from_jwk(&published[2], None, None).unwrap();
    assert_eq!(
        key.to_private_jwk().unwrap()["kid"],
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}
