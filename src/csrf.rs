//! Whether a cookie-authenticated request may act. A browser attaches cookies to requests
//! that other sites make it send (a form POST, a `fetch` with credentials); what it does not
//! let another site forge is its own `Sec-Fetch-Site` and `Origin` headers, and a JSON body
//! (a cross-site form can send only form encodings and `text/plain`; anything else needs a
//! CORS preflight that this server does not grant). Three checks, each refusing with
//! `csrf_rejected` and a message that names the header at fault.

use crate::error::{Error, ErrorCode, Result};
use crate::http::{media_type, RequestParts};

/// Which sites may use the cookies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsrfPolicy {
    /// Origins (`scheme://host[:port]`) besides the endpoint's own whose requests are
    /// accepted (for instance the app's, when the auth endpoints live on a sibling
    /// subdomain). Such an origin's requests are accepted when they are same-site.
    pub allowed_origins: Vec<String>,
    /// Accept any same-site request (`Sec-Fetch-Site: same-site`), not just those of the
    /// allowed origins.
    pub allow_same_site: bool,
}

fn refused(message: String) -> Error {
    Error::new(ErrorCode::CsrfRejected, message)
}

/// `scheme://host[:port]` in lower case, or `None` for anything else.
fn is_origin(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
}

impl CsrfPolicy {
    /// The allowed origins must be origins (`https://app.example`, no path, lower case).
    pub fn validate(&self) -> Result<()> {
        match self.allowed_origins.iter().find(|o| !is_origin(o)) {
            Some(bad) => Err(Error::new(
                ErrorCode::InvalidOptions,
                format!("allowedOrigins: {bad:?} is not an origin such as \"https://app.example\""),
            )),
            None => Ok(()),
        }
    }

    fn allows(&self, origin: &str, own: Option<&str>) -> bool {
        own == Some(origin) || self.allowed_origins.iter().any(|o| o == origin)
    }

    /// Accepts the request, or says which of its headers marks it as possibly another
    /// site's (`csrf_rejected`). Run before anything else, so that a refused request changes
    /// nothing.
    /// It reads the request's own origin, `Origin`, `Sec-Fetch-Site` and `Content-Type`.
    pub fn check(&self, site: &RequestParts<'_>) -> Result<()> {
        let origin = site.origin.map(str::trim);
        match site.sec_fetch_site.map(|s| s.trim().to_ascii_lowercase()) {
            None => {}
            Some(value) => match value.as_str() {
                "same-origin" | "none" => {}
                "same-site"
                    if self.allow_same_site
                        || origin.is_some_and(|o| self.allows(o, site.own_origin)) => {}
                "same-site" => {
                    return Err(refused(
                        "Sec-Fetch-Site: same-site, and neither allowSameSite nor allowedOrigins accepts it".into(),
                    ))
                }
                "cross-site" => {
                    return Err(refused(
                        "Sec-Fetch-Site: cross-site: cookies are not accepted from another site"
                            .into(),
                    ))
                }
                other => {
                    return Err(refused(format!(
                        "Sec-Fetch-Site: {other:?} is not a value browsers send"
                    )))
                }
            },
        }
        if let Some(origin) = origin {
            if !self.allows(origin, site.own_origin) {
                return Err(refused(format!(
                    "Origin {origin:?} is neither this endpoint's origin nor in allowedOrigins"
                )));
            }
        }
        if media_type(site.content_type) != "application/json" {
            return Err(refused(format!(
                "Content-Type {:?}: a cookie-authenticated request must be application/json, which a form on another site cannot send",
                site.content_type.unwrap_or_default()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://app.example";

    fn site<'a>(sec_fetch_site: Option<&'a str>, origin: Option<&'a str>) -> RequestParts<'a> {
        RequestParts {
            own_origin: Some(OWN),
            origin,
            sec_fetch_site,
            content_type: Some("application/json"),
            ..RequestParts::default()
        }
    }

    fn refusal(policy: &CsrfPolicy, site: &RequestParts<'_>) -> String {
        let err = policy.check(site).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CsrfRejected);
        err.message().to_owned()
    }

    #[test]
    fn same_origin_json_requests_pass() {
        let policy = CsrfPolicy::default();
        policy.check(&site(Some("same-origin"), Some(OWN))).unwrap();
        policy.check(&site(Some("Same-Origin"), None)).unwrap();
        // Old browsers and non-browser clients send neither header: the JSON body still
        // cannot come from a cross-site form.
        policy.check(&site(None, None)).unwrap();
        policy
            .check(&RequestParts {
                content_type: Some("application/json; charset=utf-8"),
                ..site(Some("same-origin"), Some(OWN))
            })
            .unwrap();
    }

    #[test]
    fn cross_site_requests_are_refused_whatever_their_origin() {
        let policy = CsrfPolicy {
            allowed_origins: vec!["https://partner.example".into()],
            allow_same_site: true,
        };
        let message = refusal(
            &policy,
            &site(Some("cross-site"), Some("https://partner.example")),
        );
        assert!(message.contains("cross-site"), "{message}");
        assert!(refusal(&policy, &site(Some("nonsense"), Some(OWN))).contains("nonsense"));
    }

    #[test]
    fn same_site_requests_need_an_opt_in() {
        let sibling = Some("https://login.app.example");
        let strict = CsrfPolicy::default();
        assert!(refusal(&strict, &site(Some("same-site"), sibling)).contains("same-site"));
        let listed = CsrfPolicy {
            allowed_origins: vec!["https://login.app.example".into()],
            allow_same_site: false,
        };
        listed.check(&site(Some("same-site"), sibling)).unwrap();
        let any_sibling = CsrfPolicy {
            allowed_origins: vec![],
            allow_same_site: true,
        };
        // Same-site is accepted, but an Origin that is not allowed is still refused.
        assert!(refusal(&any_sibling, &site(Some("same-site"), sibling)).contains("Origin"));
        any_sibling.check(&site(Some("same-site"), None)).unwrap();
    }

    #[test]
    fn a_foreign_or_null_origin_is_refused() {
        let policy = CsrfPolicy::default();
        for origin in ["https://evil.example", "null", "https://app.example.evil"] {
            let message = refusal(&policy, &site(None, Some(origin)));
            assert!(message.contains("Origin"), "{message}");
        }
    }

    #[test]
    fn bodies_a_form_can_send_are_refused() {
        let policy = CsrfPolicy::default();
        for content_type in [
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("text/plain"),
            Some("text/plain; application/json"),
            None,
        ] {
            let request = RequestParts {
                content_type,
                ..site(Some("same-origin"), Some(OWN))
            };
            assert!(refusal(&policy, &request).contains("application/json"));
        }
    }

    #[test]
    fn allowed_origins_must_be_origins() {
        for bad in [
            "app.example",
            "https://app.example/",
            "https://App.example",
            "ftp://x",
        ] {
            let policy = CsrfPolicy {
                allowed_origins: vec![bad.into()],
                allow_same_site: false,
            };
            assert_eq!(
                policy.validate().unwrap_err().code(),
                ErrorCode::InvalidOptions
            );
        }
        CsrfPolicy {
            allowed_origins: vec!["http://127.0.0.1:8787".into()],
            allow_same_site: false,
        }
        .validate()
        .unwrap();
    }
}
