//! JWK and JWKS import (every key type of the build), and the exports of what imported.
#![no_main]

use jwt_refresh::{Algorithm, Key, KeySet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for alg in [
        None,
        Some(Algorithm::Hs256),
        Some(Algorithm::EdDsa),
        Some(Algorithm::Es256),
    ] {
        if let Ok(key) = Key::from_jwk(&value, alg, None) {
            let _ = key.to_public_jwk();
            let _ = key.thumbprint();
            if let Ok(private) = key.to_private_jwk() {
                // What we export, we import again.
                Key::from_jwk(&private, None, None).expect("an exported JWK imports");
            }
        }
    }
    if let Ok(set) = KeySet::from_jwks(&value) {
        let _ = set.to_jwks();
    }
    // The same document as the `keys` of a set.
    let _ = KeySet::from_jwks(&serde_json::json!({ "keys": [value] }));
});
