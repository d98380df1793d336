//! When the client refreshes, how it reads the server's clock, how it backs off, and when
//! it gives up. Pure functions of their inputs (the clock and the jitter are passed in).

use super::TokenSet;
use crate::http::is_expired_signal;

/// The server's clock as seen from here: skew measured from a token's `iat` on receipt.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServerClock {
    /// `server_time - local_time`, in seconds.
    pub skew: f64,
}

impl ServerClock {
    /// Measures the skew from a token issued (`iat`, server seconds) and received at `local_now`.
    /// The token left the server at or after `iat`, so the skew is at most this much off by
    /// the response's travel time, which errs towards refreshing early.
    pub fn from_issued_at(iat: f64, local_now: f64) -> ServerClock {
        ServerClock {
            skew: iat - local_now,
        }
    }

    /// Server time now, given the local time.
    pub fn server_now(&self, local_now: f64) -> f64 {
        local_now + self.skew
    }

    /// The local time at which the server's clock reads `server_time`.
    pub fn local_time_of(&self, server_time: f64) -> f64 {
        server_time - self.skew
    }
}

/// Exponential backoff with injected jitter: attempt `n` waits `base * 2^n`, capped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// First delay, in milliseconds.
    pub base_ms: f64,
    /// Largest delay, in milliseconds.
    pub max_ms: f64,
}

impl Backoff {
    /// The delay before retry `attempt` (0-based). `jitter` in [0, 1) spreads tabs apart
    /// (the delay is scaled into [50%, 100%]). A server's `Retry-After` wins when longer.
    pub fn delay_ms(&self, attempt: u32, jitter: f64, retry_after_ms: Option<f64>) -> f64 {
        let exponential = self.base_ms * 2f64.powi(attempt.min(30) as i32);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let delay = exponential.min(self.max_ms) * (0.5 + jitter / 2.0);
        match retry_after_ms {
            Some(server) if server.is_finite() => server.max(delay),
            _ => delay,
        }
    }
}

/// The client's refresh rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefreshPolicy {
    /// Refresh this many seconds before the access token expires (server clock).
    pub margin: f64,
    /// Give up after this many failed refresh attempts in a row (then `error`, not logout).
    pub max_attempts: u32,
    /// Backoff between attempts after network errors, 429 and 5xx.
    pub backoff: Backoff,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            margin: 30.0,
            max_attempts: 4,
            backoff: Backoff {
                base_ms: 500.0,
                max_ms: 30_000.0,
            },
        }
    }
}

impl RefreshPolicy {
    /// The local time (seconds) at which to refresh proactively. A lifetime shorter than
    /// twice the margin refreshes at half-life instead, so short tokens do not loop.
    pub fn refresh_at(&self, clock: &ServerClock, issued_at: f64, expires_at: f64) -> f64 {
        let lifetime = (expires_at - issued_at).max(0.0);
        let margin = self.margin.min(lifetime / 2.0);
        clock.local_time_of(expires_at - margin)
    }

    /// Whether a token expiring at `expires_at` (server time) should be refreshed before use.
    pub fn needs_refresh(&self, clock: &ServerClock, local_now: f64, expires_at: f64) -> bool {
        clock.server_now(local_now) >= expires_at - 1.0
    }
}

/// What became of the pair a refresh started from, by the pair the tab holds now: a refresh's
/// answer is used only while the tab still holds the pair it presented, so that a logout, a
/// new login or a newer pair from another tab that came meanwhile always wins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HeldPair<'a> {
    /// The tab still holds it (here): the refresh goes on.
    Same(&'a TokenSet),
    /// The tab holds nothing: logged out meanwhile.
    LoggedOut,
    /// The tab holds another pair (a login, or another tab's refresh): nothing left to do.
    Replaced,
}

impl<'a> HeldPair<'a> {
    /// `held`: the tab's pair now; `used`: the [`TokenSet::grant`] the refresh started from.
    ///
    /// ```
    /// use jwt_refresh::client::HeldPair;
    /// assert_eq!(HeldPair::of(None, "rt-1"), HeldPair::LoggedOut);
    /// ```
    pub fn of(held: Option<&'a TokenSet>, used: &str) -> HeldPair<'a> {
        match held {
            None => HeldPair::LoggedOut,
            Some(pair) if pair.grant() != used => HeldPair::Replaced,
            Some(pair) => HeldPair::Same(pair),
        }
    }
}

/// What the client does with an API answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiOutcome {
    /// Hand the response to the app.
    Deliver,
    /// The expired signal: refresh once and retry once.
    RefreshAndRetry,
    /// The expired signal right after a successful refresh: the loop breaker logs out.
    Logout,
}

impl ApiOutcome {
    /// Only the expired signal leads to a refresh; any other 401 is the app's business.
    pub fn classify(
        status: u16,
        www_authenticate: Option<&str>,
        just_refreshed: bool,
    ) -> ApiOutcome {
        if !is_expired_signal(status, www_authenticate) {
            ApiOutcome::Deliver
        } else if just_refreshed {
            ApiOutcome::Logout
        } else {
            ApiOutcome::RefreshAndRetry
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_clock_follows_iat() {
        let clock = ServerClock::from_issued_at(1000.0, 940.0); // local clock 60 s behind
        assert_eq!(clock.server_now(950.0), 1010.0);
        assert_eq!(clock.local_time_of(1100.0), 1040.0);
    }

    #[test]
    fn proactive_refresh_time() {
        let policy = RefreshPolicy::default();
        let clock = ServerClock::from_issued_at(1000.0, 940.0);
        // 15-minute token: 30 s before expiry, in local time.
        assert_eq!(
            policy.refresh_at(&clock, 1000.0, 1900.0),
            1900.0 - 30.0 - 60.0
        );
        // 20-second token: at half-life, not "already due".
        assert_eq!(policy.refresh_at(&clock, 1000.0, 1020.0), 1010.0 - 60.0);
        assert!(policy.needs_refresh(&clock, 960.0, 1020.0));
        assert!(!policy.needs_refresh(&clock, 950.0, 1020.0));
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let b = Backoff {
            base_ms: 100.0,
            max_ms: 1000.0,
        };
        assert_eq!(b.delay_ms(0, 0.999_999, None).round(), 100.0);
        assert_eq!(b.delay_ms(0, 0.0, None), 50.0);
        assert_eq!(b.delay_ms(3, 0.999_999, None).round(), 800.0);
        assert_eq!(b.delay_ms(10, 0.999_999, None).round(), 1000.0);
        assert_eq!(b.delay_ms(u32::MAX, 0.0, None), 500.0);
        assert_eq!(b.delay_ms(0, 0.0, Some(2000.0)), 2000.0);
        assert_eq!(b.delay_ms(0, f64::NAN, None), 50.0);
    }

    #[test]
    fn a_refresh_goes_on_only_while_its_pair_is_held() {
        let pair = |refresh: &str| TokenSet {
            access_token: None,
            access_issued_at: 0,
            access_expires_at: 60,
            refresh_token: refresh.into(),
            refresh_expires_at: 600,
            clock_skew: 0.0,
        };
        let held = pair("rt-1");
        assert_eq!(HeldPair::of(Some(&held), "rt-1"), HeldPair::Same(&held));
        assert_eq!(
            HeldPair::of(Some(&pair("rt-2")), "rt-1"),
            HeldPair::Replaced
        );
        assert_eq!(HeldPair::of(None, "rt-1"), HeldPair::LoggedOut);
    }

    #[test]
    fn api_answers() {
        let expired = Some(r#"Bearer error="invalid_token", error_description="token_expired""#);
        let other = Some(r#"Bearer error="invalid_token", error_description="invalid_signature""#);
        assert_eq!(
            ApiOutcome::classify(401, expired, false),
            ApiOutcome::RefreshAndRetry
        );
        assert_eq!(ApiOutcome::classify(401, expired, true), ApiOutcome::Logout);
        assert_eq!(ApiOutcome::classify(401, other, false), ApiOutcome::Deliver);
        assert_eq!(ApiOutcome::classify(401, None, false), ApiOutcome::Deliver);
        assert_eq!(
            ApiOutcome::classify(200, expired, false),
            ApiOutcome::Deliver
        );
    }
}
