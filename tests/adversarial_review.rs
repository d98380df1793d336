//! The core findings of the adversarial review of 0.1, one test per property (each failed on
//! 0.1's code). The binding and browser findings are tested in `tests/js/` and the wasm suites.
#![cfg(all(feature = "edge", not(target_arch = "wasm32")))]

mod support {
    pub mod flow;
    // Shared with refresh_flow.rs, which uses every fault.
    #[allow(dead_code)]
    pub mod stores;
}

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures::executor::block_on;
use jwt_refresh::{
    begin_verify, sign, verify, Algorithm, ErrorCode, Issuer, IssuerConfig, Key, KeySet,
    SessionPolicy, SignOptions, VerifyOptions,
};
use serde_json::{json, Map, Value};
use support::flow::{record, refresh};
use support::stores::{Fault, TestStore};

const T0: i64 = 1_700_000_000;
const POLICY: SessionPolicy = SessionPolicy {
    access_ttl: 60,
    refresh_ttl: 3600,
    session_lifetime: 30 * 86_400,
    idle_timeout: 14 * 86_400,
    grace_period: 10,
};

fn issuer() -> Issuer {
    Issuer::new(IssuerConfig {
        signing_key: Key::generate(Algorithm::Hs256, Some("access".into())).unwrap(),
        previous_keys: vec![],
        refresh_key: Key::generate(Algorithm::Hs256, Some("refresh".into())).unwrap(),
        issuer: "https://auth.example".into(),
        audience: vec!["api".into()],
        policy: POLICY,
        clock_tolerance: 0,
    })
    .unwrap()
}

#[test]
fn an_expired_rotated_away_refresh_token_is_reuse_and_revokes_the_session() {
    let (issuer, store) = (issuer(), TestStore::new());
    let victim = block_on(issuer.start_session(&store, "alice", Map::new(), T0)).unwrap();
    // A thief rotates first, then keeps the session alive; the victim's token expires unused.
    let mut thief = refresh(&issuer, &store, &victim, T0 + 100).unwrap();
    for step in 1..=3 {
        thief = refresh(&issuer, &store, &thief, T0 + 100 + step * 1800).unwrap();
    }
    let late = T0 + 100 + 3 * 1800 + 60; // the victim's token expired at T0 + 3600
    assert_eq!(
        refresh(&issuer, &store, &victim, late),
        Err(ErrorCode::RefreshTokenReused)
    );
    assert_eq!(record(&store, &victim).revoked.as_deref(), Some("reuse"));
    assert_eq!(
        refresh(&issuer, &store, &thief, late + 1),
        Err(ErrorCode::SessionRevoked)
    );
}

#[test]
fn an_expired_current_refresh_token_is_refresh_token_expired_and_changes_nothing() {
    let (issuer, store) = (issuer(), TestStore::new());
    let pair = block_on(issuer.start_session(&store, "alice", Map::new(), T0)).unwrap();
    let before = record(&store, &pair);
    assert_eq!(
        refresh(&issuer, &store, &pair, T0 + 3600),
        Err(ErrorCode::RefreshTokenExpired)
    );
    assert_eq!(record(&store, &pair), before);
    // Once the store has dropped the record, it is still the token that expired.
    let empty = TestStore::new();
    assert_eq!(
        refresh(&issuer, &empty, &pair, T0 + 3600),
        Err(ErrorCode::RefreshTokenExpired)
    );
}

#[test]
fn logout_with_an_expired_refresh_token_revokes_its_session() {
    let (issuer, store) = (issuer(), TestStore::new());
    let victim = block_on(issuer.start_session(&store, "alice", Map::new(), T0)).unwrap();
    let mut thief = refresh(&issuer, &store, &victim, T0 + 100).unwrap();
    thief = refresh(&issuer, &store, &thief, T0 + 3000).unwrap();
    // The victim's token has expired; logging out with it still ends the session.
    block_on(issuer.revoke_by_refresh_token(&store, &victim.refresh_token, T0 + 4000)).unwrap();
    assert_eq!(record(&store, &victim).revoked.as_deref(), Some("logout"));
    assert_eq!(
        refresh(&issuer, &store, &thief, T0 + 4001),
        Err(ErrorCode::SessionRevoked)
    );
    // A forged token still revokes nothing: its signature is checked.
    let forged = format!(
        "{}x",
        &victim.refresh_token[..victim.refresh_token.len() - 1]
    );
    assert!(block_on(issuer.revoke_by_refresh_token(&store, &forged, T0)).is_err());
}

#[test]
fn a_jwks_holding_a_symmetric_key_is_refused() {
    let secret = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let jwks = json!({"keys": [{"kty": "oct", "alg": "HS256", "kid": "s", "k": secret}]});
    let err = KeySet::from_jwks(&jwks).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert!(err.message().contains("symmetric"), "{}", err.message());
    // The same secret is still a key of its own, added on purpose.
    let mut set = KeySet::new();
    set.insert(Key::from_jwk(&jwks["keys"][0], None, None).unwrap())
        .unwrap();
    assert_eq!(set.len(), 1);
}

#[cfg(feature = "rust-eddsa")]
#[test]
fn small_order_and_non_canonical_ed25519_public_keys_are_refused() {
    let okp = |x: [u8; 32]| json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(x)});
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut order_two = [0xffu8; 32]; // y = p - 1 = -1: the point of order 2
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    let mut non_canonical = [0xffu8; 32]; // y = p + 1 ≡ 1: a second encoding of the identity
    non_canonical[0] = 0xee;
    non_canonical[31] = 0x7f;
    for (what, x) in [
        ("identity", identity),
        ("order 2", order_two),
        ("y = p + 1", non_canonical),
    ] {
        let err = Key::from_jwk(&okp(x), None, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{what}");
    }
    // The universal forgery such a key would admit (R = identity, S = 0) never gets that far.
    let generated = Key::generate(Algorithm::EdDsa, None).unwrap();
    assert!(Key::from_jwk(&generated.to_public_jwk().unwrap(), None, None).is_ok());
}

#[test]
fn claims_of_a_verified_token_are_never_silently_empty() {
    let key = Key::generate(Algorithm::Hs256, None).unwrap();
    let token_with = |payload: &str| {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
        // The key's own MAC over a crafted payload (sign() would normalize it).
        let mac = {
            use hmac::{Hmac, Mac};
            let jwk = key.to_private_jwk().unwrap();
            let secret = URL_SAFE_NO_PAD.decode(jwk["k"].as_str().unwrap()).unwrap();
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
            mac.update(input.as_bytes());
            mac.finalize().into_bytes()
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac))
    };
    let deep = format!(
        "{{\"sub\":\"u\",\"x\":{}{}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    for payload in [
        r#"{"sub":"u","big":1e400}"#.to_owned(),
        r#"{"sub":"u","s":"\ud800"}"#.to_owned(),
        deep,
    ] {
        let token = token_with(&payload);
        match verify(&token, &key, &VerifyOptions::default(), T0) {
            // Verified: then the claims are all there, or an error says why they cannot be.
            Ok(verified) => match verified.claims() {
                Ok(claims) => assert_eq!(claims.get("sub"), Some(&json!("u")), "{payload}"),
                Err(err) => assert_eq!(err.code(), ErrorCode::MalformedToken, "{payload}"),
            },
            Err(err) => assert_eq!(err.code(), ErrorCode::MalformedToken, "{payload}"),
        }
    }
    // Representable claims come back whole.
    let token = token_with(r#"{"sub":"u","n":1e300,"s":"\u00e9"}"#);
    let claims = verify(&token, &key, &VerifyOptions::default(), T0)
        .unwrap()
        .claims()
        .unwrap();
    assert_eq!(
        (claims["sub"].clone(), claims["s"].clone()),
        (json!("u"), json!("é"))
    );
}

#[test]
fn signatures_of_the_wrong_length_never_reach_a_signature_check() {
    // A host that left-pads short RSA signatures (Node does) must never be asked: the length
    // is checked in the core, for every key type.
    let hs = Key::generate(Algorithm::Hs256, None).unwrap();
    let hs_token = sign(&hs, Map::new(), &SignOptions::default(), T0).unwrap();
    let hs_signature = hs_token.rsplit_once('.').unwrap().1;
    let p256 = json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    let ed25519 = json!({"kty": "OKP", "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let mut modulus = vec![0xc3; 256];
    modulus[255] |= 1;
    let rsa =
        json!({"kty": "RSA", "alg": "PS512", "n": URL_SAFE_NO_PAD.encode(&modulus), "e": "AQAB"});
    let cases = [
        (hs, URL_SAFE_NO_PAD.decode(hs_signature).unwrap()),
        (Key::from_jwk(&p256, None, None).unwrap(), vec![7; 64]),
        (Key::from_jwk(&ed25519, None, None).unwrap(), vec![7; 64]),
        (Key::from_jwk(&rsa, None, None).unwrap(), vec![7; 256]),
    ];
    for (key, signature) in cases {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{}"}}"#, key.algorithm()));
        let input = match key.algorithm() {
            Algorithm::Hs256 => hs_token.rsplit_once('.').unwrap().0.to_owned(),
            _ => format!("{header}.e30"),
        };
        for wrong in [&signature[1..], &[&[0u8][..], &signature[..]].concat()[..]] {
            let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(wrong));
            let err = begin_verify(&token, &key, &VerifyOptions::default()).unwrap_err();
            assert_eq!(
                err.code(),
                ErrorCode::InvalidSignature,
                "{}",
                key.algorithm()
            );
        }
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&signature));
        assert!(begin_verify(&token, &key, &VerifyOptions::default()).is_ok());
    }
}

#[test]
fn key_ops_are_honoured_on_import() {
    let secret = URL_SAFE_NO_PAD.encode([9u8; 32]);
    let oct = |ops: Value| json!({"kty": "oct", "alg": "HS256", "k": secret, "key_ops": ops});
    // Verify-only: verifies, refuses to sign, and says so when exported.
    let verifier = Key::from_jwk(&oct(json!(["verify"])), None, None).unwrap();
    assert!(!verifier.can_sign());
    let signer = Key::from_jwk(&oct(json!(["sign", "verify"])), None, None).unwrap();
    let token = sign(&signer, Map::new(), &SignOptions::default(), T0).unwrap();
    assert!(verify(&token, &verifier, &VerifyOptions::default(), T0).is_ok());
    let err = sign(&verifier, Map::new(), &SignOptions::default(), T0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert_eq!(
        verifier.to_private_jwk().unwrap()["key_ops"],
        json!(["verify"])
    );
    // WebCrypto's export of a private key says ["sign"]: it signs and verifies its own tokens.
    let webcrypto = Key::from_jwk(&oct(json!(["sign"])), None, None).unwrap();
    assert!(webcrypto.can_sign());
    for bad in [json!(["encrypt"]), json!([]), json!("sign"), json!([1])] {
        let err = Key::from_jwk(&oct(bad.clone()), None, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{bad}");
    }
    #[cfg(feature = "rust-eddsa")]
    {
        let mut jwk = Key::generate(Algorithm::EdDsa, None)
            .unwrap()
            .to_private_jwk()
            .unwrap();
        jwk["key_ops"] = json!(["verify"]);
        assert!(!Key::from_jwk(&jwk, None, None).unwrap().can_sign());
    }
    // `use` other than "sig" was already refused; it still is.
    let enc = json!({"kty": "oct", "alg": "HS256", "k": secret, "use": "enc"});
    assert_eq!(
        Key::from_jwk(&enc, None, None).unwrap_err().code(),
        ErrorCode::InvalidKey
    );
}

#[test]
fn a_retry_after_a_write_that_timed_out_but_landed_gets_the_current_pair() {
    let policy = SessionPolicy::default();
    let issuer = Issuer::new(IssuerConfig {
        policy,
        ..issuer().config().clone()
    })
    .unwrap();
    let store = TestStore::new();
    let pair = block_on(issuer.start_session(&store, "alice", Map::new(), T0)).unwrap();
    store.fault.set(Fault::PutLandsThenFails);
    assert_eq!(
        refresh(&issuer, &store, &pair, T0 + 100),
        Err(ErrorCode::StoreUnavailable)
    );
    assert_eq!(record(&store, &pair).generation, 2, "the write landed");
    store.fault.set(Fault::None);
    // The client retries with the same tokens after the store's timeout and its backoff.
    let retry_at = T0 + 100 + (jwt_refresh::DEFAULT_STORE_TIMEOUT_MS / 1000.0) as i64 + 4;
    let current = refresh(&issuer, &store, &pair, retry_at).unwrap();
    assert_eq!(record(&store, &pair).revoked, None);
    assert_eq!(
        record(&store, &pair).generation,
        2,
        "answered, not rotated again"
    );
    assert!(refresh(&issuer, &store, &current, retry_at + 1).is_ok());
}

#[cfg(feature = "browser")]
#[test]
fn the_default_grace_window_outlasts_the_clients_default_retries() {
    use jwt_refresh::client::RefreshPolicy;
    let client = RefreshPolicy::default();
    // Every attempt may wait for the store's timeout; between attempts, the longest backoff.
    let waits: f64 = (0..client.max_attempts.saturating_sub(1))
        .map(|attempt| client.backoff.delay_ms(attempt, 1.0, None))
        .sum();
    let worst_ms = waits + f64::from(client.max_attempts) * jwt_refresh::DEFAULT_STORE_TIMEOUT_MS;
    assert!(
        (SessionPolicy::default().grace_period as f64) * 1000.0 > worst_ms,
        "grace {} s, client retries up to {worst_ms} ms",
        SessionPolicy::default().grace_period
    );
}
