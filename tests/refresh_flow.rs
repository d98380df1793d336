//! The session state machine through the Issuer, with an injected clock: one test per
//! transition and failure code, forced concurrency at the store, and store faults.
#![cfg(all(feature = "edge", not(target_arch = "wasm32")))]

mod support {
    pub mod flow;
    pub mod stores;
}

use futures::executor::block_on;
use futures::future::join_all;
use jwt_refresh::{
    decode_unverified, Algorithm, ErrorCode, Issuer, IssuerConfig, Key, MemoryStore, SessionPolicy,
    TokenPair,
};
use serde_json::{json, Map};
use support::flow::{record, refresh};
use support::stores::{Fault, TestStore};

const T0: i64 = 1_700_000_000;
const POLICY: SessionPolicy = SessionPolicy {
    access_ttl: 60,
    refresh_ttl: 3600,
    session_lifetime: 3 * 3600,
    idle_timeout: 1800,
    grace_period: 10,
};

/// The test configuration, access tokens signed with `alg`.
fn config(alg: Algorithm) -> IssuerConfig {
    IssuerConfig {
        signing_key: Key::generate(alg, Some("access-1".into())).unwrap(),
        previous_keys: vec![],
        refresh_key: Key::generate(Algorithm::Hs256, Some("refresh".into())).unwrap(),
        issuer: "https://auth.example".into(),
        audience: vec!["api".into()],
        policy: POLICY,
        clock_tolerance: 0,
    }
}

fn issuer() -> Issuer {
    Issuer::new(config(Algorithm::Hs256)).unwrap()
}

fn login(issuer: &Issuer, store: &TestStore, sub: &str) -> TokenPair {
    let mut claims = Map::new();
    claims.insert("role".into(), json!("reader"));
    block_on(issuer.start_session(store, sub, claims, T0)).unwrap()
}

#[test]
fn login_issues_a_typed_pair_and_the_store_holds_no_bearer_secret() {
    let (issuer, store) = (issuer(), TestStore::new());
    let pair = login(&issuer, &store, "alice");
    assert_eq!((pair.expires_in, pair.refresh_expires_in), (60, 3600));
    let access = issuer.verify_access(&pair.access_token, T0 + 59).unwrap();
    assert_eq!(access.claims().unwrap()["sub"], "alice");
    assert_eq!(access.claims().unwrap()["role"], "reader");
    assert_eq!(access.claims().unwrap()["sid"], pair.session_id.as_str());
    assert_eq!(access.header().unwrap()["typ"], "at+jwt");
    assert_eq!(
        decode_unverified(&pair.refresh_token).unwrap().header["typ"],
        "rt+jwt"
    );
    // Not interchangeable: the typ header is checked before any key is looked up, so the
    // mistake is named (the refresh key is a separate secret besides: see the next test for
    // the same secret).
    assert_eq!(
        issuer
            .verify_access(&pair.refresh_token, T0)
            .unwrap_err()
            .code(),
        ErrorCode::TokenTypeMismatch
    );
    let swapped =
        block_on(issuer.refresh(&store, &pair.refresh_token, &pair.access_token, T0)).unwrap_err();
    assert_eq!(swapped.code(), ErrorCode::TokenTypeMismatch);
    // A dump of the store: no token, no signature, nothing that refreshes.
    let dump = store.inner.dump().join("\n");
    for secret in [&pair.access_token, &pair.refresh_token] {
        assert!(!dump.contains(secret.rsplit('.').next().unwrap()));
    }
    let stored = record(&store, &pair);
    assert_eq!(stored.generation, 1);
    assert_eq!(stored.created_at, T0);
}

#[test]
fn one_secret_for_both_roles_is_refused_and_the_tokens_are_not_interchangeable() {
    // The same secret for both would let the token types be all that keeps them apart.
    let key = Key::generate(Algorithm::Hs256, Some("same".into())).unwrap();
    let same_secret = Key::from_jwk(&key.to_private_jwk().unwrap(), None, Some("other".into()));
    let err = Issuer::new(IssuerConfig {
        signing_key: key.clone(),
        previous_keys: vec![],
        refresh_key: same_secret.unwrap(),
        issuer: "https://auth.example".into(),
        audience: vec![],
        policy: POLICY,
        clock_tolerance: 0,
    })
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert!(err.message().contains("same secret"), "{}", err.message());
    // With two secrets the types still keep them apart, before any key is looked up.
    let issuer = issuer();
    let store = TestStore::new();
    let pair = login(&issuer, &store, "alice");
    assert_eq!(
        issuer
            .verify_access(&pair.refresh_token, T0)
            .unwrap_err()
            .code(),
        ErrorCode::TokenTypeMismatch
    );
    let swapped =
        block_on(issuer.refresh(&store, &pair.refresh_token, &pair.access_token, T0)).unwrap_err();
    assert_eq!(swapped.code(), ErrorCode::TokenTypeMismatch);
}

#[test]
fn refresh_rotates_and_accepts_an_expired_access_token() {
    let (issuer, store) = (issuer(), TestStore::new());
    let first = login(&issuer, &store, "alice");
    assert_eq!(
        issuer
            .verify_access(&first.access_token, T0 + 60)
            .unwrap_err()
            .code(),
        ErrorCode::TokenExpired
    );
    let second = refresh(&issuer, &store, &first, T0 + 100).unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.session_id, first.session_id);
    assert_eq!(
        issuer
            .verify_access(&second.access_token, T0 + 100)
            .unwrap()
            .claims()
            .unwrap()["role"],
        "reader"
    );
    let stored = record(&store, &second);
    assert_eq!(
        (stored.generation, stored.rotated_at, stored.last_used_at),
        (2, T0 + 100, T0 + 100)
    );
    assert_eq!(stored.refresh_expires_at, T0 + 100 + 3600);
    let third = refresh(&issuer, &store, &second, T0 + 200).unwrap();
    assert_eq!(record(&store, &third).generation, 3);
}

#[test]
fn grace_window_repeat_returns_the_same_current_refresh_token() {
    let (issuer, store) = (issuer(), TestStore::new());
    let first = login(&issuer, &store, "alice");
    let second = refresh(&issuer, &store, &first, T0 + 100).unwrap();
    let repeat = refresh(&issuer, &store, &first, T0 + 109).unwrap();
    assert_eq!(
        repeat.refresh_token, second.refresh_token,
        "byte-identical current token"
    );
    assert_eq!(
        record(&store, &second).generation,
        2,
        "a repeat changes nothing"
    );
    assert!(issuer.verify_access(&repeat.access_token, T0 + 109).is_ok());
}

#[test]
fn reuse_after_the_grace_window_revokes_the_whole_session() {
    let (issuer, store) = (issuer(), TestStore::new());
    let first = login(&issuer, &store, "alice");
    let second = refresh(&issuer, &store, &first, T0 + 100).unwrap();
    assert_eq!(
        refresh(&issuer, &store, &first, T0 + 110),
        Err(ErrorCode::RefreshTokenReused)
    );
    assert_eq!(record(&store, &second).revoked.as_deref(), Some("reuse"));
    // From now on every token of the session fails, the legitimate current one included.
    assert_eq!(
        refresh(&issuer, &store, &second, T0 + 111),
        Err(ErrorCode::SessionRevoked)
    );
    assert_eq!(
        refresh(&issuer, &store, &first, T0 + 112),
        Err(ErrorCode::SessionRevoked)
    );
}

#[test]
fn an_older_generation_is_reuse_even_inside_the_window() {
    let (issuer, store) = (issuer(), TestStore::new());
    let first = login(&issuer, &store, "alice");
    let second = refresh(&issuer, &store, &first, T0 + 100).unwrap();
    let _third = refresh(&issuer, &store, &second, T0 + 101).unwrap();
    assert_eq!(
        refresh(&issuer, &store, &first, T0 + 102),
        Err(ErrorCode::RefreshTokenReused)
    );
}

#[test]
fn refresh_failures_have_their_own_codes() {
    let (issuer, store) = (issuer(), TestStore::new());
    let alice = login(&issuer, &store, "alice");
    let bob = login(&issuer, &store, "bob");
    let mixed = TokenPair {
        access_token: bob.access_token.clone(),
        ..alice.clone()
    };
    assert_eq!(
        refresh(&issuer, &store, &mixed, T0 + 1),
        Err(ErrorCode::TokensMismatch)
    );
    let alice2 = login(&issuer, &store, "alice");
    let same_subject = TokenPair {
        access_token: alice2.access_token.clone(),
        ..alice.clone()
    };
    assert_eq!(
        refresh(&issuer, &store, &same_subject, T0 + 1),
        Err(ErrorCode::TokensMismatch)
    );
    let tampered = TokenPair {
        access_token: format!("{}x", &alice.access_token[..alice.access_token.len() - 1]),
        ..alice.clone()
    };
    assert!(matches!(
        refresh(&issuer, &store, &tampered, T0 + 1),
        Err(ErrorCode::InvalidSignature | ErrorCode::MalformedToken)
    ));
    assert_eq!(
        refresh(&issuer, &store, &alice, T0 + 3600),
        Err(ErrorCode::RefreshTokenExpired)
    );
    // Another issuer's tokens: signature first.
    let other = issuer_named("https://auth.example");
    let foreign = login(&other, &store, "alice");
    assert_eq!(
        refresh(&issuer, &store, &foreign, T0 + 1),
        Err(ErrorCode::InvalidSignature)
    );
    // A session the store does not know (deleted, or never written).
    let empty = TestStore::new();
    assert_eq!(
        refresh(&issuer, &empty, &alice, T0 + 1),
        Err(ErrorCode::SessionRevoked)
    );
}

fn issuer_named(name: &str) -> Issuer {
    Issuer::new(IssuerConfig {
        issuer: name.into(),
        ..issuer().config().clone()
    })
    .unwrap()
}

#[test]
fn idle_timeout_and_absolute_lifetime_end_the_session() {
    let (issuer, store) = (issuer(), TestStore::new());
    let pair = login(&issuer, &store, "alice");
    assert_eq!(
        refresh(&issuer, &store, &pair, T0 + 1800),
        Err(ErrorCode::SessionExpired)
    );
    assert_eq!(record(&store, &pair).generation, 1, "no change");
    // Refreshing every 20 minutes keeps it alive until the absolute end (3 h), not beyond.
    let pair = login(&issuer, &store, "bob");
    let mut current = pair;
    let mut now = T0;
    loop {
        now += 1200;
        match refresh(&issuer, &store, &current, now) {
            Ok(next) => {
                assert!(
                    now + next.refresh_expires_in <= T0 + 3 * 3600,
                    "refresh token capped at session end"
                );
                assert!(
                    now + next.expires_in <= T0 + 3 * 3600,
                    "access token capped at session end"
                );
                current = next;
            }
            Err(code) => {
                // The refresh token is capped at the session's end, so that is what expires.
                assert_eq!(code, ErrorCode::RefreshTokenExpired);
                assert_eq!(now, T0 + 3 * 3600);
                break;
            }
        }
        assert!(now < T0 + 4 * 3600, "bounded loop");
    }
}

#[test]
fn revoke_one_session_by_token_and_all_sessions_of_a_subject() {
    let (issuer, store) = (issuer(), TestStore::new());
    let a1 = login(&issuer, &store, "alice");
    let a2 = login(&issuer, &store, "alice");
    let a3 = login(&issuer, &store, "alice");
    let bob = login(&issuer, &store, "bob");
    block_on(issuer.revoke_by_refresh_token(&store, &a1.refresh_token, T0 + 5)).unwrap();
    assert_eq!(
        refresh(&issuer, &store, &a1, T0 + 6),
        Err(ErrorCode::SessionRevoked)
    );
    assert!(refresh(&issuer, &store, &a2, T0 + 6).is_ok());
    assert_eq!(block_on(issuer.revoke_all(&store, "alice")).unwrap(), 3);
    assert_eq!(
        refresh(&issuer, &store, &a3, T0 + 7),
        Err(ErrorCode::SessionRevoked)
    );
    assert!(
        refresh(&issuer, &store, &bob, T0 + 7).is_ok(),
        "other subjects are untouched"
    );
    // Revoking twice, or an unknown session, is fine.
    block_on(issuer.revoke_session(&store, "alice", &a1.session_id)).unwrap();
    block_on(issuer.revoke_session(&store, "alice", "no-such-session")).unwrap();
}

#[test]
fn custom_claims_are_carried_and_reserved_names_refused() {
    let (issuer, store) = (issuer(), TestStore::new());
    let mut claims = Map::new();
    claims.insert("sid".into(), json!("forged"));
    let err = block_on(issuer.start_session(&store, "alice", claims, T0)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidOptions);
    assert!(store.inner.is_empty());
    let pair = login(&issuer, &store, "alice");
    let next = refresh(&issuer, &store, &pair, T0 + 30).unwrap();
    assert_eq!(
        issuer
            .verify_access(&next.access_token, T0 + 30)
            .unwrap()
            .claims()
            .unwrap()["role"],
        "reader"
    );
}

#[test]
fn concurrent_refreshes_inside_the_grace_window_all_end_on_one_token() {
    for n in [2usize, 5, 8] {
        let (issuer, store) = (issuer(), TestStore::new());
        let pair = login(&issuer, &store, "alice");
        // Every refresh reads version 1 before any writes (YieldOnce), so n-1 lose the race.
        let results = block_on(join_all((0..n).map(|_| {
            issuer.refresh(&store, &pair.access_token, &pair.refresh_token, T0 + 30)
        })));
        assert_eq!(store.conflicts.get(), n - 1, "the interleaving was forced");
        let tokens: Vec<String> = results
            .into_iter()
            .map(|r| r.unwrap().refresh_token)
            .collect();
        assert!(
            tokens.iter().all(|t| *t == tokens[0]),
            "{n} refreshes, one current token"
        );
        assert_eq!(record(&store, &pair).generation, 2, "rotated exactly once");
        // The shared token is the current one and works.
        let shared = TokenPair {
            refresh_token: tokens[0].clone(),
            ..pair.clone()
        };
        assert!(refresh(&issuer, &store, &shared, T0 + 31).is_ok());
    }
}

#[test]
fn concurrent_reuse_outside_the_grace_window_revokes_once() {
    let (issuer, store) = (issuer(), TestStore::new());
    let first = login(&issuer, &store, "alice");
    let _second = refresh(&issuer, &store, &first, T0 + 100).unwrap();
    store.conflicts.set(0);
    let results = block_on(join_all((0..5).map(|_| {
        issuer.refresh(&store, &first.access_token, &first.refresh_token, T0 + 200)
    })));
    let codes: Vec<ErrorCode> = results.into_iter().map(|r| r.unwrap_err().code()).collect();
    assert_eq!(codes[0], ErrorCode::RefreshTokenReused);
    assert!(
        codes[1..].iter().all(|c| *c == ErrorCode::SessionRevoked),
        "{codes:?}"
    );
    assert_eq!(store.conflicts.get(), 4);
}

#[test]
fn store_faults_are_typed_and_change_nothing() {
    let (issuer, store) = (issuer(), TestStore::new());
    let pair = login(&issuer, &store, "alice");
    let before = store.inner.dump();
    for (fault, expected) in [
        (Fault::GetFails, ErrorCode::StoreUnavailable),
        (Fault::PutFails, ErrorCode::StoreUnavailable),
        (Fault::PutAlwaysConflicts, ErrorCode::StoreConflict),
    ] {
        store.fault.set(fault);
        assert_eq!(
            refresh(&issuer, &store, &pair, T0 + 30),
            Err(expected),
            "{fault:?}"
        );
        assert_eq!(store.inner.dump(), before, "{fault:?} changed the store");
        let revoke = block_on(issuer.revoke_session(&store, "alice", &pair.session_id));
        assert_eq!(revoke.map_err(|e| e.code()), Err(expected), "{fault:?}");
        assert_eq!(store.inner.dump(), before);
    }
    store.fault.set(Fault::GetFails);
    let login_err = block_on(issuer.start_session(&store, "bob", Map::new(), T0)).map(|_| ());
    assert!(login_err.is_ok(), "login only writes");
    store.fault.set(Fault::PutFails);
    let login_err = block_on(issuer.start_session(&store, "carol", Map::new(), T0)).unwrap_err();
    assert_eq!(login_err.code(), ErrorCode::StoreUnavailable);
    // Nothing was lost: once the store is back, the same token refreshes as generation 1.
    store.fault.set(Fault::None);
    let next = refresh(&issuer, &store, &pair, T0 + 31).unwrap();
    assert_eq!(record(&store, &next).generation, 2);
    assert_eq!(record(&store, &next).refresh_expires_at, T0 + 31 + 3600);
}

#[test]
fn a_corrupt_record_is_store_unavailable() {
    let (issuer, store) = (issuer(), TestStore::new());
    let pair = login(&issuer, &store, "alice");
    block_on(jwt_refresh::SessionStore::put(
        &store.inner,
        "alice",
        &pair.session_id,
        "{not json",
        Some(1),
        T0 + 9999,
    ))
    .unwrap();
    assert_eq!(
        refresh(&issuer, &store, &pair, T0 + 1),
        Err(ErrorCode::StoreUnavailable)
    );
}

#[cfg(feature = "rust-eddsa")]
#[test]
fn issuer_configuration_is_checked() {
    let base = issuer().config().clone();
    let public_only = Key::from_jwk(
        &Key::generate(Algorithm::EdDsa, None)
            .unwrap()
            .to_public_jwk()
            .unwrap(),
        None,
        None,
    )
    .unwrap();
    for (config, code) in [
        (
            IssuerConfig {
                signing_key: public_only,
                ..base.clone()
            },
            ErrorCode::InvalidKey,
        ),
        (
            IssuerConfig {
                refresh_key: Key::generate(Algorithm::EdDsa, None).unwrap(),
                ..base.clone()
            },
            ErrorCode::InvalidKey,
        ),
        (
            IssuerConfig {
                issuer: String::new(),
                ..base.clone()
            },
            ErrorCode::InvalidOptions,
        ),
        (
            IssuerConfig {
                policy: SessionPolicy {
                    access_ttl: 0,
                    ..POLICY
                },
                ..base.clone()
            },
            ErrorCode::InvalidOptions,
        ),
        (
            IssuerConfig {
                policy: SessionPolicy {
                    access_ttl: 99_999,
                    ..POLICY
                },
                ..base.clone()
            },
            ErrorCode::InvalidOptions,
        ),
    ] {
        assert_eq!(Issuer::new(config).unwrap_err().code(), code);
    }
}

/// Records which keys it signed with, and signs in process.
#[derive(Default)]
/// Records what the Issuer asks of its signer; while `checks_pass` is false it refuses every
/// signature.
struct RecordingSigner {
    calls: std::cell::RefCell<Vec<String>>,
    checks_pass: std::cell::Cell<bool>,
}

impl RecordingSigner {
    fn new() -> Self {
        RecordingSigner {
            calls: Default::default(),
            checks_pass: std::cell::Cell::new(true),
        }
    }
}

impl jwt_refresh::TokenSigner for RecordingSigner {
    async fn complete(&self, key: &Key, signing_input: String) -> jwt_refresh::Result<String> {
        let kid = key.kid().unwrap_or("");
        self.calls.borrow_mut().push(format!("sign {kid}"));
        jwt_refresh::RustSigner.complete(key, signing_input).await
    }

    fn check_now(
        &self,
        key: &Key,
        signing_input: &[u8],
        signature: &[u8],
    ) -> jwt_refresh::Result<bool> {
        let kid = key.kid().unwrap_or("");
        self.calls.borrow_mut().push(format!("check_now {kid}"));
        let valid = jwt_refresh::RustSigner.check_now(key, signing_input, signature)?;
        Ok(self.checks_pass.get() && valid)
    }

    async fn check(
        &self,
        key: &Key,
        signing_input: &[u8],
        signature: &[u8],
    ) -> jwt_refresh::Result<bool> {
        let kid = key.kid().unwrap_or("");
        self.calls.borrow_mut().push(format!("check {kid}"));
        let valid = jwt_refresh::RustSigner
            .check(key, signing_input, signature)
            .await?;
        Ok(self.checks_pass.get() && valid)
    }
}

#[test]
fn every_token_is_signed_and_every_access_token_checked_through_the_issuers_signer() {
    let issuer = Issuer::with_signer(config(Algorithm::Hs256), RecordingSigner::new()).unwrap();
    let store = TestStore::new();
    let pair = block_on(issuer.start_session(&store, "alice", Map::new(), T0)).unwrap();
    let next =
        block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, T0 + 61)).unwrap();
    assert!(issuer.verify_access(&next.access_token, T0 + 62).is_ok());
    assert_eq!(
        *issuer.signer().calls.borrow(),
        [
            "sign access-1",
            "sign refresh",
            "check access-1",
            "sign access-1",
            "sign refresh",
            "check_now access-1"
        ]
    );
}

#[test]
fn an_access_signature_the_signer_refuses_fails_verify_and_refresh_and_changes_nothing() {
    let issuer = Issuer::with_signer(config(Algorithm::Hs256), RecordingSigner::new()).unwrap();
    let store = TestStore::new();
    let pair = block_on(issuer.start_session(&store, "alice", Map::new(), T0)).unwrap();
    issuer.signer().checks_pass.set(false);
    let refused =
        block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, T0 + 61));
    assert_eq!(
        refused.err().map(|e| e.code()),
        Some(ErrorCode::InvalidSignature)
    );
    let refused = issuer.verify_access(&pair.access_token, T0 + 1);
    assert_eq!(
        refused.err().map(|e| e.code()),
        Some(ErrorCode::InvalidSignature)
    );
    // The session was not rotated: once the signer accepts, the same pair refreshes (after a
    // rotation, outside the grace window, it would be refresh_token_reused).
    issuer.signer().checks_pass.set(true);
    let later = T0 + 61 + 11; // past the 10-second grace window of POLICY
    assert!(
        block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, later)).is_ok()
    );
}

#[test]
fn the_memory_store_forgets_expired_sessions_as_logins_come() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let start =
        |sub: &str, now: i64| block_on(issuer.start_session(&store, sub, Map::new(), now)).unwrap();
    let old: Vec<_> = (0..100).map(|i| start(&format!("old-{i}"), T0)).collect();
    let rotate = |pair: &TokenPair, now: i64| {
        block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, now)).unwrap()
    };
    // Refreshed (twice, within the idle timeout): its record lives as long as its newest
    // refresh token.
    let refreshed = rotate(&rotate(&old[0], T0 + 1700), T0 + 3400);
    // Past the first refresh tokens' lifetime and grace window, before the rotated one's.
    let later = T0 + (POLICY.refresh_ttl + POLICY.grace_period) as i64 + 1;
    for i in 0..100 {
        start(&format!("new-{i}"), later);
    }
    assert_eq!(
        store.len(),
        101,
        "the 99 expired sessions are forgotten, the live ones kept"
    );
    assert!(store.read("old-0", &refreshed.session_id).is_some());
    let again = rotate(&refreshed, later);
    assert_eq!(again.session_id, refreshed.session_id);
}
