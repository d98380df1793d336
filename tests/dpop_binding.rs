//! Sessions bound to a DPoP key (RFC 9449) through the Issuer, with the proofs' signatures taken
//! as verified (the host's crypto checks them; `tests/dpop_proofs.rs` has the proof rules):
//! `cnf.jkt` in access tokens, a refresh only with a proof by the session's key and an id it
//! has not seen, the binding checked on protected requests, and `DpopMode::Required`.
#![cfg(all(feature = "edge", not(target_arch = "wasm32")))]

mod support {
    pub mod issuer;
}

use futures::executor::block_on;
use jwt_refresh::{
    DpopMode, ErrorCode, Issuer, MemoryStore, SessionRecord, SessionStore, TokenPair, VerifiedProof,
};
use serde_json::Map;
use support::issuer::hs256_issuer;

const T0: i64 = 1_700_000_000;

fn issuer() -> Issuer {
    hs256_issuer("https://auth.example")
}

fn proof<'a>(jkt: &'a str, jti: &'a str, now: i64) -> VerifiedProof<'a> {
    VerifiedProof {
        jkt,
        jti,
        usable_until: now + 60,
    }
}

fn login(issuer: &Issuer, store: &MemoryStore, jkt: Option<&str>) -> Result<TokenPair, ErrorCode> {
    let bound = jkt.map(|jkt| proof(jkt, "login", T0));
    block_on(issuer.start_bound_session(store, "ada", Map::new(), bound.as_ref(), T0))
        .map_err(|e| e.code())
}

fn refresh(
    issuer: &Issuer,
    store: &MemoryStore,
    pair: &TokenPair,
    proof: Option<VerifiedProof<'_>>,
    now: i64,
) -> Result<TokenPair, jwt_refresh::Error> {
    block_on(issuer.refresh_bound(
        store,
        &pair.access_token,
        &pair.refresh_token,
        proof.as_ref(),
        now,
    ))
}

fn record(store: &MemoryStore, pair: &TokenPair) -> SessionRecord {
    let stored = block_on(store.get(&pair.subject, &pair.session_id))
        .unwrap()
        .unwrap();
    serde_json::from_str(&stored.value).unwrap()
}

#[test]
fn a_bound_session_carries_cnf_jkt_and_refreshes_only_with_its_key() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store, Some("key-a")).unwrap();
    let access = issuer
        .verify_bound_access(&pair.access_token, Some("key-a"), T0)
        .unwrap();
    assert_eq!(access.claims().unwrap()["cnf"]["jkt"], "key-a");
    assert_eq!(record(&store, &pair).jkt.as_deref(), Some("key-a"));
    // Checked alone, as a copy of it would be sent, the bound token is refused.
    let alone = issuer.verify_access(&pair.access_token, T0).unwrap_err();
    assert_eq!(alone.code(), ErrorCode::InvalidDpopProof);
    assert!(
        alone.message().contains("needs a proof of possession"),
        "{alone}"
    );

    let code = |result: Result<TokenPair, jwt_refresh::Error>| {
        result.map_err(|e| (e.code(), e.message().to_owned()))
    };
    let (no_proof, message) = code(refresh(&issuer, &store, &pair, None, T0 + 1)).unwrap_err();
    assert_eq!(no_proof, ErrorCode::InvalidDpopProof);
    assert!(message.contains("needs a proof"), "{message}");
    let (other_key, message) = code(refresh(
        &issuer,
        &store,
        &pair,
        Some(proof("key-b", "r1", T0 + 1)),
        T0 + 1,
    ))
    .unwrap_err();
    assert_eq!(other_key, ErrorCode::InvalidDpopProof);
    assert!(message.contains("another key"), "{message}");
    // Refused proofs changed nothing: the same pair still refreshes, with the right key.
    let next = refresh(
        &issuer,
        &store,
        &pair,
        Some(proof("key-a", "r1", T0 + 1)),
        T0 + 1,
    )
    .unwrap();
    assert_ne!(next.refresh_token, pair.refresh_token);
    let access = issuer
        .verify_bound_access(&next.access_token, Some("key-a"), T0 + 1)
        .unwrap();
    assert_eq!(access.claims().unwrap()["cnf"]["jkt"], "key-a");
    let recorded: Vec<_> = record(&store, &next)
        .dpop_proofs
        .into_iter()
        .map(|(jti, _)| jti)
        .collect();
    assert_eq!(recorded, ["login", "r1"]);
}

#[test]
fn a_refresh_proof_id_is_never_accepted_twice_while_it_could_be_presented() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store, Some("key-a")).unwrap();
    let next = refresh(
        &issuer,
        &store,
        &pair,
        Some(proof("key-a", "r1", T0 + 1)),
        T0 + 1,
    )
    .unwrap();
    // The next refresh replaying r1 (an attacker who saw the request) is refused.
    let err = refresh(
        &issuer,
        &store,
        &next,
        Some(proof("key-a", "r1", T0 + 1)),
        T0 + 2,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidDpopProof);
    assert!(err.message().contains("replayed"));
    // Past its window the id is forgotten at the next rotation (the proof itself would be
    // refused as too old by then).
    let later = refresh(
        &issuer,
        &store,
        &next,
        Some(proof("key-a", "r2", T0 + 100)),
        T0 + 100,
    )
    .unwrap();
    let kept: Vec<_> = record(&store, &later)
        .dpop_proofs
        .into_iter()
        .map(|(jti, _)| jti)
        .collect();
    assert_eq!(kept, ["r2"]);
}

#[test]
fn protected_requests_check_the_binding() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let bound = login(&issuer, &store, Some("key-a")).unwrap();
    let bearer = login(&issuer, &store, None).unwrap();
    let check = |pair: &TokenPair, jkt: Option<&str>| {
        issuer
            .verify_bound_access(&pair.access_token, jkt, T0)
            .map_err(|e| (e.code(), e.message().to_owned()))
    };
    assert!(check(&bound, Some("key-a")).is_ok());
    let (code, message) = check(&bound, None).unwrap_err();
    assert_eq!(code, ErrorCode::InvalidDpopProof);
    assert!(message.contains("needs a proof of possession"), "{message}");
    assert!(check(&bound, Some("key-b"))
        .unwrap_err()
        .1
        .contains("another key"));
    assert!(check(&bearer, None).is_ok());
    // Without a proof to check: the bearer token passes, the bound one does not.
    assert!(issuer.verify_access(&bearer.access_token, T0).is_ok());
    let alone = issuer.verify_access(&bound.access_token, T0).unwrap_err();
    assert_eq!(alone.code(), ErrorCode::InvalidDpopProof);
    assert!(check(&bearer, Some("key-a"))
        .unwrap_err()
        .1
        .contains("not DPoP-bound"));
    // An unbound session ignores a proof at refresh.
    assert!(refresh(
        &issuer,
        &store,
        &bearer,
        Some(proof("key-x", "r", T0 + 1)),
        T0 + 1
    )
    .is_ok());
}

#[test]
fn required_mode_refuses_unbound_sessions_and_tokens() {
    let store = MemoryStore::new();
    let allowed = issuer();
    let unbound = login(&allowed, &store, None).unwrap();
    assert!(allowed.verify_access(&unbound.access_token, T0).is_ok());
    let required = allowed.with_dpop_mode(DpopMode::Required);
    assert_eq!(required.dpop_mode(), DpopMode::Required);
    assert_eq!(
        login(&required, &store, None).unwrap_err(),
        ErrorCode::InvalidDpopProof
    );
    let bound = login(&required, &store, Some("key-a")).unwrap();
    // A session started before the mode was required no longer refreshes, and its access
    // token no longer passes, with or without a proof.
    let err = refresh(&required, &store, &unbound, None, T0 + 1).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidDpopProof);
    for refused in [
        required.verify_access(&unbound.access_token, T0),
        required.verify_bound_access(&unbound.access_token, None, T0),
    ] {
        let err = refused.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidDpopProof);
        assert!(err.message().contains("requires DPoP-bound"), "{err}");
    }
    assert!(required
        .verify_bound_access(&bound.access_token, Some("key-a"), T0)
        .is_ok());
}

#[test]
fn cnf_is_the_issuers_claim() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let mut claims = Map::new();
    claims.insert("cnf".into(), serde_json::json!({"jkt": "forged"}));
    let err = block_on(issuer.start_session(&store, "ada", claims, T0)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidOptions);
}
