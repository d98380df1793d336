//! Unpadded base64url where the builds with keys do not use the `base64` crate: token segments
//! in builds without keys, and everything the browser client encodes (its DPoP proofs, `ath`,
//! the refresh token's fingerprint). Strict as RFC 7515 §2 asks: the URL-safe alphabet, no
//! padding, and zero trailing bits, so each byte string has one encoding. Natively `base64ct`
//! does the work. The browser client's wasm leaves it to the host's `atob`/`btoa`
//! (`src/wasm/webcrypto.js`) once the text is known to be canonical here, and carries no
//! codec of its own.

/// The unpadded base64url of `bytes`.
#[cfg_attr(not(feature = "browser"), allow(dead_code))]
pub(crate) fn encode(bytes: &[u8]) -> String {
    #[cfg(all(target_arch = "wasm32", feature = "browser"))]
    return crate::wasm::browser::glue::base64url_encode(bytes);
    #[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
    return <base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode_string(bytes);
}

/// The bytes `text` encodes; `None` unless it is canonical unpadded base64url.
#[cfg_attr(feature = "keys", allow(dead_code))]
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    if !is_canonical(text) {
        return None;
    }
    #[cfg(all(target_arch = "wasm32", feature = "browser"))]
    return crate::wasm::browser::glue::base64url_decode(text).ok();
    #[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
    return <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(text).ok();
}

/// The 6-bit value of a base64url character.
fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Whether `text` is the one unpadded base64url encoding of some bytes: every character in
/// the alphabet, a length no encoding has (4n + 1) refused, and the bits past the last whole
/// byte zero.
fn is_canonical(text: &str) -> bool {
    let bytes = text.as_bytes();
    let unused_bits_mask = match bytes.len() % 4 {
        0 => 0,
        1 => return false,
        2 => 0b1111,
        _ => 0b11,
    };
    let mut last = 0;
    for &byte in bytes {
        match sextet(byte) {
            Some(value) => last = value,
            None => return false,
        }
    }
    last & unused_bits_mask == 0
}

// Native only: proptest does not build for wasm32 (the browser's path is tested through the
// client entry in tests/js).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn canonical_text_decodes_and_anything_else_is_refused() {
        assert_eq!(decode("YQ").unwrap(), b"a");
        assert_eq!(decode("e30").unwrap(), b"{}");
        assert_eq!(decode("").unwrap(), b"");
        // Non-zero trailing bits: the same bytes under another spelling.
        assert!(decode("YR").is_none());
        assert!(decode("e31").is_none());
        for bad in ["Y", "YQ==", "YQ=", "Y+", "Y/", "Y Q", "é"] {
            assert!(decode(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        /// The canonical check says what the strict decoder says, for any text made of the
        /// alphabet, the padding and the standard alphabet's extra characters.
        #[test]
        fn the_check_agrees_with_base64ct(text in "[A-Za-z0-9_+/=-]{0,12}") {
            let strict = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(&text);
            prop_assert_eq!(is_canonical(&text), strict.is_ok());
        }

        #[test]
        fn encoding_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(decode(&encode(&bytes)), Some(bytes));
        }
    }
}
