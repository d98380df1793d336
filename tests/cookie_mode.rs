//! The refresh and logout endpoints in cookie mode, through the Issuer with an injected clock:
//! what the responses set and clear, what the requests may carry, and that a request the CSRF
//! checks refuse changes nothing.
#![cfg(all(feature = "edge", not(target_arch = "wasm32")))]

mod support {
    pub mod issuer;
}

use futures::executor::block_on;
use jwt_refresh::cookie::CookieMode;
use jwt_refresh::endpoints::{logout_endpoint, refresh_endpoint};
use jwt_refresh::http::{cookie_token_response, HttpResponse, RequestParts};
use jwt_refresh::{Issuer, MemoryStore, TokenPair};
use serde_json::{Map, Value};
use support::issuer::hs256_issuer;

const T0: i64 = 1_700_000_000;
const OWN: &str = "https://app.example";

fn issuer() -> Issuer {
    hs256_issuer(OWN)
}

fn login(issuer: &Issuer, store: &MemoryStore) -> TokenPair {
    block_on(issuer.start_session(store, "ada", Map::new(), T0)).unwrap()
}

/// The `Set-Cookie` values of a response, by cookie name.
fn set_cookies(response: &HttpResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(name, _)| name == "set-cookie")
        .map(|(_, value)| {
            let (pair, _) = value.split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// The `Cookie` header a browser would send back after `response`.
fn cookie_header(response: &HttpResponse) -> String {
    set_cookies(response)
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn body(response: &HttpResponse) -> Value {
    serde_json::from_str(&response.body).unwrap()
}

/// A same-origin `fetch` with a JSON body, as the client sends it.
fn same_origin(cookie: &str) -> RequestParts<'_> {
    RequestParts {
        own_origin: Some(OWN),
        content_type: Some("application/json"),
        cookie: Some(cookie),
        origin: Some(OWN),
        sec_fetch_site: Some("same-origin"),
        body: r#"{"grant_type":"refresh_token"}"#,
        ..RequestParts::default()
    }
}

fn refresh(
    issuer: &Issuer,
    store: &MemoryStore,
    request: &RequestParts<'_>,
    now: i64,
) -> HttpResponse {
    block_on(refresh_endpoint(
        issuer,
        store,
        request,
        now,
        Some(&CookieMode::default()),
        None,
    ))
}

#[test]
fn login_sets_both_tokens_as_cookies_and_the_body_has_no_refresh_token() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let response = cookie_token_response(&pair, &CookieMode::default()).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        set_cookies(&response),
        [
            ("__Secure-refresh_token".into(), pair.refresh_token.clone()),
            ("__Secure-access_token".into(), pair.access_token.clone()),
            // The hint a page script reads: a session exists, nothing more.
            ("__Host-jwt-refresh-session".into(), "1".into()),
        ]
    );
    let attributes: Vec<_> = (response.headers.iter())
        .filter(|(name, _)| name == "set-cookie")
        .map(|(_, value)| value.split_once(';').unwrap().1)
        .collect();
    assert_eq!(
        attributes,
        [
            " Path=/auth; Max-Age=3600; HttpOnly; Secure; SameSite=Strict",
            " Path=/auth; Max-Age=3600; HttpOnly; Secure; SameSite=Strict",
            " Path=/; Max-Age=3600; Secure; SameSite=Strict",
        ]
    );
    let body = body(&response);
    assert_eq!(body["access_token"], pair.access_token.as_str());
    assert_eq!(body["refresh_expires_in"], 3600);
    assert!(body.get("refresh_token").is_none());
    assert!(!response.body.contains(&pair.refresh_token));
}

#[test]
fn refresh_reads_both_tokens_from_cookies_and_rotates_them() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let jar = cookie_header(&cookie_token_response(&pair, &CookieMode::default()).unwrap());
    // The access token has expired; the client holds nothing (a reload).
    let response = refresh(&issuer, &store, &same_origin(&jar), T0 + 120);
    assert_eq!(response.status, 200, "{}", response.body);
    let rotated = set_cookies(&response);
    assert_eq!(rotated.len(), 3);
    assert_eq!(
        rotated[2],
        ("__Host-jwt-refresh-session".into(), "1".into())
    );
    assert_ne!(rotated[0].1, pair.refresh_token);
    assert_eq!(body(&response)["access_token"], rotated[1].1.as_str());
    assert!(body(&response).get("refresh_token").is_none());
    // The rotated cookies refresh again; an empty body is accepted too.
    let next = cookie_header(&response);
    let again = refresh(
        &issuer,
        &store,
        &RequestParts {
            body: "",
            ..same_origin(&next)
        },
        T0 + 240,
    );
    assert_eq!(again.status, 200, "{}", again.body);
}

#[test]
fn a_bearer_access_token_is_used_instead_of_the_access_cookie() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let other = login(&issuer, &store);
    let jar = cookie_header(&cookie_token_response(&pair, &CookieMode::default()).unwrap());
    let bearer = format!("Bearer {}", other.access_token);
    let response = refresh(
        &issuer,
        &store,
        &RequestParts {
            authorization: Some(&bearer),
            ..same_origin(&jar)
        },
        T0 + 5,
    );
    // The Bearer token wins, and belongs to another session than the refresh cookie.
    assert_eq!(body(&response)["error_description"], "tokens_mismatch");
    // Another scheme (Basic credentials a browser re-sends behind basic auth) is not ours:
    // the access cookie is used.
    let response = refresh(
        &issuer,
        &store,
        &RequestParts {
            authorization: Some("Basic c3RhZ2luZzpwYXNz"),
            ..same_origin(&jar)
        },
        T0 + 5,
    );
    assert_eq!(response.status, 200, "{}", response.body);
}

#[test]
fn no_cookie_is_not_authenticated_and_a_refresh_token_in_the_body_is_refused() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let response = refresh(&issuer, &store, &same_origin(""), T0);
    assert_eq!(response.status, 400);
    assert_eq!(body(&response)["error"], "invalid_grant");
    assert_eq!(body(&response)["error_description"], "not_authenticated");
    let pair = login(&issuer, &store);
    let jar = cookie_header(&cookie_token_response(&pair, &CookieMode::default()).unwrap());
    let in_body = format!(
        r#"{{"grant_type":"refresh_token","refresh_token":"{}"}}"#,
        pair.refresh_token
    );
    let response = refresh(
        &issuer,
        &store,
        &RequestParts {
            body: &in_body,
            ..same_origin(&jar)
        },
        T0,
    );
    assert_eq!(body(&response)["error"], "invalid_request");
    // A malformed request leaves the cookies alone.
    assert!(set_cookies(&response).is_empty());
}

#[test]
fn csrf_refusals_are_403_and_change_nothing() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let jar = cookie_header(&cookie_token_response(&pair, &CookieMode::default()).unwrap());
    let attacks = [
        RequestParts {
            sec_fetch_site: Some("cross-site"),
            origin: Some("https://evil.example"),
            ..same_origin(&jar)
        },
        RequestParts {
            sec_fetch_site: None,
            origin: Some("https://evil.example"),
            ..same_origin(&jar)
        },
        RequestParts {
            content_type: Some("application/x-www-form-urlencoded"),
            body: "grant_type=refresh_token",
            ..same_origin(&jar)
        },
        RequestParts {
            content_type: Some("text/plain"),
            origin: None,
            sec_fetch_site: None,
            ..same_origin(&jar)
        },
    ];
    for attack in &attacks {
        let response = refresh(&issuer, &store, attack, T0 + 120);
        assert_eq!(response.status, 403, "{attack:?}");
        assert_eq!(body(&response)["error_description"], "csrf_rejected");
        assert!(set_cookies(&response).is_empty());
        let logout = block_on(logout_endpoint(
            &issuer,
            &store,
            attack,
            T0 + 120,
            Some(&CookieMode::default()),
        ));
        assert_eq!(logout.status, 403);
        assert!(set_cookies(&logout).is_empty());
    }
    // Nothing rotated or revoked: the first legitimate refresh still works, and its rotation
    // is the first (a replay of the original cookie would now be inside the grace window).
    let response = refresh(&issuer, &store, &same_origin(&jar), T0 + 120);
    assert_eq!(response.status, 200, "{}", response.body);
}

#[test]
fn a_replayed_refresh_cookie_after_the_grace_window_revokes_and_clears() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let stolen = cookie_header(&cookie_token_response(&pair, &CookieMode::default()).unwrap());
    let first = refresh(&issuer, &store, &same_origin(&stolen), T0 + 30);
    assert_eq!(first.status, 200);
    // Two tabs sending the same cookie at once: inside the grace window, the same refresh
    // token (with a fresh access token).
    let racing = refresh(&issuer, &store, &same_origin(&stolen), T0 + 35);
    assert_eq!(racing.status, 200);
    assert_eq!(set_cookies(&racing)[0], set_cookies(&first)[0]);
    let replay = refresh(&issuer, &store, &same_origin(&stolen), T0 + 50);
    assert_eq!(replay.status, 400);
    assert_eq!(body(&replay)["error_description"], "refresh_token_reused");
    assert_eq!(
        set_cookies(&replay),
        [
            ("__Secure-refresh_token".into(), String::new()),
            ("__Secure-access_token".into(), String::new()),
            ("__Host-jwt-refresh-session".into(), String::new())
        ]
    );
    assert!(replay
        .headers
        .iter()
        .any(|(n, v)| n == "set-cookie" && v.contains("Max-Age=0")));
    // The legitimate holder is revoked too.
    let current = cookie_header(&first);
    let after = refresh(&issuer, &store, &same_origin(&current), T0 + 55);
    assert_eq!(body(&after)["error_description"], "session_revoked");
}

#[test]
fn logout_revokes_the_cookie_session_and_clears_the_cookies() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let jar = cookie_header(&cookie_token_response(&pair, &CookieMode::default()).unwrap());
    let mode = CookieMode::default();
    let logout = block_on(logout_endpoint(
        &issuer,
        &store,
        &same_origin(&jar),
        T0 + 5,
        Some(&mode),
    ));
    assert_eq!(logout.status, 204);
    assert_eq!(set_cookies(&logout).len(), 3, "both tokens and the hint");
    assert!(set_cookies(&logout)
        .iter()
        .all(|(_, value)| value.is_empty()));
    let after = refresh(&issuer, &store, &same_origin(&jar), T0 + 10);
    assert_eq!(body(&after)["error_description"], "session_revoked");
    // Idempotent: again, and with no cookie at all.
    for cookie in [jar.as_str(), ""] {
        let again = block_on(logout_endpoint(
            &issuer,
            &store,
            &same_origin(cookie),
            T0 + 20,
            Some(&mode),
        ));
        assert_eq!(again.status, 204);
    }
}

#[test]
fn header_mode_logout_takes_the_token_from_the_body() {
    let (issuer, store) = (issuer(), MemoryStore::new());
    let pair = login(&issuer, &store);
    let json_body = format!(r#"{{"refresh_token":"{}"}}"#, pair.refresh_token);
    let request = RequestParts {
        content_type: Some("application/json"),
        body: &json_body,
        ..RequestParts::default()
    };
    let logout = block_on(logout_endpoint(&issuer, &store, &request, T0 + 5, None));
    assert_eq!(logout.status, 204);
    assert!(set_cookies(&logout).is_empty());
    let err = block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, T0 + 6))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "session_revoked");
    let garbage = RequestParts {
        content_type: Some("application/json"),
        body: "[",
        ..RequestParts::default()
    };
    let refused = block_on(logout_endpoint(&issuer, &store, &garbage, T0, None));
    assert_eq!(refused.status, 400);
}
