//! The HTTP contract (docs/wire-format.md), as data: both sides build and recognise the same
//! responses. RFC 6750 §3 for 401s, RFC 6749 §5–6 for the refresh request and answers.

#[cfg(any(feature = "edge", feature = "browser"))]
/// Cookie mode's session hint: the readable cookie the Issuer sets beside the session's
/// (value `1`, `Path=/`), and the one the client looks for before refreshing at start.
pub const DEFAULT_SESSION_HINT: &str = "__Host-jwt-refresh-session";

#[cfg(feature = "edge")]
use crate::cookie::{cookie_value, CookieMode};
#[cfg(feature = "edge")]
use crate::error::{Error, ErrorCode, Result};
#[cfg(feature = "edge")]
use crate::issuer::TokenPair;
#[cfg(feature = "edge")]
use crate::members::{read_members, Member};
#[cfg(feature = "edge")]
use serde::Deserialize;

#[cfg(feature = "edge")]
/// A response to send: status, headers and a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: String,
}

#[cfg(feature = "edge")]
fn json_response(status: u16, mut headers: Vec<(String, String)>, body: String) -> HttpResponse {
    headers.push(("content-type".into(), "application/json".into()));
    // Token-bearing and auth-error answers must not be cached (RFC 6749 §5.1).
    headers.push(("cache-control".into(), "no-store".into()));
    HttpResponse {
        status,
        headers,
        body,
    }
}

#[cfg(feature = "edge")]
/// A body's JSON text, by serde_json's writer as every other JSON here (neither a token
/// response nor an error body can fail to serialize).
fn json_text(body: &impl serde::Serialize) -> String {
    serde_json::to_string(body).unwrap_or_default()
}

#[cfg(feature = "edge")]
/// An OAuth error body (RFC 6749 §5.2, RFC 6750 §3): `error`, and the code or sentence that
/// says more. A struct, so that every error body is written by one serializer.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[cfg(feature = "edge")]
fn error_body(error: &str, description: Option<&str>) -> String {
    json_text(&ErrorBody {
        error,
        error_description: description,
        message: None,
    })
}

#[cfg(feature = "edge")]
/// 401 for a failed access-token check. Only `token_expired` carries the expired signal;
/// every failure names its code in `error_description` and the body.
pub fn unauthorized(err: &Error) -> HttpResponse {
    unauthorized_in("Bearer", err)
}

#[cfg(feature = "edge")]
/// [`unauthorized`] in the scheme the token came with: a DPoP-bound token's challenge is
/// `DPoP` (RFC 9449 §7.1), with the same `invalid_token` error and code.
pub fn unauthorized_in(scheme: &str, err: &Error) -> HttpResponse {
    let code = err.code().as_str();
    json_response(
        401,
        vec![(
            "www-authenticate".into(),
            format!(r#"{scheme} error="invalid_token", error_description="{code}""#),
        )],
        error_body(code, None),
    )
}

#[cfg(feature = "edge")]
/// 503 for a protected request whose token cannot be checked now: the keys to check it with
/// could not be fetched (`jwks_fetch_failed`, `jwks_invalid`). Not a 401: the token may be
/// good, and a client must not take it for the expired signal or a logout.
pub fn keys_unavailable(err: &Error) -> HttpResponse {
    json_response(
        503,
        vec![("retry-after".into(), "5".into())],
        error_body("temporarily_unavailable", Some(err.code().as_str())),
    )
}

#[cfg(feature = "edge")]
/// The `token_type` of a pair: "DPoP" when it is bound to a DPoP key (RFC 9449 §5).
pub fn token_type(pair: &TokenPair) -> &'static str {
    match pair.dpop_bound {
        true => "DPoP",
        false => "Bearer",
    }
}

#[cfg(feature = "edge")]
/// 401 for a DPoP failure on a protected request (RFC 9449 §7.1): `WWW-Authenticate: DPoP`
/// with `invalid_dpop_proof` or `use_dpop_nonce`, and the nonce to use when nonces are on.
pub fn unauthorized_dpop(err: &Error, nonce: Option<&str>) -> HttpResponse {
    let code = err.code().as_str();
    let mut response = json_response(
        401,
        vec![(
            "www-authenticate".into(),
            format!(r#"DPoP error="{code}", error_description="{code}""#),
        )],
        error_body(code, None),
    );
    if let Some(nonce) = nonce {
        response.headers.push(("dpop-nonce".into(), nonce.into()));
    }
    response
}

#[cfg(feature = "edge")]
/// 401 for a request with no token at all (RFC 6750 §3.1: no error code).
pub fn unauthorized_missing_token() -> HttpResponse {
    json_response(
        401,
        vec![("www-authenticate".into(), "Bearer".into())],
        error_body(ErrorCode::MissingToken.as_str(), None),
    )
}

#[cfg(feature = "edge")]
/// 200 with the RFC 6749 §5.1 token response.
pub fn token_response(pair: &TokenPair) -> HttpResponse {
    json_response(
        200,
        vec![("pragma".into(), "no-cache".into())],
        json_text(&crate::TokenResponse::from(pair)),
    )
}

#[cfg(feature = "edge")]
/// The error answer of the token endpoint: RFC 6749 §5.2 `invalid_grant` with our code;
/// a malformed request is `invalid_request` with the sentence that says what is wrong in
/// `error_description`; a request refused as possibly another site's is
/// 403 `invalid_request` with `csrf_rejected` (and the message, which names the header at
/// fault); a store outage is 503 (retry later); a cookie too large to set is 500.
pub fn grant_error(err: &Error) -> HttpResponse {
    let (status, error) = match err.code() {
        ErrorCode::InvalidRequest => (400, "invalid_request"),
        // RFC 9449 §5 and §8: the token endpoint's own DPoP errors.
        ErrorCode::InvalidDpopProof => (400, "invalid_dpop_proof"),
        ErrorCode::UseDpopNonce => (400, "use_dpop_nonce"),
        ErrorCode::CsrfRejected => (403, "invalid_request"),
        ErrorCode::StoreUnavailable | ErrorCode::StoreConflict => (503, "temporarily_unavailable"),
        ErrorCode::CookieTooLarge => (500, "server_error"),
        _ => (400, "invalid_grant"),
    };
    let body = match err.code() {
        // RFC 6749 §5.2: a human-readable description; the code is `error` itself.
        ErrorCode::InvalidRequest => error_body(error, Some(err.message())),
        ErrorCode::CsrfRejected => json_text(&ErrorBody {
            error,
            error_description: Some(err.code().as_str()),
            message: Some(err.message()),
        }),
        _ => error_body(error, Some(err.code().as_str())),
    };
    let mut response = json_response(status, Vec::new(), body);
    if status == 503 {
        response.headers.push(("retry-after".into(), "1".into()));
    }
    response
}

#[cfg(feature = "edge")]
/// The token answer in cookie mode: both tokens as cookies, the body without the refresh
/// token (no page script ever sees it). `cookie_too_large` if a token cannot be a cookie.
pub fn cookie_token_response(pair: &TokenPair, mode: &CookieMode) -> Result<HttpResponse> {
    let refresh = mode.set_cookie(
        &mode.refresh_name,
        &pair.refresh_token,
        pair.refresh_expires_in,
    )?;
    let access = mode.set_cookie(
        &mode.access_name,
        &pair.access_token,
        pair.refresh_expires_in,
    )?;
    let mut headers = vec![
        ("pragma".into(), "no-cache".into()),
        ("set-cookie".into(), refresh),
        ("set-cookie".into(), access),
    ];
    if let Some(hint) = mode.set_hint(pair.refresh_expires_in) {
        headers.push(("set-cookie".into(), hint));
    }
    Ok(json_response(
        200,
        headers,
        // The body never carries the refresh token: it is the cookie.
        json_text(&crate::TokenResponse {
            refresh_token: String::new(),
            ..crate::TokenResponse::from(pair)
        }),
    ))
}

#[cfg(feature = "edge")]
/// Whether a refusal ends the grant, so that cookie mode clears the cookies with it: a
/// malformed request, a CSRF refusal or an outage leaves them.
pub fn ends_the_grant(err: &Error) -> bool {
    !matches!(
        err.code(),
        ErrorCode::InvalidRequest
            | ErrorCode::CsrfRejected
            | ErrorCode::StoreUnavailable
            | ErrorCode::StoreConflict
            | ErrorCode::CookieTooLarge
    )
}

#[cfg(feature = "edge")]
/// [`grant_error`], and in cookie mode the cookies cleared when the grant is over.
pub fn grant_error_in(err: &Error, cookies: Option<&CookieMode>) -> HttpResponse {
    let mut response = grant_error(err);
    if ends_the_grant(err) {
        clear_cookies_on(&mut response, cookies);
    }
    response
}

#[cfg(feature = "edge")]
/// Adds the `Set-Cookie`s that remove cookie mode's cookies (nothing in header mode).
pub fn clear_cookies_on(response: &mut HttpResponse, cookies: Option<&CookieMode>) {
    if let Some(mode) = cookies {
        for cookie in mode.clear_cookies() {
            response.headers.push(("set-cookie".into(), cookie));
        }
    }
}

#[cfg(feature = "edge")]
/// The answer of a logout: 204, and in cookie mode both cookies cleared.
pub fn logout_response(cookies: Option<&CookieMode>) -> HttpResponse {
    let mut response = HttpResponse {
        status: 204,
        headers: vec![("cache-control".to_owned(), "no-store".to_owned())],
        body: String::new(),
    };
    clear_cookies_on(&mut response, cookies);
    response
}

#[cfg(feature = "edge")]
/// The bearer token in an `Authorization` header value (scheme case-insensitive).
pub fn bearer_token(authorization: &str) -> Option<&str> {
    token_of_scheme(authorization, "bearer")
}

#[cfg(any(feature = "edge", feature = "browser"))]
/// The token of an `Authorization: DPoP <token>` header (RFC 9449 §7.1).
pub fn dpop_token(authorization: &str) -> Option<&str> {
    token_of_scheme(authorization, "dpop")
}

#[cfg(any(feature = "edge", feature = "browser"))]
fn token_of_scheme<'a>(authorization: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, token) = authorization.trim().split_once(' ')?;
    let token = token.trim();
    (given.eq_ignore_ascii_case(scheme) && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

#[cfg(feature = "edge")]
/// A parsed refresh request: the expired access token and the refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRequest {
    /// From `Authorization: Bearer`.
    pub access_token: String,
    /// From the body.
    pub refresh_token: String,
}

#[cfg(feature = "edge")]
#[derive(Deserialize)]
struct RefreshBody {
    grant_type: Option<String>,
    refresh_token: Option<String>,
}

#[cfg(feature = "edge")]
/// The media type of a `Content-Type` value, lower case, without parameters ("" if absent).
pub(crate) fn media_type(content_type: Option<&str>) -> String {
    content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[cfg(feature = "edge")]
fn bad_request(message: &str) -> Error {
    Error::new(ErrorCode::InvalidRequest, message)
}

#[cfg(feature = "edge")]
/// Largest refresh request body read (two tokens and a little form overhead).
pub const MAX_REFRESH_BODY: usize = 16 * 1024;

#[cfg(feature = "edge")]
/// Parses `POST /auth/refresh` (docs/wire-format.md): the access token from `Authorization`, and
/// `grant_type=refresh_token&refresh_token=…` as a form (RFC 6749 §6) or the same as JSON.
pub fn parse_refresh_request(
    content_type: Option<&str>,
    authorization: Option<&str>,
    body: &str,
) -> Result<RefreshRequest> {
    if body.len() > MAX_REFRESH_BODY {
        return Err(bad_request("the request body is too large"));
    }
    let access_token = authorization
        .and_then(|value| bearer_token(value).or_else(|| dpop_token(value)))
        .ok_or_else(|| {
            bad_request("the expired access token must be sent as Authorization: Bearer (or DPoP)")
        })?;
    let parsed = match media_type(content_type).as_str() {
        "application/x-www-form-urlencoded" => {
            let mut parsed = RefreshBody {
                grant_type: None,
                refresh_token: None,
            };
            for (name, value) in form_urlencoded::parse(body.as_bytes()) {
                let slot = match name.as_ref() {
                    "grant_type" => &mut parsed.grant_type,
                    "refresh_token" => &mut parsed.refresh_token,
                    _ => continue,
                };
                // RFC 6749 §3.2: parameters must not be repeated.
                if slot.replace(value.into_owned()).is_some() {
                    return Err(bad_request("repeated parameter"));
                }
            }
            parsed
        }
        "application/json" => serde_json::from_str::<RefreshBody>(body)
            .map_err(|_| bad_request("the body is not the expected JSON object"))?,
        _ => {
            return Err(bad_request(
                "content-type must be application/x-www-form-urlencoded or application/json",
            ))
        }
    };
    if parsed.grant_type.as_deref() != Some("refresh_token") {
        return Err(bad_request("grant_type must be refresh_token"));
    }
    let refresh_token = parsed
        .refresh_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad_request("refresh_token is missing"))?;
    Ok(RefreshRequest {
        access_token: access_token.to_owned(),
        refresh_token,
    })
}

#[cfg(feature = "edge")]
/// The parts of a refresh or logout request the endpoints read (header values as sent).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestParts<'a> {
    /// The endpoint's own origin, from the request URL (for the `Origin` check).
    pub own_origin: Option<&'a str>,
    /// `Content-Type`.
    pub content_type: Option<&'a str>,
    /// `Authorization`.
    pub authorization: Option<&'a str>,
    /// `Cookie`.
    pub cookie: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Sec-Fetch-Site`.
    pub sec_fetch_site: Option<&'a str>,
    /// The body (at most [`MAX_REFRESH_BODY`] bytes are meaningful).
    pub body: &'a str,
}

#[cfg(feature = "edge")]
fn no_session(message: &str) -> Error {
    Error::new(ErrorCode::NotAuthenticated, message)
}

#[cfg(feature = "edge")]
/// Parses `POST /auth/refresh` in cookie mode: the CSRF checks first (nothing else is read
/// from a refused request), then a JSON body (`{}` or `{"grant_type":"refresh_token"}`; a
/// `refresh_token` in it is refused: this endpoint reads the cookie), the refresh token from
/// its cookie, and the access token from `Authorization: Bearer` when sent, else (no
/// `Authorization`, or another scheme) from its cookie. No cookie is `not_authenticated`
/// (there is no session to refresh).
pub fn parse_cookie_refresh_request(
    mode: &CookieMode,
    request: &RequestParts<'_>,
) -> Result<RefreshRequest> {
    mode.csrf.check(request)?;
    if request.body.len() > MAX_REFRESH_BODY {
        return Err(bad_request("the request body is too large"));
    }
    let [grant_type, refresh_token] = match request.body.trim() {
        "" => [None, None],
        text => {
            read_members(text, ["grant_type", "refresh_token"], &[])
                .map_err(|_| {
                    bad_request(
                        "the body must be a JSON object such as {\"grant_type\":\"refresh_token\"}",
                    )
                })?
                .0
        }
    };
    if refresh_token.is_some() {
        return Err(bad_request(
            "a refresh_token in the body: in cookie mode the refresh token comes from its cookie",
        ));
    }
    if grant_type
        .is_some_and(|grant| !matches!(grant, Member::Text(text) if text == "refresh_token"))
    {
        return Err(bad_request("grant_type must be refresh_token"));
    }
    let cookie = request.cookie.unwrap_or_default();
    let refresh_token = cookie_value(cookie, &mode.refresh_name)?.ok_or_else(|| {
        no_session("no refresh cookie: this browser holds no session (log in first)")
    })?;
    // Another scheme (a browser re-sending Basic credentials of a site behind basic auth)
    // is not ours: the access cookie is used then.
    let access_token = match request.authorization.and_then(bearer_token) {
        Some(bearer) => bearer,
        None => cookie_value(cookie, &mode.access_name)?
            .ok_or_else(|| no_session("no access cookie beside the refresh cookie"))?,
    };
    Ok(RefreshRequest {
        access_token: access_token.to_owned(),
        refresh_token: refresh_token.to_owned(),
    })
}

#[cfg(feature = "edge")]
/// Parses `POST /auth/logout`: the refresh token to revoke, if any. Cookie mode: the CSRF
/// checks, then the refresh cookie. Header mode: `{"refresh_token": "…"}` as JSON (or the
/// same as a form); a missing token is fine (there is nothing to revoke).
pub fn parse_logout_request(
    cookies: Option<&CookieMode>,
    request: &RequestParts<'_>,
) -> Result<Option<String>> {
    if let Some(mode) = cookies {
        mode.csrf.check(request)?;
        return Ok(
            cookie_value(request.cookie.unwrap_or_default(), &mode.refresh_name)?
                .map(str::to_owned),
        );
    }
    if request.body.len() > MAX_REFRESH_BODY {
        return Err(bad_request("the request body is too large"));
    }
    if request.body.trim().is_empty() {
        return Ok(None);
    }
    let form = media_type(request.content_type) == "application/x-www-form-urlencoded";
    let token = if form {
        form_urlencoded::parse(request.body.as_bytes())
            .find(|(name, _)| name == "refresh_token")
            .map(|(_, value)| value.into_owned())
    } else {
        let ([token], _) = read_members(request.body, ["refresh_token"], &[])
            .map_err(|_| bad_request("the body must be {\"refresh_token\": \"…\"}"))?;
        match token {
            None => None,
            Some(Member::Text(token)) => Some(token.into_owned()),
            Some(_) => return Err(bad_request("refresh_token must be a string")),
        }
    };
    Ok(token.filter(|t| !t.is_empty()))
}

/// A 401's `WWW-Authenticate`, lower-cased, when its challenge is in one of `schemes`.
fn challenge_in(status: u16, www_authenticate: Option<&str>, schemes: &[&str]) -> Option<String> {
    let value = www_authenticate?.trim_start().to_ascii_lowercase();
    (status == 401 && schemes.iter().any(|scheme| value.starts_with(scheme))).then_some(value)
}

/// Where `needle` (not empty) first is in `value`, in bytes. Compared as bytes:
/// `str::find`/`contains` bring a substring searcher, its panicking slices and their messages'
/// `char` formatting into the browser client's wasm.
pub(crate) fn position_of(value: &str, needle: &str) -> Option<usize> {
    value
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// Whether `value` has `needle` in it ([`position_of`]).
pub(crate) fn mentions(value: &str, needle: &str) -> bool {
    position_of(value, needle).is_some()
}

/// The client side: is this response the expired signal (401 + `error_description="token_expired"`)?
/// Any other 401 is not a reason to refresh.
pub fn is_expired_signal(status: u16, www_authenticate: Option<&str>) -> bool {
    // Bearer tokens' challenge, or a DPoP-bound token's (RFC 9449 §7.1).
    challenge_in(status, www_authenticate, &["bearer", "dpop"]).is_some_and(|value| {
        mentions(&value, r#"error="invalid_token""#)
            && mentions(&value, r#"error_description="token_expired""#)
    })
}

/// The client side: does this 401 ask for the server's DPoP nonce (a `DPoP` challenge with
/// `use_dpop_nonce`, RFC 9449 §9)?
pub fn is_nonce_challenge(status: u16, www_authenticate: Option<&str>) -> bool {
    challenge_in(status, www_authenticate, &["dpop"])
        .is_some_and(|value| mentions(&value, "use_dpop_nonce"))
}

#[cfg(all(test, feature = "edge"))]
mod tests {
    use super::*;
    use serde_json::json;

    fn header<'a>(r: &'a HttpResponse, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    #[cfg(feature = "edge")]
    fn keys_that_cannot_be_fetched_are_a_503_not_a_verdict() {
        for code in [ErrorCode::JwksFetchFailed, ErrorCode::JwksInvalid] {
            let response = keys_unavailable(&Error::new(code, "x"));
            assert_eq!(response.status, 503);
            assert_eq!(header(&response, "retry-after"), Some("5"));
            assert_eq!(header(&response, "www-authenticate"), None);
            let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
            assert_eq!(body["error"], "temporarily_unavailable");
            assert_eq!(body["error_description"], code.as_str());
            assert!(!is_expired_signal(response.status, None));
        }
    }

    #[test]
    fn only_token_expired_is_the_expired_signal() {
        let expired = unauthorized(&Error::new(ErrorCode::TokenExpired, "x"));
        assert_eq!(expired.status, 401);
        assert_eq!(
            header(&expired, "www-authenticate"),
            Some(r#"Bearer error="invalid_token", error_description="token_expired""#)
        );
        assert_eq!(expired.body, r#"{"error":"token_expired"}"#);
        assert!(is_expired_signal(
            expired.status,
            header(&expired, "www-authenticate")
        ));
        for code in [
            ErrorCode::InvalidSignature,
            ErrorCode::ClaimMismatch,
            ErrorCode::TokenNotYetValid,
        ] {
            let other = unauthorized(&Error::new(code, "x"));
            assert_eq!(other.status, 401);
            assert!(
                !is_expired_signal(other.status, header(&other, "www-authenticate")),
                "{code}"
            );
        }
        let missing = unauthorized_missing_token();
        assert!(!is_expired_signal(
            missing.status,
            header(&missing, "www-authenticate")
        ));
        // A DPoP-bound token's challenge is in the DPoP scheme, the signal all the same; a
        // DPoP proof's own refusals are not it.
        let bound = unauthorized_in("DPoP", &Error::new(ErrorCode::TokenExpired, "x"));
        assert_eq!(
            header(&bound, "www-authenticate"),
            Some(r#"DPoP error="invalid_token", error_description="token_expired""#)
        );
        assert!(is_expired_signal(
            bound.status,
            header(&bound, "www-authenticate")
        ));
        for code in [ErrorCode::InvalidDpopProof, ErrorCode::UseDpopNonce] {
            let proof = unauthorized_dpop(&Error::new(code, "x"), Some("n"));
            assert!(!is_expired_signal(
                proof.status,
                header(&proof, "www-authenticate")
            ));
            // Only the nonce's challenge asks for the nonce.
            assert_eq!(
                is_nonce_challenge(proof.status, header(&proof, "www-authenticate")),
                code == ErrorCode::UseDpopNonce
            );
        }
        assert!(!is_nonce_challenge(
            bound.status,
            header(&bound, "www-authenticate")
        ));
        assert!(!is_expired_signal(
            403,
            header(&expired, "www-authenticate")
        ));
        assert!(!is_expired_signal(401, None));
        // Other servers may vary case and spacing in the scheme.
        assert!(is_expired_signal(
            401,
            Some(r#"bearer error="invalid_token", error_description="token_expired""#)
        ));
    }

    #[test]
    fn token_and_error_responses_follow_rfc6749() {
        let pair = TokenPair {
            access_token: "a.b.c".into(),
            refresh_token: "d.e.f".into(),
            expires_in: 60,
            refresh_expires_in: 3600,
            session_id: "s".into(),
            subject: "u".into(),
            dpop_bound: false,
        };
        let ok = token_response(&pair);
        assert_eq!(ok.status, 200);
        assert_eq!(header(&ok, "cache-control"), Some("no-store"));
        let body: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
        assert_eq!(
            body,
            json!({"access_token": "a.b.c", "token_type": "Bearer", "expires_in": 60,
                   "refresh_token": "d.e.f", "refresh_expires_in": 3600})
        );
        let reused = grant_error(&Error::new(ErrorCode::RefreshTokenReused, "x"));
        assert_eq!(reused.status, 400);
        assert_eq!(
            reused.body,
            r#"{"error":"invalid_grant","error_description":"refresh_token_reused"}"#
        );
        let bad = grant_error(&Error::new(
            ErrorCode::InvalidRequest,
            "the refresh token is missing",
        ));
        assert_eq!(bad.status, 400);
        assert_eq!(
            bad.body,
            r#"{"error":"invalid_request","error_description":"the refresh token is missing"}"#
        );
        let down = grant_error(&Error::new(ErrorCode::StoreUnavailable, "x"));
        assert_eq!(
            (down.status, header(&down, "retry-after")),
            (503, Some("1"))
        );
    }

    #[test]
    fn refresh_requests_as_form_or_json() {
        let auth = Some("Bearer acc.ess.tok");
        let form = parse_refresh_request(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            auth,
            "grant_type=refresh_token&refresh_token=ref.resh.tok%3D",
        )
        .unwrap();
        assert_eq!(form.access_token, "acc.ess.tok");
        assert_eq!(form.refresh_token, "ref.resh.tok=");
        let json = parse_refresh_request(
            Some("application/json"),
            Some("bearer acc.ess.tok"),
            r#"{"grant_type":"refresh_token","refresh_token":"r.r.r"}"#,
        )
        .unwrap();
        assert_eq!(json.refresh_token, "r.r.r");
        let code = |ct: Option<&str>, auth: Option<&str>, body: &str| {
            parse_refresh_request(ct, auth, body).unwrap_err().code()
        };
        let form_ct = Some("application/x-www-form-urlencoded");
        let good = "grant_type=refresh_token&refresh_token=r";
        assert_eq!(code(form_ct, None, good), ErrorCode::InvalidRequest);
        assert_eq!(
            code(form_ct, Some("Basic abc"), good),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(form_ct, Some("Bearer "), good),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(Some("text/plain"), auth, good),
            ErrorCode::InvalidRequest
        );
        assert_eq!(code(None, auth, good), ErrorCode::InvalidRequest);
        assert_eq!(
            code(form_ct, auth, "grant_type=password&refresh_token=r"),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(form_ct, auth, "grant_type=refresh_token"),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(form_ct, auth, "grant_type=refresh_token&refresh_token="),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(
                form_ct,
                auth,
                "grant_type=refresh_token&refresh_token=a&refresh_token=b"
            ),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(Some("application/json"), auth, "[1]"),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(form_ct, auth, &"x".repeat(MAX_REFRESH_BODY + 1)),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("  BEARER   abc  "), Some("abc"));
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Token abc"), None);
    }
}
