//! Token parsing and verification, with HMAC and asymmetric keys and a key set. Half of the
//! inputs are raw token text; the other half are a header and a payload of the fuzzer's
//! choosing, correctly HMAC-signed, so that claim checks and the member reader are reached.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jwt_refresh::{
    begin_verify, decode_unverified, decode_unverified_json, verify, Algorithm, Key, KeySet,
    VerifyOptions,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const SECRET: [u8; 32] = [7; 32];

struct Keys {
    hmac: Key,
    set: KeySet,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let hmac = Key::hmac(Algorithm::Hs256, &SECRET, Some("h".into())).unwrap();
        let mut set = KeySet::new();
        set.insert(hmac.clone()).unwrap();
        set.insert(Key::generate(Algorithm::EdDsa, Some("e".into())).unwrap())
            .unwrap();
        set.insert(Key::generate(Algorithm::Es256, Some("p".into())).unwrap())
            .unwrap();
        Keys { hmac, set }
    })
}

fn options(flags: u8) -> VerifyOptions {
    VerifyOptions {
        issuer: if flags & 1 != 0 {
            vec!["iss".into()]
        } else {
            vec![]
        },
        audience: if flags & 2 != 0 {
            vec!["aud".into()]
        } else {
            vec![]
        },
        subject: (flags & 4 != 0).then(|| "sub".into()),
        typ: (flags & 8 != 0).then(|| "at+jwt".into()),
        required_claims: if flags & 16 != 0 {
            vec!["sid".into()]
        } else {
            vec![]
        },
        clock_tolerance: u64::from(flags >> 6) * 30,
        max_token_age: (flags & 32 != 0).then_some(600),
        ..Default::default()
    }
}

fn check(token: &str, flags: u8) {
    let keys = keys();
    let options = options(flags);
    for now in [0, 1_700_000_000, i64::MAX] {
        if let Ok(verified) = verify(token, &keys.hmac, &options, now) {
            // What verification accepted, the readers must read or refuse with a typed error.
            let _ = verified.claims();
            let _ = verified.header();
            let _ = verified.string_claims(["sub", "sid", "iss"]);
        }
        let _ = verify(token, &keys.set, &options, now);
    }
    let _ = begin_verify(token, &keys.set, &options);
    let _ = decode_unverified(token);
    let _ = decode_unverified_json(token);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        check(&String::from_utf8_lossy(rest), mode >> 1);
        return;
    }
    let split = rest.iter().position(|&b| b == 0xff).unwrap_or(rest.len());
    let (header, payload) = rest.split_at(split);
    let payload = payload.get(1..).unwrap_or_default();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&SECRET).unwrap();
    mac.update(input.as_bytes());
    let token = format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    check(&token, mode >> 1);
});
