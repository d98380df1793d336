//! Strict compact-JWS structure: size cap, exactly three base64url segments, JSON objects.

use crate::error::{Error, ErrorCode, Result};
#[cfg(feature = "keys")]
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{Map, Value};

/// The default cap on token length, checked before any decoding work.
pub const DEFAULT_MAX_TOKEN_LENGTH: usize = 8 * 1024;

/// A token split into its segments, not yet trusted.
pub(crate) struct Compact<'a> {
    pub header: &'a str,
    pub payload: &'a str,
    pub signature: &'a str,
    /// `header.payload`: the bytes the signature covers.
    pub signing_input: &'a str,
}

fn malformed(message: &str) -> Error {
    Error::new(ErrorCode::MalformedToken, message)
}

const OTHER: u8 = 0;
const BASE64URL: u8 = 1;
const DOT: u8 = 2;

/// What each byte is in a compact JWS: one table lookup per byte instead of a chain of range
/// comparisons (this loop runs over every byte of every token).
const BYTE_CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = match b as u8 {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => BASE64URL,
            b'.' => DOT,
            _ => OTHER,
        };
        b += 1;
    }
    class
};

/// Splits `token` after checking its length and alphabet. Padding, whitespace, `+` and
/// `/` are rejected here; canonical encoding is enforced by the decoder.
pub(crate) fn split(token: &str, max_len: usize) -> Result<Compact<'_>> {
    if token.len() > max_len {
        return Err(Error::new(
            ErrorCode::TokenTooLarge,
            format!("token is {} bytes, the limit is {max_len}", token.len()),
        ));
    }
    if token.len() >= 7 && token.as_bytes()[..7].eq_ignore_ascii_case(b"bearer ") {
        return Err(malformed(
            "the token starts with \"Bearer \": pass the token alone, without the Authorization scheme",
        ));
    }
    let bytes = token.as_bytes();
    let mut dots = [0usize; 2];
    let mut count = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match BYTE_CLASS[usize::from(b)] {
            BASE64URL => {}
            DOT => {
                if count == 2 {
                    return Err(malformed("a JWS has exactly three segments"));
                }
                dots[count] = i;
                count += 1;
            }
            // Whitespace is no base64url either: said apart, as a copy-paste slip.
            _ if token.trim().len() != token.len() => {
                return Err(malformed("the token has leading or trailing whitespace"))
            }
            _ => return Err(malformed("segments must be unpadded base64url")),
        }
    }
    if count != 2 {
        return Err(malformed("a JWS has exactly three segments"));
    }
    // Every byte is ASCII by now; `get` instead of indexing keeps the panicking slice's
    // code out of the browser client's wasm.
    let segment = |range: std::ops::Range<usize>| token.get(range).unwrap_or_default();
    let (header, payload, signature) = (
        segment(0..dots[0]),
        segment(dots[0] + 1..dots[1]),
        segment(dots[1] + 1..token.len()),
    );
    // An empty signature is valid syntax (RFC 7515 §7.1, an unsecured JWS): the algorithm
    // and signature checks refuse it, with their own codes.
    if header.is_empty() || payload.is_empty() {
        return Err(malformed("empty segment"));
    }
    Ok(Compact {
        header,
        payload,
        signature,
        signing_input: segment(0..dots[1]),
    })
}

/// Decodes one segment as strict unpadded base64url (non-zero trailing bits are refused, so
/// each byte string has exactly one encoding). Builds with keys verify tokens on every
/// request and use the faster `base64`; the browser client's build only reads a few tokens
/// and leaves the decoding to the host (`base64url`).
pub(crate) fn decode_segment(segment: &str) -> Result<Vec<u8>> {
    #[cfg(feature = "keys")]
    let decoded = URL_SAFE_NO_PAD.decode(segment).ok();
    #[cfg(not(feature = "keys"))]
    let decoded = crate::base64url::decode(segment);
    decoded.ok_or_else(|| malformed("invalid base64url"))
}

/// Decodes a segment that must hold UTF-8 text (the JSON of the header or the payload).
pub(crate) fn decode_text(segment: &str, what: &str) -> Result<String> {
    String::from_utf8(decode_segment(segment)?)
        .map_err(|_| malformed(&format!("the {what} is not a JSON object")))
}

/// Decodes a segment that must hold a JSON object, parsed once into a map.
pub(crate) fn decode_json_object(segment: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(&decode_text(segment, what)?) {
        Ok(Value::Object(members)) => Ok(members),
        _ => Err(malformed(&format!("the {what} is not a JSON object"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(token: &str) -> ErrorCode {
        split(token, 100)
            .err()
            .map(|e| e.code())
            .unwrap_or(ErrorCode::InvalidOptions)
    }

    #[test]
    fn structure_is_strict() {
        assert!(split("a.b.c", 100).is_ok());
        assert_eq!(code("a.b"), ErrorCode::MalformedToken);
        assert_eq!(code("a.b.c.d"), ErrorCode::MalformedToken);
        assert_eq!(code("a..c"), ErrorCode::MalformedToken);
        assert_eq!(code(".b.c"), ErrorCode::MalformedToken);
        // An empty signature is valid syntax; the algorithm and signature checks judge it.
        assert_eq!(split("a.b.", 100).unwrap().signature, "");
        assert_eq!(code("a=.b.c"), ErrorCode::MalformedToken);
        assert_eq!(code("a+.b.c"), ErrorCode::MalformedToken);
        assert_eq!(code("a/.b.c"), ErrorCode::MalformedToken);
        assert_eq!(code("a .b.c"), ErrorCode::MalformedToken);
        assert_eq!(code(" a.b.c"), ErrorCode::MalformedToken);
        assert_eq!(code("a.b.c\n"), ErrorCode::MalformedToken);
        assert_eq!(code("é.b.c"), ErrorCode::MalformedToken);
        assert_eq!(code(&"a".repeat(101)), ErrorCode::TokenTooLarge);
    }

    #[test]
    fn a_bearer_prefix_or_whitespace_is_named() {
        let message = |token: &str| split(token, 100).err().unwrap().message().to_owned();
        assert!(message("Bearer a.b.c").contains("Bearer"));
        assert!(message("bearer a.b.c").contains("Bearer"));
        assert!(message("a.b.c ").contains("whitespace"));
        assert!(message("\ta.b.c").contains("whitespace"));
        // Multi-byte text where the prefix would be is refused without slicing through it.
        assert_eq!(code("ééé.é"), ErrorCode::MalformedToken);
        assert_eq!(code("Bearer"), ErrorCode::MalformedToken);
    }

    #[test]
    fn decoding_rejects_non_canonical_base64() {
        assert_eq!(decode_segment("YQ").unwrap(), b"a");
        // "YR" carries non-zero trailing bits: same byte, different string.
        assert!(decode_segment("YR").is_err());
        assert!(decode_segment("Y").is_err());
    }
}
