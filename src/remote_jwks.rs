//! A key set fetched from a provider's JWKS URL and kept fresh: what jose's
//! `createRemoteJWKSet` decides, and what its users ask it for (Cache-Control, stale keys while
//! the endpoint fails, a shared cache), as a state machine with the clock injected. The wasm
//! layer fetches (one request in flight, shared by every verification waiting for it); this
//! decides when to fetch, what a response means, and whether a verification may use the keys.

use crate::error::{Error, ErrorCode, Result};
use crate::key_set::KeySet;

/// How a remote key set fetches and keeps its keys. Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteJwksOptions {
    /// How long fetched keys are used before asking again, when the response has no
    /// Cache-Control `max-age`; and the longest a `max-age` may keep them. jose's default:
    /// ten minutes.
    pub cache_max_age: i64,
    /// The least time between two fetches (a `kid` no key has, a failing endpoint: neither
    /// may send every verification to the network), and the least time keys are kept (a
    /// `max-age=0` or `no-store` answer is kept this long). jose's default: 30 seconds.
    pub cooldown: i64,
    /// A fetch that has not answered (body included) after this long fails. Five seconds.
    pub timeout: i64,
    /// How long past their freshness the last keys still verify while fetching fails (the
    /// provider is down, not the keys wrong). One hour; zero turns it off.
    pub stale_if_error: i64,
    /// The largest JWKS accepted, in bytes (providers publish a few KB). 256 KiB.
    pub max_body_bytes: usize,
}

impl Default for RemoteJwksOptions {
    fn default() -> Self {
        RemoteJwksOptions {
            cache_max_age: 600_000,
            cooldown: 30_000,
            timeout: 5_000,
            stale_if_error: 3_600_000,
            max_body_bytes: 256 * 1024,
        }
    }
}

/// What a verification needs before it can use the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwksStep {
    /// The keys held may be used.
    Use,
    /// Fetch first (or wait for the fetch already in flight), then ask again.
    Fetch,
}

/// A JWKS endpoint's answer, as the wasm layer read it.
#[derive(Debug, Clone, Copy)]
pub struct JwksResponse<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The `Cache-Control` header, if any.
    pub cache_control: Option<&'a str>,
    /// The body, as text (at most `max_body_bytes` + 1 bytes of it: more means too large).
    pub body: &'a str,
    /// For an answer from a shared cache: until when the fetch that stored it said it is fresh.
    pub shared_fresh_until: Option<i64>,
}

/// The keys of one JWKS URL and when to fetch them again.
///
/// ```
/// use jwt_refresh::{JwksResponse, JwksStep, RemoteJwks, RemoteJwksOptions};
/// let mut jwks = RemoteJwks::new(RemoteJwksOptions::default()).unwrap();
/// assert_eq!(jwks.step(0).unwrap(), JwksStep::Fetch);
/// jwks.fetch_started(0);
/// let body = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let response = JwksResponse { status: 200, cache_control: Some("max-age=300"), body,
///     shared_fresh_until: None };
/// jwks.fetched(120, Ok(response)).unwrap();
/// assert_eq!(jwks.step(120 + 299_999).unwrap(), JwksStep::Use);
/// assert_eq!(jwks.step(120 + 300_000).unwrap(), JwksStep::Fetch);
/// ```
#[derive(Debug, Clone)]
pub struct RemoteJwks {
    options: RemoteJwksOptions,
    keys: Option<KeySet>,
    /// Until when the keys are fresh (ms).
    fresh_until: i64,
    /// When the last fetch started.
    last_attempt: Option<i64>,
    /// Why the last fetch failed, until one succeeds.
    failure: Option<Error>,
}

impl RemoteJwks {
    /// A key set with nothing fetched yet. The times must be positive (the cooldown and the
    /// stale period may be zero) and the cooldown no longer than the cache's maximum age.
    pub fn new(options: RemoteJwksOptions) -> Result<RemoteJwks> {
        let invalid = |message: &str| Err(Error::new(ErrorCode::InvalidOptions, message));
        if options.cache_max_age <= 0 || options.timeout <= 0 || options.max_body_bytes == 0 {
            return invalid("cacheMaxAge, timeout and maxBodySize must be positive");
        }
        if options.cooldown < 0 || options.stale_if_error < 0 {
            return invalid("cooldown and staleIfError cannot be negative");
        }
        if options.cooldown > options.cache_max_age {
            return invalid("cooldown cannot be longer than cacheMaxAge");
        }
        Ok(RemoteJwks {
            options,
            keys: None,
            fresh_until: i64::MIN,
            last_attempt: None,
            failure: None,
        })
    }

    /// The options.
    pub fn options(&self) -> &RemoteJwksOptions {
        &self.options
    }

    /// The keys last fetched, fresh or not.
    pub fn keys(&self) -> Option<&KeySet> {
        self.keys.as_ref()
    }

    /// Until when the keys held are fresh; `None` before any were fetched.
    pub fn fresh_until(&self) -> Option<i64> {
        self.keys.as_ref().map(|_| self.fresh_until)
    }

    /// Why the last fetch failed, if it did (cleared by the next good answer).
    pub fn last_failure(&self) -> Option<&Error> {
        self.failure.as_ref()
    }

    /// What a verification at `now` needs: the keys when they are fresh; a fetch when they are
    /// stale or absent, unless one was tried within the cooldown: then the stale keys while
    /// they may still serve, else the last fetch's error.
    pub fn step(&self, now: i64) -> Result<JwksStep> {
        if self.keys.is_some() && now < self.fresh_until {
            return Ok(JwksStep::Use);
        }
        if !self.cooling_down(now) {
            return Ok(JwksStep::Fetch);
        }
        if self.stale_usable(now) {
            return Ok(JwksStep::Use);
        }
        Err(self.failure.clone().unwrap_or_else(|| {
            Error::new(
                ErrorCode::JwksFetchFailed,
                "the JWKS was fetched moments ago and holds no usable keys",
            )
        }))
    }

    /// Whether the keys may be used at `now`, fetching aside: fresh, or stale within
    /// `stale_if_error` of a failed fetch; otherwise the reason (the last fetch's error).
    pub fn usable(&self, now: i64) -> Result<()> {
        let fresh = self.keys.is_some() && now < self.fresh_until;
        let stale_allowed = self.failure.is_some() && self.stale_usable(now);
        match fresh || stale_allowed {
            true => Ok(()),
            false => Err(self.failure.clone().unwrap_or_else(|| {
                Error::new(ErrorCode::JwksFetchFailed, "the JWKS has no usable keys")
            })),
        }
    }

    /// A verification found no key for its token's `kid` (or algorithm) in keys fetched
    /// before `now`: whether to fetch once more, in case the provider rotated (not within
    /// the cooldown: a token naming a made-up `kid` must not send every request out).
    pub fn refetch_for_unknown_key(&self, now: i64) -> bool {
        !self.cooling_down(now)
    }

    /// A fetch starts at `now`.
    pub fn fetch_started(&mut self, now: i64) {
        self.last_attempt = Some(now);
    }

    /// How the fetch that started last ended, at `now`: the new keys, or its error (a network
    /// failure or a timeout: `jwks_fetch_failed`). `Ok` when keys may be used now (new ones,
    /// or stale ones while the endpoint fails); otherwise the error.
    pub fn fetched(&mut self, now: i64, response: Result<JwksResponse<'_>>) -> Result<()> {
        match response.and_then(|response| self.keys_of(now, &response)) {
            Ok((keys, fresh_until)) => {
                self.keys = Some(keys);
                self.fresh_until = fresh_until;
                self.failure = None;
                Ok(())
            }
            Err(error) => {
                self.failure = Some(error.clone());
                match self.stale_usable(now) {
                    true => Ok(()),
                    false => Err(error),
                }
            }
        }
    }

    /// Until when keys fetched at `now` with this Cache-Control are fresh: its `max-age`
    /// (`no-store` and `no-cache`: zero) within [cooldown, cacheMaxAge]; cacheMaxAge without one.
    pub fn freshness_end(&self, now: i64, cache_control: Option<&str>) -> i64 {
        let lowered = cache_control.map(str::to_ascii_lowercase);
        let parsed = lowered
            .as_deref()
            .and_then(cache_control::CacheControl::from_value);
        let max_age = parsed.map(|header| {
            let uncached =
                header.no_store || header.cachability == Some(cache_control::Cachability::NoCache);
            match (uncached, header.max_age) {
                (true, _) => Some(0),
                (false, age) => age.map(|age| i64::try_from(age.as_millis()).unwrap_or(i64::MAX)),
            }
        });
        let freshness = max_age.flatten().unwrap_or(self.options.cache_max_age);
        now.saturating_add(freshness.clamp(self.options.cooldown, self.options.cache_max_age))
    }

    fn keys_of(&self, now: i64, response: &JwksResponse<'_>) -> Result<(KeySet, i64)> {
        if !(200..300).contains(&response.status) {
            return Err(Error::new(
                ErrorCode::JwksFetchFailed,
                format!("the JWKS endpoint answered HTTP {}", response.status),
            ));
        }
        let invalid = |message: String| Error::new(ErrorCode::JwksInvalid, message);
        if response.body.len() > self.options.max_body_bytes {
            return Err(invalid(format!(
                "the JWKS is larger than {} bytes",
                self.options.max_body_bytes
            )));
        }
        let document: serde_json::Value = serde_json::from_str(response.body)
            .map_err(|err| invalid(format!("the JWKS is not JSON: {err}")))?;
        let keys = KeySet::from_jwks(&document)
            .map_err(|err| invalid(format!("the JWKS was refused: {}", err.message())))?;
        if keys.is_empty() {
            return Err(invalid(
                "the JWKS holds no key that verifies JWS signatures".into(),
            ));
        }
        let fresh_until = match response.shared_fresh_until {
            // A copy another isolate stored: as fresh as its fetch said, never longer than
            // this one's own bounds allow.
            Some(shared) => shared.min(now.saturating_add(self.options.cache_max_age)),
            None => self.freshness_end(now, response.cache_control),
        };
        Ok((keys, fresh_until))
    }

    fn cooling_down(&self, now: i64) -> bool {
        self.last_attempt
            .is_some_and(|attempt| now.saturating_sub(attempt) < self.options.cooldown)
    }

    /// Whether stale keys may still serve at `now` (their freshness plus `stale_if_error`).
    fn stale_usable(&self, now: i64) -> bool {
        self.keys.is_some() && now < self.fresh_until.saturating_add(self.options.stale_if_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = r#"{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;

    fn ok<'a>(body: &'a str, cache_control: Option<&'static str>) -> JwksResponse<'a> {
        JwksResponse {
            status: 200,
            cache_control,
            body,
            shared_fresh_until: None,
        }
    }

    fn jwks() -> RemoteJwks {
        RemoteJwks::new(RemoteJwksOptions::default()).unwrap()
    }

    #[test]
    fn cache_control_is_honoured_within_cooldown_and_cache_max_age() {
        let jwks = jwks();
        let at = |header| jwks.freshness_end(1_000, header) - 1_000;
        assert_eq!(at(None), 600_000);
        assert_eq!(at(Some("public, max-age=300")), 300_000);
        assert_eq!(at(Some("Max-Age=300, must-revalidate")), 300_000);
        assert_eq!(at(Some("max-age=86400")), 600_000, "at most cacheMaxAge");
        assert_eq!(at(Some("max-age=0")), 30_000, "at least the cooldown");
        assert_eq!(at(Some("no-store")), 30_000);
        assert_eq!(at(Some("no-cache, max-age=500")), 30_000);
        assert_eq!(at(Some("max-age=soon")), 600_000, "unparsable: the default");
        assert_eq!(at(Some("max-age=99999999999999999999")), 600_000);
    }

    #[test]
    fn options_are_checked() {
        for options in [
            RemoteJwksOptions {
                cooldown: 700_000,
                ..Default::default()
            },
            RemoteJwksOptions {
                timeout: 0,
                ..Default::default()
            },
            RemoteJwksOptions {
                stale_if_error: -1,
                ..Default::default()
            },
        ] {
            let err = RemoteJwks::new(options).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidOptions);
        }
    }

    #[test]
    fn responses_that_are_not_a_jwks_are_typed_errors() {
        let body = format!(r#"{{"keys":[{ED}]}}"#);
        let big = " ".repeat(256 * 1024 + 1);
        for (response, code) in [
            (
                JwksResponse {
                    status: 503,
                    ..ok(&body, None)
                },
                ErrorCode::JwksFetchFailed,
            ),
            (ok("<html>", None), ErrorCode::JwksInvalid),
            (ok(r#"{"keys":{}}"#, None), ErrorCode::JwksInvalid),
            (ok(r#"{"keys":[]}"#, None), ErrorCode::JwksInvalid),
            (
                ok(
                    r#"{"keys":[{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}"#,
                    None,
                ),
                ErrorCode::JwksInvalid,
            ),
            (ok(&big, None), ErrorCode::JwksInvalid),
        ] {
            let mut jwks = jwks();
            jwks.fetch_started(0);
            let err = jwks.fetched(10, Ok(response)).unwrap_err();
            assert_eq!(err.code(), code, "{}", err.message());
            assert!(jwks.keys().is_none());
        }
    }

    #[test]
    fn fresh_keys_are_used_then_fetched_again() {
        let body = format!(r#"{{"keys":[{ED}]}}"#);
        let mut jwks = jwks();
        assert_eq!(jwks.step(0).unwrap(), JwksStep::Fetch);
        jwks.fetch_started(0);
        jwks.fetched(50, Ok(ok(&body, Some("max-age=60")))).unwrap();
        assert_eq!(jwks.keys().unwrap().len(), 1);
        assert_eq!(jwks.step(60_049).unwrap(), JwksStep::Use);
        assert_eq!(jwks.step(60_050).unwrap(), JwksStep::Fetch);
    }

    #[test]
    fn a_failing_endpoint_is_not_asked_again_within_the_cooldown() {
        let mut jwks = jwks();
        jwks.fetch_started(0);
        let down = Error::new(ErrorCode::JwksFetchFailed, "connection refused");
        assert_eq!(
            jwks.fetched(5, Err(down)).unwrap_err().code(),
            ErrorCode::JwksFetchFailed
        );
        // Within the cooldown: the same error at once, no fetch.
        let err = jwks.step(29_999).unwrap_err();
        assert_eq!(err.message(), "connection refused");
        assert_eq!(jwks.step(30_000).unwrap(), JwksStep::Fetch);
    }

    #[test]
    fn stale_keys_serve_while_the_endpoint_fails_for_a_bounded_time() {
        let body = format!(r#"{{"keys":[{ED}]}}"#);
        let mut jwks = jwks();
        jwks.fetch_started(0);
        jwks.fetched(0, Ok(ok(&body, None))).unwrap();
        // Stale at 600 s: fetched again, which fails.
        assert_eq!(jwks.step(600_000).unwrap(), JwksStep::Fetch);
        jwks.fetch_started(600_000);
        let garbage = ok("{", None);
        jwks.fetched(600_010, Ok(garbage)).unwrap();
        assert_eq!(jwks.keys().unwrap().len(), 1, "the stale keys are kept");
        // Within the cooldown the stale keys serve without asking; after it, another fetch.
        assert_eq!(jwks.step(629_999).unwrap(), JwksStep::Use);
        assert_eq!(jwks.step(630_000).unwrap(), JwksStep::Fetch);
        // An hour past their freshness, stale keys serve no more.
        let late = 600_000 + 3_600_000;
        jwks.fetch_started(late);
        let down = Error::new(ErrorCode::JwksFetchFailed, "timed out");
        assert_eq!(
            jwks.fetched(late, Err(down)).unwrap_err().message(),
            "timed out"
        );
        assert_eq!(jwks.step(late + 1).unwrap_err().message(), "timed out");
        // A good answer ends it.
        jwks.fetch_started(late + 30_000);
        jwks.fetched(late + 30_000, Ok(ok(&body, None))).unwrap();
        assert_eq!(jwks.step(late + 30_001).unwrap(), JwksStep::Use);
    }

    #[test]
    fn usable_says_whether_keys_may_serve_whatever_the_cooldown() {
        let body = format!(r#"{{"keys":[{ED}]}}"#);
        let mut jwks = jwks();
        assert_eq!(
            jwks.usable(0).unwrap_err().code(),
            ErrorCode::JwksFetchFailed
        );
        jwks.fetch_started(0);
        jwks.fetched(0, Ok(ok(&body, None))).unwrap();
        assert!(jwks.usable(599_999).is_ok());
        // Stale without a failed fetch: not usable (the caller fetches first).
        assert!(jwks.usable(600_000).is_err());
        jwks.fetch_started(600_000);
        let down = Error::new(ErrorCode::JwksFetchFailed, "down");
        jwks.fetched(600_000, Err(down)).unwrap();
        assert!(jwks.usable(600_001).is_ok());
        assert_eq!(jwks.usable(4_200_000).unwrap_err().message(), "down");
    }

    #[test]
    fn an_unknown_kid_refetches_at_most_once_per_cooldown() {
        let body = format!(r#"{{"keys":[{ED}]}}"#);
        let mut jwks = jwks();
        jwks.fetch_started(0);
        jwks.fetched(0, Ok(ok(&body, None))).unwrap();
        assert!(!jwks.refetch_for_unknown_key(29_999));
        assert!(jwks.refetch_for_unknown_key(30_000));
        jwks.fetch_started(30_000);
        assert!(!jwks.refetch_for_unknown_key(30_001));
    }

    #[test]
    fn a_shared_copy_is_as_fresh_as_its_fetch_said() {
        let body = format!(r#"{{"keys":[{ED}]}}"#);
        let mut jwks = jwks();
        jwks.fetch_started(1_000);
        let shared = JwksResponse {
            shared_fresh_until: Some(61_000),
            ..ok(&body, None)
        };
        jwks.fetched(1_000, Ok(shared)).unwrap();
        assert_eq!(jwks.step(60_999).unwrap(), JwksStep::Use);
        assert_eq!(jwks.step(61_000).unwrap(), JwksStep::Fetch);
        // Never beyond this instance's own cacheMaxAge.
        let mut jwks = self::jwks();
        let far = JwksResponse {
            shared_fresh_until: Some(i64::MAX),
            ..ok(&body, None)
        };
        jwks.fetched(0, Ok(far)).unwrap();
        assert_eq!(jwks.step(600_000).unwrap(), JwksStep::Fetch);
    }
}
