//! DPoP proofs (RFC 9449) as the edge receives them: raw text, and proofs whose header and
//! claims are the fuzzer's choosing around a well-formed frame, so that the embedded-key, htu
//! and nonce checks are reached. Every outcome is a typed error or a pending proof; never a
//! panic.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_refresh::{begin_dpop_proof, DpopNonces, DpopPolicy, DpopReplay, DpopRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let policy = DpopPolicy {
        nonces: Some(DpopNonces::new(&[3; 32], 300).unwrap()),
        ..Default::default()
    };
    let request = DpopRequest {
        method: "POST",
        url: "https://auth.example/auth/refresh",
        access_token: Some("a.b.c"),
    };
    let (selector, rest) = data.split_first().unwrap_or((&0, &[]));
    let text = String::from_utf8_lossy(rest);
    let proof = if selector % 2 == 0 {
        text.into_owned()
    } else {
        // The fuzzer's text as the header (or the claims), the other part fixed.
        let fixed = r#"{"jti":"j","htm":"POST","htu":"https://auth.example/auth/refresh","iat":1800000000}"#;
        let (header, claims) = if selector % 4 == 1 {
            (text.as_ref(), fixed)
        } else {
            (
                r#"{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}"#,
                text.as_ref(),
            )
        };
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims),
            URL_SAFE_NO_PAD.encode([7u8; 64])
        )
    };
    if let Ok(pending) = begin_dpop_proof(&proof, &request, &policy, 1_800_000_000) {
        let mut replay = DpopReplay::new(4);
        replay.record(&pending, &policy, 1_800_000_000).unwrap();
        assert!(replay.record(&pending, &policy, 1_800_000_000).is_err());
    }
});
