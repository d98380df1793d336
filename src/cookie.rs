//! Cookie mode: the refresh token, and a copy of the access token for the refresh request,
//! travel as `HttpOnly; Secure` cookies scoped to the auth path, so that no page script can
//! read the refresh token and a reloaded tab can still refresh (the refresh request needs
//! both tokens). Cookies are built and read here; which requests may use them is
//! [`crate::csrf`]'s decision.
//!
//! Parsing is RFC 6265 §4.2 and §5.4 for the `Cookie` header only (names and values, no
//! attributes); the `cookie` crate would bring the `time` crate into the edge build for it.

use crate::csrf::CsrfPolicy;
use crate::error::{Error, ErrorCode, Result};
use crate::http::DEFAULT_SESSION_HINT;

/// Browsers keep cookies of at most 4096 bytes (name, value and attributes, RFC 6265 §6.1);
/// a longer one is dropped without a word, which would log the user out at the next reload.
pub const MAX_COOKIE_BYTES: usize = 4096;

/// The `SameSite` attribute (RFC 6265bis §5.4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Never sent with a request from another site (the default).
    Strict,
    /// Sent with top-level navigations from another site.
    Lax,
    /// Sent with every request (the CSRF checks still apply).
    None,
}

impl SameSite {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }

    /// `Strict`, `Lax` or `None`, in any case.
    pub fn parse(text: &str) -> Option<SameSite> {
        [SameSite::Strict, SameSite::Lax, SameSite::None]
            .into_iter()
            .find(|same_site| same_site.as_str().eq_ignore_ascii_case(text))
    }
}

/// How long the browser keeps the cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieLifetime {
    /// As long as the refresh token lives (`Max-Age` = its remaining lifetime): a session
    /// that survives closing the browser (the default).
    RefreshToken,
    /// Until the browser closes (no `Max-Age`).
    BrowserSession,
    /// This many seconds.
    Seconds(i64),
}

/// Cookie mode's settings: the cookies' names and attributes, and the CSRF policy of the
/// endpoints they authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieMode {
    /// The refresh token's cookie (default `__Secure-refresh_token`).
    pub refresh_name: String,
    /// The access token copy's cookie (default `__Secure-access_token`).
    pub access_name: String,
    /// The path both are scoped to: the refresh and logout endpoints live under it (default
    /// `/auth`). Only requests under it carry the cookies.
    pub path: String,
    /// Default `Strict`.
    pub same_site: SameSite,
    /// Default: the refresh token's lifetime.
    pub lifetime: CookieLifetime,
    /// Which requests may use the cookies.
    pub csrf: CsrfPolicy,
    /// A cookie page scripts can read, set and cleared with the others, that says only that
    /// the browser holds a session (value `1`, `Path=/`, not `HttpOnly`): a page of the same
    /// origin starts signed out without a refresh request when it is absent. Default
    /// `__Host-jwt-refresh-session`; `None`: not set.
    pub session_hint: Option<String>,
}

impl Default for CookieMode {
    fn default() -> CookieMode {
        CookieMode {
            refresh_name: "__Secure-refresh_token".into(),
            access_name: "__Secure-access_token".into(),
            path: "/auth".into(),
            same_site: SameSite::Strict,
            lifetime: CookieLifetime::RefreshToken,
            csrf: CsrfPolicy::default(),
            session_hint: Some(DEFAULT_SESSION_HINT.into()),
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidOptions, message)
}

/// RFC 6265 §4.1.1 `cookie-name` (an RFC 2616 token).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 §4.1.1 `cookie-octet`s (what a JWT is made of, and more).
fn is_cookie_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\",;\\".contains(&b))
}

impl CookieMode {
    /// Checks the settings once, when the Issuer is made: names are cookie names, distinct;
    /// the path is absolute; a `__Host-` name needs the path `/` (the prefix forbids any
    /// other), and `SameSite=None` needs an explicit list of allowed origins.
    pub fn validate(&self) -> Result<()> {
        let tokens = [&self.refresh_name, &self.access_name];
        for name in tokens.into_iter().chain(&self.session_hint) {
            if !is_token(name) {
                return Err(invalid(format!(
                    "cookie name {name:?} is not a cookie name (RFC 6265 token)"
                )));
            }
        }
        // The hint's path is always "/": only the tokens' cookies follow `path`.
        for name in tokens {
            if name.starts_with("__Host-") && self.path != "/" {
                return Err(invalid(format!(
                    "cookie {name:?}: a __Host- cookie must have the path \"/\"; use the __Secure- prefix to scope it to {:?}",
                    self.path
                )));
            }
        }
        if let Some(hint) = self
            .session_hint
            .as_ref()
            .filter(|hint| tokens.contains(hint))
        {
            return Err(invalid(format!(
                "the session hint cookie {hint:?} needs a name of its own"
            )));
        }
        if self.refresh_name == self.access_name {
            return Err(invalid(
                "the refresh and access cookies need different names",
            ));
        }
        if !self.path.starts_with('/') || !is_cookie_value(&self.path) {
            return Err(invalid(format!(
                "cookie path {:?} must start with / and hold no ; or spaces",
                self.path
            )));
        }
        if let CookieLifetime::Seconds(seconds) = self.lifetime {
            if seconds <= 0 {
                return Err(invalid("the cookie lifetime must be positive"));
            }
        }
        if self.same_site == SameSite::None && self.csrf.allowed_origins.is_empty() {
            return Err(invalid(
                "SameSite=None sends the cookies from every site: list the sites in allowedOrigins (or keep Strict)",
            ));
        }
        self.csrf.validate()
    }

    /// The tokens' attributes; the hint's (`for_hint`) differ in `Path=/` and no `HttpOnly`.
    fn attributes(&self, max_age: Option<i64>, for_hint: bool) -> String {
        let mut attributes = format!("; Path={}", if for_hint { "/" } else { &self.path });
        if let Some(max_age) = max_age {
            attributes.push_str(&format!("; Max-Age={}", max_age.max(0)));
        }
        attributes.push_str(if for_hint { "" } else { "; HttpOnly" });
        attributes.push_str("; Secure; SameSite=");
        attributes.push_str(self.same_site.as_str());
        attributes
    }

    fn max_age(&self, refresh_expires_in: i64) -> Option<i64> {
        match self.lifetime {
            CookieLifetime::RefreshToken => Some(refresh_expires_in),
            CookieLifetime::BrowserSession => None,
            CookieLifetime::Seconds(seconds) => Some(seconds),
        }
    }

    /// The `Set-Cookie` value of the session hint, kept as long as the tokens' cookies
    /// (`None` without a hint).
    pub fn set_hint(&self, refresh_expires_in: i64) -> Option<String> {
        let name = self.session_hint.as_ref()?;
        let attributes = self.attributes(self.max_age(refresh_expires_in), true);
        Some(format!("{name}=1{attributes}"))
    }

    /// A `Set-Cookie` value for `name` holding a token, kept for `refresh_expires_in` seconds
    /// under the default lifetime. Longer than browsers keep is `cookie_too_large`.
    pub fn set_cookie(&self, name: &str, token: &str, refresh_expires_in: i64) -> Result<String> {
        if !is_cookie_value(token) {
            return Err(Error::new(
                ErrorCode::MalformedToken,
                format!("cookie {name}: the token holds characters a cookie cannot carry"),
            ));
        }
        let max_age = self.max_age(refresh_expires_in);
        let cookie = format!("{name}={token}{}", self.attributes(max_age, false));
        if cookie.len() > MAX_COOKIE_BYTES {
            return Err(Error::new(
                ErrorCode::CookieTooLarge,
                format!(
                    "cookie {name} would be {} bytes; browsers keep at most {MAX_COOKIE_BYTES} (fewer or shorter custom claims)",
                    cookie.len()
                ),
            ));
        }
        Ok(cookie)
    }

    /// `Set-Cookie` values that remove the cookies (same name, path and attributes,
    /// `Max-Age=0`): both tokens', and the hint's.
    pub fn clear_cookies(&self) -> Vec<String> {
        let tokens = [&self.refresh_name, &self.access_name]
            .map(|name| format!("{name}={}", self.attributes(Some(0), false)));
        let hint = (self.session_hint.as_ref())
            .map(|name| format!("{name}={}", self.attributes(Some(0), true)));
        tokens.into_iter().chain(hint).collect()
    }
}

/// The value of the cookie `name` in a `Cookie` header (several headers joined with `, ` or
/// `; ` are read alike: neither can occur in a cookie value). Pairs without `=` are skipped.
/// The same name twice with different values is refused (`invalid_request`): which one is
/// current cannot be told, and a sibling subdomain may have planted one.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Result<Option<&'a str>> {
    let mut found: Option<&str> = None;
    for pair in header.split([';', ',']) {
        let Some((pair_name, value)) = pair.split_once('=') else {
            continue;
        };
        if pair_name.trim() != name {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if value.is_empty() || !is_cookie_value(value) {
            continue;
        }
        match found {
            Some(seen) if seen != value => {
                return Err(Error::new(
                    ErrorCode::InvalidRequest,
                    format!("the cookie {name} is sent twice with different values"),
                ))
            }
            _ => found = Some(value),
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_become_http_only_secure_strict_cookies_on_the_auth_path() {
        let mode = CookieMode::default();
        mode.validate().unwrap();
        let cookie = mode.set_cookie(&mode.refresh_name, "a.b.c", 3600).unwrap();
        assert_eq!(
            cookie,
            "__Secure-refresh_token=a.b.c; Path=/auth; Max-Age=3600; HttpOnly; Secure; SameSite=Strict"
        );
        let session = CookieMode {
            lifetime: CookieLifetime::BrowserSession,
            same_site: SameSite::Lax,
            ..CookieMode::default()
        };
        assert_eq!(
            session.set_cookie("n", "v", 60).unwrap(),
            "n=v; Path=/auth; HttpOnly; Secure; SameSite=Lax"
        );
        let fixed = CookieMode {
            lifetime: CookieLifetime::Seconds(90),
            ..CookieMode::default()
        };
        assert!(fixed
            .set_cookie("n", "v", 60)
            .unwrap()
            .contains("Max-Age=90;"));
    }

    #[test]
    fn clearing_repeats_name_path_and_attributes_with_max_age_zero() {
        let mode = CookieMode::default();
        let [refresh, access, hint] = &mode.clear_cookies()[..] else {
            panic!("three cookies to clear");
        };
        assert_eq!(
            refresh,
            "__Secure-refresh_token=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
        );
        assert!(access.starts_with("__Secure-access_token=; Path=/auth; Max-Age=0;"));
        assert_eq!(
            hint,
            "__Host-jwt-refresh-session=; Path=/; Max-Age=0; Secure; SameSite=Strict"
        );
        let no_hint = CookieMode {
            session_hint: None,
            ..CookieMode::default()
        };
        assert_eq!(no_hint.clear_cookies().len(), 2);
    }

    #[test]
    fn the_session_hint_is_readable_site_wide_and_lives_as_long_as_the_tokens() {
        let mode = CookieMode::default();
        assert_eq!(
            mode.set_hint(3600).unwrap(),
            "__Host-jwt-refresh-session=1; Path=/; Max-Age=3600; Secure; SameSite=Strict"
        );
        let session = CookieMode {
            lifetime: CookieLifetime::BrowserSession,
            session_hint: Some("signed-in".into()),
            ..CookieMode::default()
        };
        assert_eq!(
            session.set_hint(3600).unwrap(),
            "signed-in=1; Path=/; Secure; SameSite=Strict"
        );
        let none = CookieMode {
            session_hint: None,
            ..CookieMode::default()
        };
        assert_eq!(none.set_hint(3600), None);
        for bad in ["a b", "__Secure-refresh_token", "__Secure-access_token", ""] {
            let mode = CookieMode {
                session_hint: Some(bad.into()),
                ..CookieMode::default()
            };
            assert_eq!(
                mode.validate().unwrap_err().code(),
                ErrorCode::InvalidOptions,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_cookie_browsers_would_drop_is_an_error_when_made() {
        let mode = CookieMode::default();
        let overhead = mode.set_cookie("n", "", 3600).unwrap().len();
        let fits = "x".repeat(MAX_COOKIE_BYTES - overhead);
        assert_eq!(
            mode.set_cookie("n", &fits, 3600).unwrap().len(),
            MAX_COOKIE_BYTES
        );
        let err = mode.set_cookie("n", &format!("{fits}x"), 3600).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CookieTooLarge);
        assert!(err.message().contains("4097 bytes"), "{}", err.message());
        let err = mode.set_cookie("n", "a;b", 3600).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MalformedToken);
    }

    #[test]
    fn settings_are_checked_when_made() {
        let bad = |mode: CookieMode| mode.validate().unwrap_err().message().to_owned();
        assert!(bad(CookieMode {
            refresh_name: "__Host-rt".into(),
            ..CookieMode::default()
        })
        .contains("__Host-"));
        CookieMode {
            refresh_name: "__Host-rt".into(),
            access_name: "__Host-at".into(),
            path: "/".into(),
            ..CookieMode::default()
        }
        .validate()
        .unwrap();
        for name in ["", "a b", "a=b", "a;b", "ünï"] {
            assert!(bad(CookieMode {
                refresh_name: name.into(),
                ..CookieMode::default()
            })
            .contains("not a cookie name"));
        }
        assert!(bad(CookieMode {
            access_name: "__Secure-refresh_token".into(),
            ..CookieMode::default()
        })
        .contains("different names"));
        for path in ["auth", "/a;b", "/a b"] {
            assert!(bad(CookieMode {
                path: path.into(),
                ..CookieMode::default()
            })
            .contains("path"));
        }
        assert!(bad(CookieMode {
            lifetime: CookieLifetime::Seconds(0),
            ..CookieMode::default()
        })
        .contains("positive"));
        assert!(bad(CookieMode {
            same_site: SameSite::None,
            ..CookieMode::default()
        })
        .contains("allowedOrigins"));
    }

    #[test]
    fn cookie_headers_are_read_by_exact_name() {
        let header = "theme=dark; __Secure-refresh_token=r.r.r;__Secure-access_token=\"a.a.a\"";
        assert_eq!(
            cookie_value(header, "__Secure-refresh_token").unwrap(),
            Some("r.r.r")
        );
        assert_eq!(
            cookie_value(header, "__Secure-access_token").unwrap(),
            Some("a.a.a")
        );
        assert_eq!(cookie_value(header, "refresh_token").unwrap(), None);
        assert_eq!(cookie_value("", "x").unwrap(), None);
        // Two Cookie headers joined by a proxy or by Headers.get.
        assert_eq!(cookie_value("a=1, x=2", "x").unwrap(), Some("2"));
    }

    #[test]
    fn malformed_pairs_are_skipped_and_conflicting_duplicates_refused() {
        assert_eq!(cookie_value("x; =y; x=", "x").unwrap(), None);
        assert_eq!(cookie_value("garbage;;; x=ok", "x").unwrap(), Some("ok"));
        assert_eq!(cookie_value("x=a\\b; x=ok", "x").unwrap(), Some("ok"));
        assert_eq!(cookie_value("x=same; x=same", "x").unwrap(), Some("same"));
        let err = cookie_value("x=one; x=two", "x").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRequest);
        assert!(err.message().contains("twice"));
    }

    #[test]
    fn same_site_parses_in_any_case() {
        assert_eq!(SameSite::parse("strict"), Some(SameSite::Strict));
        assert_eq!(SameSite::parse("LAX"), Some(SameSite::Lax));
        assert_eq!(SameSite::parse("None"), Some(SameSite::None));
        assert_eq!(SameSite::parse("sometimes"), None);
    }
}
