//! The Issuer of the test files that need one and nothing particular of it: HS256 keys,
//! 60-second access tokens, 1-hour refresh tokens and idle timeout, 8-hour sessions and a
//! 10-second grace window.

use jwt_refresh::{Algorithm, Issuer, IssuerConfig, Key, SessionPolicy};

/// That Issuer, naming itself `issuer` (`iss`) for the audience "api".
pub fn hs256_issuer(issuer: &str) -> Issuer {
    Issuer::new(IssuerConfig {
        signing_key: Key::generate(Algorithm::Hs256, Some("a".into())).unwrap(),
        previous_keys: vec![],
        refresh_key: Key::generate(Algorithm::Hs256, None).unwrap(),
        issuer: issuer.into(),
        audience: vec!["api".into()],
        policy: SessionPolicy {
            access_ttl: 60,
            refresh_ttl: 3600,
            session_lifetime: 8 * 3600,
            idle_timeout: 3600,
            grace_period: 10,
        },
        clock_tolerance: 0,
    })
    .unwrap()
}
