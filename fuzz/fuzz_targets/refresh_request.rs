//! The refresh request parser (content type, Authorization header, form or JSON body), the
//! bearer-token reader and the expired-signal recognizer.
#![no_main]

use jwt_refresh::http::{bearer_token, is_expired_signal, parse_refresh_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{fffd}');
    let (content_type, authorization, body) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    for content_type in [Some(content_type), None, Some("application/json")] {
        let _ = parse_refresh_request(content_type, Some(authorization), body);
    }
    let _ = parse_refresh_request(None, None, &text);
    let _ = bearer_token(&text);
    let status = data.first().map_or(401, |&b| u16::from(b) + 300);
    let _ = is_expired_signal(status, Some(&text));
});
