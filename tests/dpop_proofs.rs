//! Every DPoP proof rule of RFC 9449 §4.3 that the core checks, each with the code and the
//! message a refusal gets; the signature itself is the host's to check (with a `rust-es256`
//! build, in process: the last test).
#![cfg(not(target_arch = "wasm32"))]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_refresh::{
    access_token_hash, begin_dpop_proof, normalized_htu, DpopNonces, DpopPolicy, DpopReplay,
    DpopRequest, ErrorCode,
};
use serde_json::{json, Value};

const NOW: i64 = 1_800_000_000;
/// RFC 7515 A.3's P-256 public key.
fn p256() -> Value {
    json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn proof_of(header: &Value, claims: &Value, signature_len: usize) -> String {
    format!(
        "{}.{}.{}",
        b64(header),
        b64(claims),
        URL_SAFE_NO_PAD.encode(vec![7u8; signature_len])
    )
}

fn header() -> Value {
    json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": p256()})
}

fn claims() -> Value {
    json!({"jti": "j-1", "htm": "POST", "htu": "https://auth.example/auth/refresh", "iat": NOW})
}

const REFRESH: DpopRequest<'static> = DpopRequest {
    method: "POST",
    url: "https://auth.example/auth/refresh",
    access_token: None,
};

#[track_caller]
fn refused(header: Value, claims: Value, request: &DpopRequest<'_>, says: &str) {
    let proof = proof_of(&header, &claims, 64);
    let err = begin_dpop_proof(&proof, request, &DpopPolicy::default(), NOW).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidDpopProof, "{}", err.message());
    assert!(
        err.message().contains(says),
        "{:?} should say {says:?}",
        err.message()
    );
}

#[test]
fn a_well_formed_proof_passes_and_names_its_key() {
    let proof = proof_of(&header(), &claims(), 64);
    let pending = begin_dpop_proof(&proof, &REFRESH, &DpopPolicy::default(), NOW).unwrap();
    // RFC 7638 thumbprint of the embedded key.
    let expected = jwt_refresh::Key::from_jwk(&p256(), None, None)
        .unwrap()
        .thumbprint()
        .unwrap();
    assert_eq!(pending.jkt, expected);
    assert_eq!((pending.jti.as_str(), pending.iat), ("j-1", NOW));
    assert_eq!(pending.signature.len(), 64);
    assert!(proof.starts_with(&pending.signing_input));
}

#[test]
fn the_header_must_be_a_dpop_proof_by_an_allowed_asymmetric_key() {
    let with = |name: &str, value: Value| {
        let mut header = header();
        header[name] = value;
        header
    };
    refused(with("typ", json!("JWT")), claims(), &REFRESH, "typ");
    refused(with("alg", json!("none")), claims(), &REFRESH, "\"none\"");
    refused(
        with("alg", json!("HS256")),
        claims(),
        &REFRESH,
        "not an allowed DPoP algorithm",
    );
    refused(
        with("alg", json!("RS512")),
        claims(),
        &REFRESH,
        "not an allowed DPoP algorithm",
    );
    refused(
        with("alg", json!("EdDSA")),
        claims(),
        &REFRESH,
        "is a ES256 key, the proof says EdDSA",
    );
    refused(with("crit", json!(["x"])), claims(), &REFRESH, "crit");
    let mut no_jwk = header();
    no_jwk.as_object_mut().unwrap().remove("jwk");
    refused(no_jwk, claims(), &REFRESH, "no jwk");
    let mut private = p256();
    private["d"] = json!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
    refused(
        with("jwk", private),
        claims(),
        &REFRESH,
        "private member (\"d\")",
    );
    let oct = json!({"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"});
    refused(
        with("jwk", oct),
        claims(),
        &REFRESH,
        "private member (\"k\")",
    );
    refused(
        with(
            "jwk",
            json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
        ),
        claims(),
        &REFRESH,
        "32 bytes",
    );
}

#[test]
fn the_claims_must_be_for_this_request_and_recent() {
    let with = |name: &str, value: Value| {
        let mut claims = claims();
        claims[name] = value;
        claims
    };
    refused(
        header(),
        with("htm", json!("GET")),
        &REFRESH,
        "another method",
    );
    refused(
        header(),
        with("htm", json!("post")),
        &REFRESH,
        "another method",
    );
    refused(
        header(),
        with("htu", json!("https://evil.example/auth/refresh")),
        &REFRESH,
        "another URL",
    );
    refused(
        header(),
        with("htu", json!("https://auth.example/auth/logout")),
        &REFRESH,
        "another URL",
    );
    refused(
        header(),
        with("iat", json!(NOW - 61)),
        &REFRESH,
        "too old: made 61s ago",
    );
    refused(
        header(),
        with("iat", json!(NOW + 6)),
        &REFRESH,
        "in the future",
    );
    refused(
        header(),
        with("iat", json!("now")),
        &REFRESH,
        "iat must be a number",
    );
    refused(
        header(),
        with("jti", json!("")),
        &REFRESH,
        "\"jti\" must be a non-empty string",
    );
    let mut no_jti = claims();
    no_jti.as_object_mut().unwrap().remove("jti");
    refused(header(), no_jti, &REFRESH, "no \"jti\"");
    // Within the window, at both ends.
    for iat in [NOW - 60, NOW + 5] {
        let proof = proof_of(&header(), &with("iat", json!(iat)), 64);
        assert!(begin_dpop_proof(&proof, &REFRESH, &DpopPolicy::default(), NOW).is_ok());
    }
}

#[test]
fn htu_compares_without_query_fragment_case_or_default_port() {
    assert_eq!(
        normalized_htu("HTTPS://Auth.Example:443/auth/refresh?x=1#f"),
        "https://auth.example/auth/refresh"
    );
    assert_eq!(normalized_htu("http://a.example:80"), "http://a.example/");
    assert_eq!(
        normalized_htu("http://a.example:8080/p"),
        "http://a.example:8080/p"
    );
    // The path keeps its case.
    assert_ne!(
        normalized_htu("https://a.example/Auth"),
        normalized_htu("https://a.example/auth")
    );
    let mut claims = claims();
    claims["htu"] = json!("https://AUTH.example:443/auth/refresh");
    let request = DpopRequest {
        url: "https://auth.example/auth/refresh?trace=1",
        ..REFRESH
    };
    let proof = proof_of(&header(), &claims, 64);
    assert!(begin_dpop_proof(&proof, &request, &DpopPolicy::default(), NOW).is_ok());
}

#[test]
fn an_api_request_needs_the_hash_of_its_access_token() {
    let api = DpopRequest {
        method: "GET",
        url: "https://api.example/me",
        access_token: Some("the.access.token"),
    };
    let mut claims =
        json!({"jti": "j-2", "htm": "GET", "htu": "https://api.example/me", "iat": NOW});
    refused(header(), claims.clone(), &api, "no ath");
    claims["ath"] = json!(access_token_hash("another.access.token"));
    refused(
        header(),
        claims.clone(),
        &api,
        "not the access token's hash",
    );
    claims["ath"] = json!(access_token_hash("the.access.token"));
    let proof = proof_of(&header(), &claims, 64);
    assert!(begin_dpop_proof(&proof, &api, &DpopPolicy::default(), NOW).is_ok());
    // RFC 9449 §4.2's example: ath of that access token.
    assert_eq!(
        access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
}

#[test]
fn nonces_are_stateless_and_a_missing_or_stale_one_is_use_dpop_nonce() {
    let nonces = DpopNonces::new(&[9; 32], 300).unwrap();
    let policy = DpopPolicy {
        nonces: Some(nonces.clone()),
        ..Default::default()
    };
    let code = |claims: &Value| {
        let proof = proof_of(&header(), claims, 64);
        begin_dpop_proof(&proof, &REFRESH, &policy, NOW)
            .err()
            .map(|err| err.code())
    };
    assert_eq!(code(&claims()), Some(ErrorCode::UseDpopNonce));
    let mut with_nonce = claims();
    with_nonce["nonce"] = json!(nonces.current(NOW));
    assert_eq!(code(&with_nonce), None);
    // The previous step's nonce is still good; two steps back it is stale.
    with_nonce["nonce"] = json!(nonces.current(NOW - 300));
    assert_eq!(code(&with_nonce), None);
    with_nonce["nonce"] = json!(nonces.current(NOW - 600));
    assert_eq!(code(&with_nonce), Some(ErrorCode::UseDpopNonce));
    // Another server's secret makes other nonces.
    let other = DpopNonces::new(&[8; 32], 300).unwrap();
    with_nonce["nonce"] = json!(other.current(NOW));
    assert_eq!(code(&with_nonce), Some(ErrorCode::UseDpopNonce));
    assert_eq!(
        DpopNonces::new(&[9; 31], 300).err().map(|e| e.code()),
        Some(ErrorCode::InvalidOptions)
    );
}

#[test]
fn a_replayed_proof_id_is_refused_while_the_proof_is_fresh() {
    let policy = DpopPolicy::default();
    let mut replay = DpopReplay::new(2);
    let pending = |jti: &str| {
        let mut claims = claims();
        claims["jti"] = json!(jti);
        begin_dpop_proof(&proof_of(&header(), &claims, 64), &REFRESH, &policy, NOW).unwrap()
    };
    replay.record(&pending("a"), &policy, NOW).unwrap();
    let err = replay.record(&pending("a"), &policy, NOW + 1).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidDpopProof);
    assert!(err.message().contains("replayed"));
    replay.record(&pending("b"), &policy, NOW + 1).unwrap();
    // Bounded: a third id pushes the oldest out (which a replay could then pass: the bound is
    // the price of a fixed memory; the iat window limits what such a replay can do).
    replay.record(&pending("c"), &policy, NOW + 2).unwrap();
    assert_eq!(replay.len(), 2);
    replay.record(&pending("a"), &policy, NOW + 2).unwrap();
    // Past the window every id is forgotten.
    assert!(replay.record(&pending("b"), &policy, NOW + 61).is_ok());
    assert_eq!(replay.len(), 0, "recorded and at once out of its window");
}

#[test]
fn malformed_proofs_are_invalid_dpop_proof_never_a_panic() {
    for proof in [
        "",
        "a.b",
        "a.b.c",
        "e30.e30.",
        &"a".repeat(5000),
        "Bearer x.y.z",
    ] {
        let err = begin_dpop_proof(proof, &REFRESH, &DpopPolicy::default(), NOW).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidDpopProof, "{proof}");
    }
    // A signature of the wrong length never reaches the host.
    let proof = proof_of(&header(), &claims(), 63);
    let err = begin_dpop_proof(&proof, &REFRESH, &DpopPolicy::default(), NOW).unwrap_err();
    assert!(err.message().contains("does not verify"));
}

/// With the in-process P-256 of `rust-es256`, a proof signed with RFC 7515 A.3's key verifies
/// with the key `begin_dpop_proof` took from its header, and a proof by another key does not.
#[cfg(feature = "rust-es256")]
#[test]
fn a_signed_proof_verifies_with_its_embedded_key() {
    use jwt_refresh::{verify, VerifyOptions};
    use p256::ecdsa::{signature::Signer, Signature, SigningKey};
    let d = URL_SAFE_NO_PAD
        .decode("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")
        .unwrap();
    let signing = SigningKey::from_slice(&d).unwrap();
    let input = format!("{}.{}", b64(&header()), b64(&claims()));
    let signature: Signature = signing.sign(input.as_bytes());
    let proof = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
    let pending = begin_dpop_proof(&proof, &REFRESH, &DpopPolicy::default(), NOW).unwrap();
    let options = VerifyOptions {
        typ: Some("dpop+jwt".into()),
        ..Default::default()
    };
    assert!(verify(&proof, &pending.key, &options, NOW).is_ok());
    let forged = proof_of(&header(), &claims(), 64);
    let forged_key = begin_dpop_proof(&forged, &REFRESH, &DpopPolicy::default(), NOW).unwrap();
    let err = verify(&forged, &forged_key.key, &options, NOW).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSignature);
}

#[test]
fn an_ed25519_proof_may_name_its_algorithm_as_rfc_9864_does() {
    let okp =
        json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    for alg in ["EdDSA", "Ed25519"] {
        let header = json!({"typ": "dpop+jwt", "alg": alg, "jwk": okp});
        let proof = proof_of(&header, &claims(), 64);
        let pending = begin_dpop_proof(&proof, &REFRESH, &DpopPolicy::default(), NOW).unwrap();
        assert_eq!(pending.key.algorithm().name(), "EdDSA");
    }
}
