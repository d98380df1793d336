//! The refresh and logout request parsers in both modes (content type, Authorization, Cookie,
//! Origin and Sec-Fetch-Site headers, form or JSON body), the CSRF checks, the cookie reader,
//! the bearer-token reader and the expired-signal recognizer.
#![no_main]

use jwt_refresh::cookie::{cookie_value, CookieMode};
use jwt_refresh::http::{
    bearer_token, is_expired_signal, parse_cookie_refresh_request, parse_logout_request,
    parse_refresh_request, RequestParts,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(6, '\u{fffd}');
    let mut next = || parts.next().unwrap_or_default();
    let (content_type, authorization, cookie, origin, sec_fetch_site, body) =
        (next(), next(), next(), next(), next(), next());
    for content_type in [Some(content_type), None, Some("application/json")] {
        let _ = parse_refresh_request(content_type, Some(authorization), body);
    }
    let _ = parse_refresh_request(None, None, &text);
    let mode = CookieMode::default();
    for own_origin in [Some(origin), None] {
        let request = RequestParts {
            own_origin,
            content_type: Some(content_type),
            authorization: Some(authorization).filter(|a| !a.is_empty()),
            cookie: Some(cookie),
            origin: Some(origin),
            sec_fetch_site: Some(sec_fetch_site),
            body,
        };
        let _ = parse_cookie_refresh_request(&mode, &request);
        let _ = parse_logout_request(Some(&mode), &request);
        let _ = parse_logout_request(None, &request);
    }
    let _ = cookie_value(&text, cookie);
    let _ = cookie_value(&text, &mode.refresh_name);
    let _ = bearer_token(&text);
    let status = data.first().map_or(401, |&b| u16::from(b) + 300);
    let _ = is_expired_signal(status, Some(&text));
});
