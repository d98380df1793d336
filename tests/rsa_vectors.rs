//! RS256 (RFC 7515 A.2) and RSA key rules, behind the `rsa` feature (verify only).
#![cfg(all(feature = "rust-rsa", not(target_arch = "wasm32")))]

use jwt_refresh::{verify, Algorithm, ErrorCode, Key, VerifyOptions};
use serde_json::json;

// RFC 7515 A.2.1: the public part of the example RSA key.
const N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

// RFC 7515 A.2: the RS256 JWS over the same payload as A.1.
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

#[test]
fn rfc7515_a2_rs256_verifies_with_the_public_key() {
    let key = Key::from_jwk(
        &json!({"kty": "RSA", "n": N, "e": "AQAB"}),
        Some(Algorithm::Rs256),
        None,
    )
    .unwrap();
    assert!(!key.can_sign());
    let keys = jwt_refresh::KeySet::from(key.clone());
    let verified = verify(TOKEN, &keys, &VerifyOptions::default(), 1_300_819_379).unwrap();
    assert_eq!(verified.claims().unwrap()["iss"], "joe");
    let tampered = TOKEN.replace(".cC4h", ".cC4i");
    assert_eq!(
        verify(&tampered, &keys, &VerifyOptions::default(), 1_300_819_379)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidSignature
    );
    // The same key bound to PS256 refuses the RS256 token.
    let ps = Key::from_jwk(
        &json!({"kty": "RSA", "n": N, "e": "AQAB"}),
        Some(Algorithm::Ps256),
        None,
    )
    .unwrap();
    let err = verify(TOKEN, &ps, &VerifyOptions::default(), 1_300_819_379).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlgNotAllowed);
    // In a set, keys are chosen by algorithm: a PS256-only set has no key for RS256.
    let err = verify(
        TOKEN,
        &jwt_refresh::KeySet::from(ps),
        &VerifyOptions::default(),
        1_300_819_379,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyNotFound);
}

#[test]
fn rsa_keys_are_verify_only_need_an_alg_and_2048_bits() {
    assert_eq!(
        Key::generate(Algorithm::Rs256, None).unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    let no_alg =
        Key::from_jwk(&json!({"kty": "RSA", "n": N, "e": "AQAB"}), None, None).unwrap_err();
    assert_eq!(no_alg.code(), ErrorCode::InvalidKey);
    let short_n = &N[..171]; // 1024 bits
    let weak = Key::from_jwk(
        &json!({"kty": "RSA", "n": short_n, "e": "AQAB", "alg": "RS256"}),
        None,
        None,
    )
    .unwrap_err();
    assert_eq!(weak.code(), ErrorCode::InvalidKey);
    let key = Key::from_jwk(
        &json!({"kty": "RSA", "n": N, "e": "AQAB", "alg": "RS256", "kid": "r1"}),
        None,
        None,
    )
    .unwrap();
    let jwk = key.to_public_jwk().unwrap();
    assert_eq!(
        (jwk["kid"].as_str(), jwk["alg"].as_str()),
        (Some("r1"), Some("RS256"))
    );
    assert!(key.to_public_jwk().unwrap().get("d").is_none());
}
