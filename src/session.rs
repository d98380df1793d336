//! A refresh session: what the store keeps, and the pure rules of refresh (docs/security.md#sessions).

use crate::claims::ClaimsSet;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// What the store holds for one session. No bearer secret: refresh tokens are MACed with a
/// server-only key, and the record keeps only the generation counter of the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Session id (`sid` claim of both tokens).
    pub sid: String,
    /// Subject.
    pub sub: String,
    /// Generation of the current refresh token; rotated on every refresh.
    pub generation: u64,
    /// When the session started (absolute lifetime counts from here).
    pub created_at: i64,
    /// When the current generation was issued (grace window counts from here).
    pub rotated_at: i64,
    /// When the session was last refreshed or started (idle timeout counts from here).
    pub last_used_at: i64,
    /// `exp` of the current refresh token.
    pub refresh_expires_at: i64,
    /// Why the session was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// Custom claims copied into every access token of the session.
    #[serde(default)]
    pub claims: ClaimsSet,
    /// The RFC 7638 thumbprint of the DPoP key the session is bound to (RFC 9449): its access
    /// tokens carry it as `cnf.jkt`, and a refresh needs a proof by that key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
    /// The DPoP proof ids its refreshes used, each until it could no longer be presented: a
    /// replayed refresh proof is refused (consistent where the store is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dpop_proofs: Vec<(String, i64)>,
}

/// Lifetimes and windows of a session, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Access token lifetime (minutes, typically).
    pub access_ttl: u64,
    /// Refresh token lifetime (days, typically); renewed on each rotation.
    pub refresh_ttl: u64,
    /// Absolute session lifetime: no refresh past `created_at + session_lifetime`.
    pub session_lifetime: u64,
    /// Idle timeout: no refresh past `last_used_at + idle_timeout`.
    pub idle_timeout: u64,
    /// How long after a rotation the previous refresh token still returns the current one.
    /// It also covers a rotation whose write outlived the store's timeout: the client was told
    /// `store_unavailable`, but the write may have landed, and the client's retry with the same
    /// tokens must then get the current pair, not revoke the session as reuse. The default
    /// (30 s) outlasts the browser client's default retries, each bounded by the default store
    /// timeout ([`crate::DEFAULT_STORE_TIMEOUT_MS`]).
    pub grace_period: u64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            access_ttl: 15 * 60,
            refresh_ttl: 14 * 86_400,
            session_lifetime: 30 * 86_400,
            idle_timeout: 14 * 86_400,
            grace_period: 30,
        }
    }
}

impl SessionPolicy {
    /// Refuses policies that cannot work (zero lifetimes, access outliving the session).
    pub fn validate(&self) -> Result<()> {
        let invalid = |m: &str| Err(Error::new(ErrorCode::InvalidOptions, m));
        if self.access_ttl == 0 || self.refresh_ttl == 0 || self.session_lifetime == 0 {
            return invalid("lifetimes must be positive");
        }
        if self.idle_timeout == 0 {
            return invalid("idleTimeout must be positive");
        }
        if self.access_ttl > self.session_lifetime {
            return invalid("the access token TTL exceeds the session lifetime");
        }
        // Keep every time computation well inside i64.
        let limit = 100 * 365 * 86_400;
        if [
            self.access_ttl,
            self.refresh_ttl,
            self.session_lifetime,
            self.idle_timeout,
            self.grace_period,
        ]
        .iter()
        .any(|&s| s > limit)
        {
            return invalid("lifetimes are limited to 100 years");
        }
        Ok(())
    }

    /// The hard end of a session.
    pub fn session_end(&self, record: &SessionRecord) -> i64 {
        record
            .created_at
            .saturating_add(self.session_lifetime as i64)
    }

    /// A new session's record.
    pub fn start(&self, sub: &str, sid: &str, claims: ClaimsSet, now: i64) -> SessionRecord {
        let mut record = SessionRecord {
            sid: sid.to_owned(),
            sub: sub.to_owned(),
            generation: 1,
            created_at: now,
            rotated_at: now,
            last_used_at: now,
            refresh_expires_at: 0,
            revoked: None,
            claims,
            jkt: None,
            dpop_proofs: Vec::new(),
        };
        record.refresh_expires_at = self.refresh_expiry(&record, now);
        record
    }

    fn refresh_expiry(&self, record: &SessionRecord, now: i64) -> i64 {
        now.saturating_add(self.refresh_ttl as i64)
            .min(self.session_end(record))
    }

    /// The `exp` of an access token issued now.
    pub fn access_expiry(&self, record: &SessionRecord, now: i64) -> i64 {
        now.saturating_add(self.access_ttl as i64)
            .min(self.session_end(record))
    }

    /// The rule of refresh: what to do with a (verified) refresh token of generation
    /// `generation`, given the session as stored.
    pub fn decide(&self, record: &SessionRecord, generation: u64, now: i64) -> Decision {
        if record.revoked.is_some() {
            return Decision::Reject(Error::new(
                ErrorCode::SessionRevoked,
                "the session was revoked",
            ));
        }
        if now >= self.session_end(record) {
            return Decision::Reject(Error::new(
                ErrorCode::SessionExpired,
                "the session reached its absolute lifetime",
            ));
        }
        if now >= record.last_used_at.saturating_add(self.idle_timeout as i64) {
            return Decision::Reject(Error::new(
                ErrorCode::SessionExpired,
                "the session was idle too long",
            ));
        }
        if generation == record.generation {
            let mut next = record.clone();
            next.generation += 1;
            next.rotated_at = now;
            next.last_used_at = now;
            next.refresh_expires_at = self.refresh_expiry(record, now);
            return Decision::Rotate(next);
        }
        if generation.checked_add(1) == Some(record.generation)
            && now < record.rotated_at.saturating_add(self.grace_period as i64)
        {
            return Decision::ReturnCurrent;
        }
        if generation < record.generation {
            let mut revoked = record.clone();
            revoked.revoked = Some("reuse".into());
            return Decision::Revoke(revoked);
        }
        // A token newer than the record: the store is behind (e.g. KV replication lag).
        Decision::Reject(Error::new(
            ErrorCode::StoreConflict,
            "the store has not seen this refresh token's generation yet",
        ))
    }

    /// The rule for a verified refresh token past its `exp`: it never rotates
    /// (`refresh_token_expired`), but the rest of [`SessionPolicy::decide`] holds — an older
    /// generation is reuse and revokes the session, so a thief who rotated first does not
    /// keep it once the victim's token has expired; a repeat inside the grace window still
    /// answers the current token.
    pub fn decide_expired(&self, record: &SessionRecord, generation: u64, now: i64) -> Decision {
        if record.revoked.is_none() && generation == record.generation {
            return Decision::Reject(Error::new(
                ErrorCode::RefreshTokenExpired,
                "the refresh token has expired",
            ));
        }
        self.decide(record, generation, now)
    }
}

/// The outcome of [`SessionPolicy::decide`].
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Normal use: store this record (one generation later) and issue its tokens.
    Rotate(SessionRecord),
    /// A repeat inside the grace window: answer the current refresh token, change nothing.
    ReturnCurrent,
    /// Reuse after the grace window: store this revoked record, answer `refresh_token_reused`.
    Revoke(SessionRecord),
    /// Refuse, changing nothing.
    Reject(Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_000_000;
    const P: SessionPolicy = SessionPolicy {
        access_ttl: 60,
        refresh_ttl: 3600,
        session_lifetime: 7200,
        idle_timeout: 1800,
        grace_period: 10,
    };

    fn code(decision: Decision) -> ErrorCode {
        match decision {
            Decision::Reject(err) => err.code(),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn start_caps_the_refresh_token_at_the_session_end() {
        let short = SessionPolicy {
            session_lifetime: 600,
            ..P
        };
        let r = short.start("u", "s", ClaimsSet::new(), T0);
        assert_eq!((r.generation, r.refresh_expires_at), (1, T0 + 600));
        assert_eq!(short.access_expiry(&r, T0 + 590), T0 + 600);
    }

    #[test]
    fn current_generation_rotates() {
        let r = P.start("u", "s", ClaimsSet::new(), T0);
        let Decision::Rotate(next) = P.decide(&r, 1, T0 + 100) else {
            panic!()
        };
        assert_eq!(
            (next.generation, next.rotated_at, next.last_used_at),
            (2, T0 + 100, T0 + 100)
        );
        assert_eq!(next.refresh_expires_at, T0 + 100 + 3600);
        assert_eq!((next.created_at, next.revoked.clone()), (T0, None));
    }

    #[test]
    fn previous_generation_inside_the_window_returns_current() {
        let r = P.start("u", "s", ClaimsSet::new(), T0);
        let Decision::Rotate(next) = P.decide(&r, 1, T0 + 100) else {
            panic!()
        };
        assert_eq!(P.decide(&next, 1, T0 + 109), Decision::ReturnCurrent);
        let Decision::Revoke(revoked) = P.decide(&next, 1, T0 + 110) else {
            panic!()
        };
        assert_eq!(revoked.revoked.as_deref(), Some("reuse"));
        assert_eq!(revoked.generation, 2);
    }

    #[test]
    fn rejections() {
        let r = P.start("u", "s", ClaimsSet::new(), T0);
        assert_eq!(code(P.decide(&r, 2, T0 + 1)), ErrorCode::StoreConflict);
        assert_eq!(code(P.decide(&r, 1, T0 + 1800)), ErrorCode::SessionExpired);
        let mut busy = r.clone();
        busy.last_used_at = T0 + 7000;
        assert_eq!(
            code(P.decide(&busy, 1, T0 + 7200)),
            ErrorCode::SessionExpired
        );
        assert!(matches!(P.decide(&busy, 1, T0 + 7199), Decision::Rotate(_)));
        let mut revoked = r;
        revoked.revoked = Some("logout".into());
        assert_eq!(
            code(P.decide(&revoked, 1, T0 + 1)),
            ErrorCode::SessionRevoked
        );
    }
}
