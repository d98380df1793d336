//! The JS API through the wasm boundary: real JS values, real `Error`s, the runtime's clock
//! and RNG. Compiled twice: `tests/wasm_api.rs` runs it in Node, `tests/wasm_api_browser.rs`
//! in browsers (wasm-bindgen-test picks one runtime per test binary).

use js_sys::{Reflect, JSON};
use jwt_refresh::wasm::{
    decode_unverified_js, error_codes, is_jwt_refresh_error, parse_duration_js, JsKey, JsKeySet,
};
use jwt_refresh::ErrorCode;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: f64 = 1_700_000_000.0;

fn obj(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

/// `json` with `currentDate` set to `seconds`.
fn at(seconds: f64, json: &str) -> Option<JsValue> {
    let options = obj(json);
    let date = js_sys::Date::new(&JsValue::from_f64(seconds * 1000.0));
    Reflect::set(&options, &"currentDate".into(), &date).unwrap();
    Some(options)
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, name| {
        Reflect::get(&v, &name.into()).unwrap()
    })
}

/// The `code` of a thrown error, after checking it is a real JwtRefreshError.
#[track_caller]
fn code_of<T>(result: Result<T, JsValue>) -> String {
    let Err(err) = result else {
        panic!("expected an error");
    };
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    assert!(is_jwt_refresh_error(&err), "not a JwtRefreshError: {err:?}");
    let error: &js_sys::Error = err.unchecked_ref();
    assert_eq!(String::from(error.name()), "JwtRefreshError");
    assert!(get(&err, "stack")
        .as_string()
        .is_some_and(|s| !s.is_empty()));
    get(&err, "code").as_string().unwrap()
}

fn hs256() -> JsKey {
    JsKey::from_jwk(
        obj(r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#),
        Some(obj(r#"{"alg":"HS256","kid":"k1"}"#)),
    )
    .unwrap()
}

/// What both signing tests check of a verified `{"sub":"u1","roles":[…]}` token signed at NOW
/// for 15 minutes.
#[track_caller]
fn assert_signed_result(result: &JsValue, alg: &str, kid: Option<String>) {
    assert_eq!(get(result, "payload.sub").as_string().unwrap(), "u1");
    assert_eq!(get(result, "payload.exp").as_f64().unwrap(), NOW + 900.0);
    assert_eq!(get(result, "protectedHeader.alg").as_string().unwrap(), alg);
    assert_eq!(get(result, "protectedHeader.kid").as_string(), kid);
    assert!(js_sys::Array::is_array(&get(result, "payload.roles")));
}

/// Every asymmetric algorithm: the host's crypto signs and verifies them all.
const ASYMMETRIC: [&str; 10] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

/// `Key.generateAsync(alg, { kid })`.
async fn generate(alg: &str, kid: &str) -> JsKey {
    let options = obj(&format!(r#"{{"kid":"{kid}"}}"#));
    let key = settle(JsKey::generate_async(JsValue::from(alg), Some(options)))
        .await
        .unwrap_or_else(|err| panic!("{alg}: {err:?}"));
    JsKey::try_from_js_value(key).unwrap()
}

#[wasm_bindgen_test]
fn every_hmac_algorithm_signs_and_verifies_with_the_runtime_rng() {
    for alg in ["HS256", "HS384", "HS512"] {
        let key = JsKey::generate(JsValue::from(alg), None).unwrap();
        assert_eq!(key.alg(), alg);
        assert!(key.can_sign());
        let token = key
            .sign(
                obj(r#"{"sub":"u1","roles":["a","b"]}"#),
                at(NOW, r#"{"expiresIn":"15m","typ":"at+jwt"}"#),
            )
            .unwrap();
        let result = key
            .verify(
                JsValue::from(&token),
                at(NOW + 899.0, r#"{"typ":"at+jwt"}"#),
            )
            .unwrap();
        assert_signed_result(&result, alg, key.kid());
        assert_eq!(
            code_of(key.verify(JsValue::from(&token), at(NOW + 900.0, "{}"))),
            "token_expired"
        );
    }
}

#[wasm_bindgen_test]
async fn every_asymmetric_algorithm_signs_and_verifies_through_the_host() {
    for alg in ASYMMETRIC {
        let key = generate(alg, "k1").await;
        assert_eq!((key.alg(), key.can_sign()), (alg.to_owned(), true));
        let signing = key.sign_async(
            obj(r#"{"sub":"u1","roles":["a","b"]}"#),
            at(NOW, r#"{"expiresIn":"15m","typ":"at+jwt"}"#),
        );
        let token = settle(signing).await.unwrap().as_string().unwrap();
        // Verified by a key made from the published JWK alone.
        let public = JsKey::from_jwk(key.to_public_jwk().unwrap(), None).unwrap();
        assert!(!public.can_sign(), "{alg}");
        let checking = public.verify_async(
            JsValue::from(&token),
            at(NOW + 899.0, r#"{"typ":"at+jwt"}"#),
        );
        let result = settle(checking).await.unwrap();
        assert_signed_result(&result, alg, key.kid());
        let late = settle(public.verify_async(JsValue::from(&token), at(NOW + 900.0, "{}")));
        assert_eq!(code_of(late.await), "token_expired", "{alg}");
        // A private JWK round-trips into a key that still signs.
        let restored = JsKey::from_jwk(key.to_private_jwk().unwrap(), None).unwrap();
        let again = settle(restored.sign_async(obj("{}"), None)).await.unwrap();
        assert!(
            settle(public.verify_async(again, None)).await.is_ok(),
            "{alg}"
        );
        // The synchronous methods take HMAC keys only, and name the method to call instead.
        for (thrown, instead) in [
            (
                key.sign(obj("{}"), None).map(JsValue::from),
                "key.signAsync",
            ),
            (
                public.verify(JsValue::from(&token), None),
                "key.verifyAsync",
            ),
            (
                JsKey::generate(JsValue::from(alg), None).map(JsValue::from),
                "Key.generateAsync",
            ),
        ] {
            let error = thrown.as_ref().unwrap_err().clone();
            assert_eq!(code_of(thrown), "async_required", "{alg}");
            let message = get(&error, "message").as_string().unwrap();
            assert!(
                message.contains(instead) && message.contains(alg),
                "{message}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn boundaries_now_equal_exp_is_expired_and_now_equal_nbf_is_valid() {
    let key = hs256();
    let token = key
        .sign(obj("{}"), at(NOW, r#"{"expiresIn":60,"notBefore":"10s"}"#))
        .unwrap();
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW + 9.0, "{}"))),
        "token_not_yet_valid"
    );
    assert!(key
        .verify(JsValue::from(&token), at(NOW + 10.0, "{}"))
        .is_ok());
    assert!(key
        .verify(JsValue::from(&token), at(NOW + 59.0, "{}"))
        .is_ok());
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW + 60.0, "{}"))),
        "token_expired"
    );
    assert!(key
        .verify(
            JsValue::from(&token),
            at(NOW + 64.0, r#"{"clockTolerance":"5s"}"#)
        )
        .is_ok());
    assert!(key
        .verify(
            JsValue::from(&token),
            at(NOW + 100.0, r#"{"ignoreExpiration":true}"#)
        )
        .is_ok());
}

#[wasm_bindgen_test]
fn signature_first_then_claims() {
    let key = hs256();
    let other = JsKey::from_jwk(
        obj(r#"{"kty":"oct","k":"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA"}"#),
        Some(obj(r#"{"alg":"HS256","kid":"k1"}"#)),
    )
    .unwrap();
    let expired = key
        .sign(obj("{}"), at(NOW - 100.0, r#"{"expiresIn":10}"#))
        .unwrap();
    assert_eq!(
        code_of(other.verify(JsValue::from(&expired), at(NOW, "{}"))),
        "invalid_signature"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&expired), at(NOW, "{}"))),
        "token_expired"
    );
}

#[wasm_bindgen_test]
fn claim_options_follow_jose_names() {
    let key = hs256();
    let token = key
        .sign(
            obj(r#"{"role":"admin"}"#),
            at(
                NOW,
                r#"{"issuer":"https://auth","audience":["api","web"],"subject":"u1","jti":true}"#,
            ),
        )
        .unwrap();
    let ok = r#"{"issuer":["x","https://auth"],"audience":"web","subject":"u1","requiredClaims":["role","jti"],"maxTokenAge":"5m","algorithms":["HS256"]}"#;
    assert!(key
        .verify(JsValue::from(&token), at(NOW + 300.0, ok))
        .is_ok());
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW + 301.0, ok))),
        "token_too_old"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW, r#"{"issuer":"x"}"#))),
        "claim_mismatch"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW, r#"{"audience":"x"}"#))),
        "claim_mismatch"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW, r#"{"subject":"u2"}"#))),
        "claim_mismatch"
    );
    assert_eq!(
        code_of(key.verify(
            JsValue::from(&token),
            at(NOW, r#"{"requiredClaims":["nope"]}"#)
        )),
        "claim_missing"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), at(NOW, r#"{"typ":"at+jwt"}"#))),
        "token_type_mismatch"
    );
    assert_eq!(
        code_of(key.verify(
            JsValue::from(&token),
            at(NOW, r#"{"algorithms":["EdDSA"]}"#)
        )),
        "alg_not_allowed"
    );
}

#[wasm_bindgen_test]
fn bad_options_are_typed_errors() {
    let key = hs256();
    let token = key.sign(obj("{}"), None).unwrap();
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), Some(obj(r#"{"audiance":"typo"}"#)))),
        "invalid_options"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), Some(obj(r#"{"currentDate":12}"#)))),
        "invalid_options"
    );
    assert_eq!(
        code_of(key.verify(
            JsValue::from(&token),
            Some(obj(r#"{"clockTolerance":"soon"}"#))
        )),
        "invalid_options"
    );
    assert_eq!(
        code_of(key.verify(
            JsValue::from(&token),
            Some(obj(r#"{"algorithms":["none"]}"#))
        )),
        "alg_not_allowed"
    );
    assert_eq!(code_of(key.sign(obj("[1]"), None)), "invalid_options");
    // Each option is read as the type it takes; `null` counts as absent.
    for bad in [
        r#"{"issuer":5}"#,
        r#"{"algorithms":"HS256"}"#,
        r#"{"audience":["a",1]}"#,
        r#"{"ignoreExpiration":"yes"}"#,
        r#"{"clockTolerance":-1}"#,
        r#"{"maxTokenLength":1.5}"#,
        "[]",
    ] {
        assert_eq!(
            code_of(key.verify(JsValue::from(&token), Some(obj(bad)))),
            "invalid_options",
            "{bad}"
        );
    }
    let lenient = obj(r#"{"issuer":null,"audience":null,"clockTolerance":null}"#);
    assert!(key.verify(JsValue::from(&token), Some(lenient)).is_ok());
    assert_eq!(
        code_of(key.sign(obj("{}"), Some(obj(r#"{"issuedAt":1}"#)))),
        "invalid_options"
    );
    assert_eq!(
        code_of(JsKey::generate(
            JsValue::from("HS256"),
            Some(obj(r#"{"kid":7}"#))
        )),
        "invalid_options"
    );
    assert_eq!(
        code_of(key.sign(obj(r#"{"exp":"tomorrow"}"#), None)),
        "invalid_options"
    );
    assert_eq!(
        code_of(JsKey::generate(JsValue::from("none"), None)),
        "alg_not_allowed"
    );
    assert_eq!(
        code_of(JsKey::from_jwk(
            obj(r#"{"kty":"oct","k":"c2hvcnQ"}"#),
            Some(obj(r#"{"alg":"HS256"}"#))
        )),
        "invalid_key"
    );
    assert_eq!(code_of(JsKey::from_jwk(obj("5"), None)), "invalid_key");
    assert_eq!(code_of(hs256().to_public_jwk()), "invalid_key");
}

#[wasm_bindgen_test]
async fn rfc7515_a1_and_a3_vectors_verify_across_the_boundary() {
    let a1 = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let key = JsKey::from_jwk(
        obj(r#"{"kty":"oct","alg":"HS256","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#),
        None,
    )
    .unwrap();
    let result = key
        .verify(JsValue::from(a1), at(1_300_819_379.0, "{}"))
        .unwrap();
    assert_eq!(get(&result, "payload.iss").as_string().unwrap(), "joe");
    let a3 = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    let es = JsKey::from_jwk(
        obj(r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#),
        None,
    )
    .unwrap();
    assert!(!es.can_sign());
    let in_time = es.verify_async(JsValue::from(a3), at(1_300_819_379.0, "{}"));
    assert!(settle(in_time).await.is_ok());
    let late = es.verify_async(JsValue::from(a3), at(1_300_819_380.0, "{}"));
    assert_eq!(code_of(settle(late).await), "token_expired");
}

#[wasm_bindgen_test]
async fn key_sets_select_by_kid_and_publish_jwks() {
    let a = generate("EdDSA", "a").await;
    let b = generate("ES256", "b").await;
    let c = generate("RS256", "c").await;
    let mut set = JsKeySet::new();
    for key in [&a, &b, &c] {
        set.add(key).unwrap();
    }
    assert_eq!(code_of(set.add(&a)), "invalid_key");
    let jwks = set.to_jwks().unwrap();
    let published = JSON::stringify(&jwks).unwrap().as_string().unwrap();
    for private in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"qi\""] {
        assert!(!published.contains(private), "{published}");
    }
    let public = JsKeySet::from_jwks(jwks).unwrap();
    assert_eq!(public.size(), 3);
    for key in [&a, &b, &c] {
        let token = settle(key.sign_async(obj("{}"), None)).await.unwrap();
        assert!(settle(public.verify_async(token.clone(), None))
            .await
            .is_ok());
        assert_eq!(code_of(public.verify(token, None)), "async_required");
    }
    let stranger = generate("EdDSA", "x").await;
    let token = settle(stranger.sign_async(obj("{}"), None)).await.unwrap();
    assert_eq!(
        code_of(settle(public.verify_async(token, None)).await),
        "key_not_found"
    );
    // A set of HMAC keys verifies synchronously.
    let mut secrets = JsKeySet::new();
    secrets.add(&hs256()).unwrap();
    let token = hs256().sign(obj("{}"), None).unwrap();
    if let Err(err) = secrets.verify(JsValue::from(&token), None) {
        panic!("the HMAC set refused {token}: {err:?}");
    }
}

#[wasm_bindgen_test]
async fn algorithm_confusion_and_alg_none_are_refused() {
    let ed = generate("EdDSA", "ed").await;
    let x = get(&ed.to_public_jwk().unwrap(), "x").as_string().unwrap();
    // HMAC secret = the public key bytes (+1 byte to reach HS256's 32-byte minimum... and more).
    let secret = format!("{x}A");
    let jwk = format!(r#"{{"kty":"oct","k":"{secret}"}}"#);
    let attacker = JsKey::from_jwk(obj(&jwk), Some(obj(r#"{"alg":"HS256","kid":"ed"}"#))).unwrap();
    let forged = attacker.sign(obj(r#"{"sub":"admin"}"#), None).unwrap();
    let public = JsKey::from_jwk(ed.to_public_jwk().unwrap(), None).unwrap();
    let both = || Some(obj(r#"{"algorithms":["HS256","EdDSA"]}"#));
    assert_eq!(
        code_of(settle(public.verify_async(JsValue::from(&forged), both())).await),
        "alg_not_allowed"
    );
    // An unsecured JWT's empty signature is valid syntax: the verdict is its algorithm's.
    for unsecured in [
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.AA",
    ] {
        let verdict = settle(public.verify_async(JsValue::from(unsecured), None)).await;
        assert_eq!(code_of(verdict), "alg_not_allowed");
    }
}

#[wasm_bindgen_test]
fn strings_enter_wasm_exactly_whatever_their_characters() {
    // ASCII takes the host encoder's one-call path; anything else wasm-bindgen's own.
    let key = hs256();
    let long = "x".repeat(5000);
    let lone = JsValue::from(js_sys::JsString::from_char_code1(0xD800));
    let values = [
        "",
        "u1",
        "é",
        "日本語",
        "😀 and ASCII after",
        "a\u{7f}b",
        &long,
    ];
    let claims_of = |name: &str, value: &JsValue| {
        let claims = js_sys::Object::new();
        Reflect::set(&claims, &name.into(), value).unwrap();
        JsValue::from(claims)
    };
    for value in values.map(JsValue::from).iter().chain([&lone]) {
        // `name` is not a registered claim: its value is carried, not read.
        for name in ["sub", "name"] {
            if name == "sub" && value == &lone {
                continue;
            }
            let token = key.sign(claims_of(name, value), at(NOW, "{}")).unwrap();
            let result = key.verify(JsValue::from(&token), at(NOW, "{}")).unwrap();
            assert_eq!(&get(&result, &format!("payload.{name}")), value);
        }
    }
    // A registered claim is read as a string, which a lone surrogate cannot be: the error
    // says so instead of "not a JSON object".
    let refused = key
        .sign(claims_of("sub", &lone), at(NOW, "{}"))
        .unwrap_err();
    let message = get(&refused, "message").as_string().unwrap();
    assert!(
        message.contains("not readable JSON (unexpected end of hex escape"),
        "{message}"
    );
    // A token with non-ASCII characters is read whole, and refused for what it is.
    for token in ["é.e30.AA", "e30.e30.é", "e30😀.e30.AA"] {
        assert_eq!(
            code_of(key.verify(JsValue::from(token), None)),
            "malformed_token"
        );
    }
}

#[wasm_bindgen_test]
fn hostile_inputs_throw_typed_errors_never_trap() {
    let key = hs256();
    let long = "a".repeat(9000);
    let inputs = [
        "",
        ".",
        "..",
        "...",
        "a.b.c",
        "a.b.c.d",
        "e30.e30.",
        "e30.e30.AA",
        "e30=.e30.AA",
        "eyJhbGciOiJIUzI1NiJ9.W10.AA",
        "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsieCJdLCJ4IjoxfQ.e30.AA",
        "\u{0}\u{1}",
        "éé.éé.éé",
        &long,
    ];
    for input in inputs {
        let code = code_of(key.verify(JsValue::from(input), None));
        assert!(ErrorCode::parse(&code).is_some(), "{input}: {code}");
        let _ = decode_unverified_js(JsValue::from(input));
    }
    assert_eq!(
        code_of(key.verify(JsValue::from(&long), None)),
        "token_too_large"
    );
    // Key material of the wrong shape is a typed error, whatever its members hold.
    let zero = "A".repeat(43);
    for jwk in [
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{zero}","d":"{zero}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{zero}A","d":"{zero}"}}"#),
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{zero}","y":"{zero}AA"}}"#),
        format!(r#"{{"kty":"RSA","alg":"RS256","n":"{zero}","e":"AQAB"}}"#),
        r#"{"kty":"EC","crv":"P-256","x":7,"y":[]}"#.to_owned(),
    ] {
        assert_eq!(code_of(JsKey::from_jwk(obj(&jwk), None)), "invalid_key");
    }
    // Pseudo-random token-shaped noise, deterministic.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    let mut state = 0x2545_F491u32;
    for _ in 0..300 {
        let len = (state % 120) as usize;
        let s: String = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                alphabet[(state as usize) % alphabet.len()] as char
            })
            .collect();
        let _ = code_of(key.verify(JsValue::from(&s), None));
    }
}

#[wasm_bindgen_test]
fn decode_unverified_parse_duration_and_error_codes() {
    let key = hs256();
    let token = key
        .sign(obj(r#"{"n":1}"#), at(NOW, r#"{"expiresIn":"1h"}"#))
        .unwrap();
    let decoded = decode_unverified_js(JsValue::from(&token)).unwrap();
    assert_eq!(get(&decoded, "payload.exp").as_f64().unwrap(), NOW + 3600.0);
    assert_eq!(
        get(&decoded, "protectedHeader.kid").as_string().unwrap(),
        "k1"
    );
    assert_eq!(parse_duration_js(JsValue::from("2h")).unwrap(), 7200.0);
    assert_eq!(
        code_of(parse_duration_js(JsValue::from("2 fortnights"))),
        "invalid_options"
    );
    let codes: Vec<String> = error_codes().iter().filter_map(|c| c.as_string()).collect();
    let expected: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, expected);
    assert!(codes.iter().any(|c| c == "token_expired"));
    assert!(!is_jwt_refresh_error(&js_sys::Error::new("plain").into()));
    assert!(!is_jwt_refresh_error(&JsValue::from_str("token_expired")));
}

#[wasm_bindgen_test]
fn decode_unverified_gives_the_tokens_own_members_in_order() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let payload = r#"{"zeta":1,"alpha":[2.5,"x"],"mid":{"b":null,"a":true}}"#;
    let token = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"HS256"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let decoded = decode_unverified_js(JsValue::from(&token)).unwrap();
    let json = |path: &str| String::from(JSON::stringify(&get(&decoded, path)).unwrap());
    // Exactly what JSON.parse of each segment gives: same members, same order.
    assert_eq!(json("payload"), payload);
    assert_eq!(json("protectedHeader"), r#"{"typ":"JWT","alg":"HS256"}"#);
    let not_object = format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode("[1]"));
    assert_eq!(
        code_of(decode_unverified_js(JsValue::from(&not_object))),
        "malformed_token"
    );
}

/// Whether wasm memory holds `text` anywhere (searched in JS, so the search itself puts no copy
/// of it there).
fn wasm_memory_contains(text: &JsValue) -> bool {
    let search = js_sys::Function::new_with_args(
        "memory, text",
        "const mem = new Uint8Array(memory.buffer), pat = new TextEncoder().encode(text);
         outer: for (let i = 0; i + pat.length <= mem.length; i++) {
           for (let j = 0; j < pat.length; j++) if (mem[i + j] !== pat[j]) continue outer;
           return true;
         }
         return false;",
    );
    search
        .call2(&JsValue::NULL, &wasm_bindgen::memory(), text)
        .unwrap()
        .is_truthy()
}

#[wasm_bindgen_test]
fn private_jwks_in_and_out_leave_no_copy_of_the_secret_in_wasm_memory() {
    // The secret and its JWK are made in JS: this test's own strings hold no copy of `k`.
    let jwk = js_sys::Function::new_no_args(
        "const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255);
         const k = btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
         return { kty: 'oct', alg: 'HS512', k, kid: 'kid-' + k.slice(3, 17) };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let k = Reflect::get(&jwk, &"k".into()).unwrap();
    assert!(!wasm_memory_contains(&k), "the search finds nothing yet");
    let key = JsKey::from_jwk(jwk, None).unwrap();
    assert!(
        !wasm_memory_contains(&k),
        "import left the JWK's text behind"
    );
    let exported = key.to_private_jwk().unwrap();
    assert!(
        !wasm_memory_contains(&k),
        "export left the JWK's text behind"
    );
    let same = Reflect::get(&exported, &"k".into()).unwrap();
    assert!(same.loose_eq(&k), "the exported JWK carries the secret");
    // The search finds what is there: the kid (made in JS too), which the key holds.
    assert!(wasm_memory_contains(
        &Reflect::get(&exported, &"kid".into()).unwrap()
    ));
}

#[wasm_bindgen_test]
fn misspelt_options_are_refused_not_ignored() {
    let key = hs256();
    let token = key.sign(obj("{}"), None).unwrap();
    assert_eq!(
        code_of(key.sign(obj("{}"), Some(obj(r#"{"expiresin":60}"#)))),
        "invalid_options"
    );
    assert_eq!(
        code_of(JsKey::generate(
            JsValue::from("HS256"),
            Some(obj(r#"{"kidd":"x"}"#))
        )),
        "invalid_options"
    );
    assert_eq!(
        code_of(key.verify(JsValue::from(&token), Some(JsValue::from_str("strict")))),
        "invalid_options"
    );
    // A signer's or verifier's clock comes with each call: a fixed one would be ignored.
    let clock = at(NOW, "{}");
    assert_eq!(code_of(key.verifier(clock.clone())), "invalid_options");
    assert_eq!(code_of(key.signer(clock)), "invalid_options");
}

#[wasm_bindgen_test]
fn signers_and_verifiers_apply_their_options_every_time() {
    use jwt_refresh::wasm::JsKeySet;
    let key = hs256();
    let signer = key
        .signer(Some(obj(
            r#"{"expiresIn":"1m","typ":"at+jwt","issuer":"https://auth"}"#,
        )))
        .unwrap();
    let date = |s: f64| JsValue::from(js_sys::Date::new(&JsValue::from_f64(s * 1000.0)));
    let token = signer
        .sign(obj(r#"{"sub":"u1"}"#), Some(date(NOW)))
        .unwrap();
    let verifier = key
        .verifier(Some(obj(
            r#"{"typ":"at+jwt","issuer":"https://auth","algorithms":["HS256"]}"#,
        )))
        .unwrap();
    let result = verifier
        .verify(JsValue::from(&token), Some(date(NOW + 59.0)))
        .unwrap();
    assert_eq!(get(&result, "payload.exp").as_f64().unwrap(), NOW + 60.0);
    assert_eq!(
        get(&result, "payload.iss").as_string().unwrap(),
        "https://auth"
    );
    assert_eq!(
        code_of(verifier.verify(JsValue::from(&token), Some(date(NOW + 60.0)))),
        "token_expired"
    );
    let untyped = key.sign(obj("{}"), at(NOW, "{}")).unwrap();
    assert_eq!(
        code_of(verifier.verify(JsValue::from(&untyped), Some(date(NOW)))),
        "token_type_mismatch"
    );
    // The same through a key set; bad options fail when the verifier is made.
    let mut set = JsKeySet::new();
    set.add(&key).unwrap();
    let from_set = set.verifier(Some(obj(r#"{"typ":"at+jwt"}"#))).unwrap();
    assert!(from_set
        .verify(JsValue::from(&token), Some(date(NOW)))
        .is_ok());
    assert_eq!(
        code_of(key.verifier(Some(obj(r#"{"audiance":"x"}"#)))),
        "invalid_options"
    );
    assert_eq!(
        code_of(key.signer(Some(obj(r#"{"expiresIn":"soon"}"#)))),
        "invalid_options"
    );
    // Without a date: the runtime's clock.
    let fresh = signer.sign(obj("{}"), None).unwrap();
    assert!(verifier.verify(JsValue::from(&fresh), None).is_ok());
}

async fn settle(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(promise).await
}

#[wasm_bindgen_test]
async fn verify_async_gives_every_algorithm_the_same_verdicts() {
    for alg in ["HS256", "EdDSA", "ES256", "RS256", "PS512", "ES512"] {
        let key = match alg {
            "HS256" => hs256(),
            _ => generate(alg, "k1").await,
        };
        let public = if alg == "HS256" {
            key.to_private_jwk().unwrap()
        } else {
            key.to_public_jwk().unwrap()
        };
        let verifying = JsKey::from_jwk(public.clone(), None).unwrap();
        let signing = key.sign_async(
            obj(r#"{"sub":"u1"}"#),
            at(NOW, r#"{"expiresIn":60,"typ":"at+jwt"}"#),
        );
        let token = settle(signing).await.unwrap().as_string().unwrap();
        let good = settle(
            verifying.verify_async(JsValue::from(&token), at(NOW + 1.0, r#"{"typ":"at+jwt"}"#)),
        )
        .await
        .unwrap();
        assert_eq!(
            get(&good, "payload.sub").as_string().unwrap(),
            "u1",
            "{alg}"
        );
        // Twice: the second call uses the cached host key.
        assert!(
            settle(verifying.verify_async(JsValue::from(&token), at(NOW + 1.0, "{}")))
                .await
                .is_ok()
        );
        let (head, sig) = token.rsplit_once('.').unwrap();
        let flipped = format!(
            "{head}.{}{}",
            if sig.starts_with('A') { "B" } else { "A" },
            &sig[1..]
        );
        // Three bytes short (four base64url characters, so still valid base64url).
        let short = format!("{head}.{}", &sig[4..]);
        for bad in [flipped, short] {
            let verdict =
                settle(verifying.verify_async(JsValue::from(&bad), at(NOW + 1.0, "{}"))).await;
            assert_eq!(code_of(verdict), "invalid_signature", "{alg} {bad}");
        }
        assert_eq!(
            code_of(
                settle(verifying.verify_async(JsValue::from(&token), at(NOW + 60.0, "{}"))).await
            ),
            "token_expired",
            "{alg}"
        );
        // Signature first: a bad signature on an expired token is invalid_signature, on a
        // key's first call (while its host key is being imported) and after it.
        let forged = format!("{head}.{}", "A".repeat(sig.len()));
        let first_call = JsKey::from_jwk(public.clone(), None).unwrap();
        for key in [&first_call, &verifying] {
            let err = settle(key.verify_async(JsValue::from(&forged), at(NOW + 600.0, "{}"))).await;
            let code = code_of(err);
            assert!(
                matches!(code.as_str(), "invalid_signature" | "malformed_token"),
                "{alg}: {code}"
            );
        }
        let first_call = JsKey::from_jwk(public, None).unwrap();
        let err =
            settle(first_call.verify_async(JsValue::from(&token), at(NOW + 600.0, "{}"))).await;
        assert_eq!(code_of(err), "token_expired", "{alg}");
        // Through a verifier too.
        let verifier = verifying
            .verifier(Some(obj(r#"{"typ":"at+jwt"}"#)))
            .unwrap();
        let date = JsValue::from(js_sys::Date::new(&JsValue::from_f64((NOW + 2.0) * 1000.0)));
        assert!(
            settle(verifier.verify_async(JsValue::from(&token), Some(date)))
                .await
                .is_ok(),
            "{alg}"
        );
    }
    // Algorithm confusion is refused before any host call.
    let ed = generate("EdDSA", "same").await;
    let hs = JsKey::generate(JsValue::from("HS256"), Some(obj(r#"{"kid":"same"}"#))).unwrap();
    let confused = hs.sign(obj("{}"), None).unwrap();
    assert_eq!(
        code_of(settle(ed.verify_async(JsValue::from(&confused), None)).await),
        "alg_not_allowed"
    );
}

/// A key the host refuses (a P-256 point off the curve) is `invalid_key` naming the host's
/// refusal, from `verifyAsync` and `signAsync` alike: never a verdict on the token.
#[wasm_bindgen_test]
async fn a_key_the_host_refuses_is_invalid_key_not_a_verdict() {
    let key = generate("ES256", "k").await;
    let token = settle(key.sign_async(obj("{}"), None)).await.unwrap();
    let jwk = key.to_private_jwk().unwrap();
    // y := x: a point on P-256 with that y exists with probability ~2^-256.
    let x = get(&jwk, "x");
    Reflect::set(&jwk, &"y".into(), &x).unwrap();
    let off_curve = JsKey::from_jwk(jwk, None).unwrap();
    let verdict = settle(off_curve.verify_async(token, None)).await;
    let error = verdict.as_ref().unwrap_err().clone();
    match code_of(verdict).as_str() {
        "invalid_key" => {
            let message = get(&error, "message").as_string().unwrap();
            assert!(message.contains("cannot use the ES256 key"), "{message}");
        }
        // WebKit imports the point unchecked; its verdict still refuses the token.
        "invalid_signature" => {}
        other => panic!("{other}"),
    }
    let signing = settle(off_curve.sign_async(obj("{}"), None)).await;
    assert_eq!(code_of(signing), "invalid_key");
    // A private key whose public members are another key's: its tokens would verify under no
    // published key, so no host signs with it.
    let other = generate("ES256", "k").await.to_public_jwk().unwrap();
    let mismatched = key.to_private_jwk().unwrap();
    for member in ["x", "y"] {
        Reflect::set(&mismatched, &member.into(), &get(&other, member)).unwrap();
    }
    let mismatched = JsKey::from_jwk(mismatched, None).unwrap();
    let signing = settle(mismatched.sign_async(obj("{}"), None)).await;
    let error = signing.as_ref().unwrap_err().clone();
    assert_eq!(code_of(signing), "invalid_key");
    let message = get(&error, "message").as_string().unwrap();
    // Chrome refuses the import itself; Node, Firefox and WebKit take it, and the probe
    // signature finds the mismatch.
    let refused =
        message.contains("does not match") || message.contains("cannot use the ES256 key");
    assert!(refused, "{message}");
}

/// Counts calls of `crypto.subtle.verify` (WebCrypto: browsers; Node's wasm tests use
/// node:crypto) until the returned guard's `restore` is called.
struct SubtleVerifySpy {
    subtle: JsValue,
    original: JsValue,
    calls: js_sys::Object,
}

impl SubtleVerifySpy {
    fn install() -> Self {
        let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).unwrap();
        let subtle = Reflect::get(&crypto, &"subtle".into()).unwrap();
        let original = Reflect::get(&subtle, &"verify".into()).unwrap();
        let calls = js_sys::Object::new();
        Reflect::set(&calls, &"n".into(), &0.into()).unwrap();
        let spy = js_sys::Function::new_with_args(
            "original, calls",
            "return function (...args) { calls.n += 1; return original.apply(this, args); };",
        )
        .call2(&JsValue::NULL, &original, &calls)
        .unwrap();
        Reflect::set(&subtle, &"verify".into(), &spy).unwrap();
        SubtleVerifySpy {
            subtle,
            original,
            calls,
        }
    }

    fn calls(&self) -> f64 {
        Reflect::get(&self.calls, &"n".into())
            .unwrap()
            .as_f64()
            .unwrap()
    }

    fn restore(self) {
        Reflect::set(&self.subtle, &"verify".into(), &self.original).unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_cached_verifier_checks_a_signature_once_and_the_claims_every_time() {
    for alg in ["HS256", "EdDSA", "ES256"] {
        let key = match alg {
            "HS256" => hs256(),
            _ => generate(alg, "k1").await,
        };
        let signing = key.sign_async(obj(r#"{"sub":"u1"}"#), at(NOW, r#"{"expiresIn":60}"#));
        let token = settle(signing).await.unwrap().as_string().unwrap();
        let verifier = key.verifier(Some(obj(r#"{"cache":4}"#))).unwrap();
        let date = |s: f64| {
            Some(JsValue::from(js_sys::Date::new(&JsValue::from_f64(
                s * 1000.0,
            ))))
        };
        let spy = SubtleVerifySpy::install();
        let first = settle(verifier.verify_async(JsValue::from(&token), date(NOW + 1.0))).await;
        let after_first = spy.calls();
        for _ in 0..3 {
            let again = settle(verifier.verify_async(JsValue::from(&token), date(NOW + 1.0))).await;
            assert_eq!(
                get(&again.unwrap(), "payload.sub").as_string().unwrap(),
                "u1"
            );
            let sync = verifier.verify(JsValue::from(&token), date(NOW + 1.0));
            match alg {
                "HS256" => assert!(sync.is_ok()),
                // Remembered or not, an asymmetric key is never used synchronously.
                _ => assert_eq!(code_of(sync), "async_required"),
            }
        }
        let expired = settle(verifier.verify_async(JsValue::from(&token), date(NOW + 60.0))).await;
        let (head, sig) = token.rsplit_once('.').unwrap();
        let forged = format!(
            "{head}.{}{}",
            if sig.starts_with('A') { "B" } else { "A" },
            &sig[1..]
        );
        let forged_twice = [
            settle(verifier.verify_async(JsValue::from(&forged), date(NOW + 1.0))).await,
            settle(verifier.verify_async(JsValue::from(&forged), date(NOW + 1.0))).await,
        ];
        let calls = spy.calls();
        spy.restore();
        assert_eq!(
            get(&first.unwrap(), "payload.sub").as_string().unwrap(),
            "u1"
        );
        // In browsers WebCrypto checked the first EdDSA/ES256 verification (one call); after it
        // only the two forgeries reached it. (Node's host is node:crypto, which this spy does
        // not see: zero throughout.)
        assert_eq!(
            calls,
            3.0 * after_first,
            "{alg}: only the forgeries reach the host again"
        );
        assert_eq!(code_of(expired), "token_expired", "{alg}");
        for forged in forged_twice {
            assert_eq!(code_of(forged), "invalid_signature", "{alg}");
        }
    }
}

/// Waits `ms` on the runtime's timer (lets a background host import finish).
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .unchecked_into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &ms.into())
            .unwrap();
    });
    settle(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn sign_async_makes_tokens_of_every_key() {
    let claims = r#"{"sub":"u1"}"#;
    let options = r#"{"expiresIn":60,"typ":"at+jwt"}"#;
    for alg in ["HS256", "EdDSA", "ES256", "PS256"] {
        let key = match alg {
            "HS256" => hs256(),
            _ => generate(alg, "k1").await,
        };
        let mut tokens = Vec::new();
        // The first call starts the host import and waits for it; later ones find it ready.
        for _ in 0..3 {
            let token = settle(key.sign_async(obj(claims), at(NOW, options)))
                .await
                .unwrap();
            tokens.push(token.as_string().unwrap());
            pause(20).await;
        }
        let signer = key.signer(Some(obj(options))).unwrap();
        let date = || JsValue::from(js_sys::Date::new(&JsValue::from_f64(NOW * 1000.0)));
        let by_signer = settle(signer.sign_async(obj(claims), Some(date()))).await;
        tokens.push(by_signer.unwrap().as_string().unwrap());
        for token in &tokens {
            let checking =
                key.verify_async(JsValue::from(token), at(NOW + 1.0, r#"{"typ":"at+jwt"}"#));
            let verified = settle(checking).await.unwrap();
            assert_eq!(get(&verified, "payload.sub").as_string().unwrap(), "u1");
            assert_eq!(get(&verified, "payload.exp").as_f64(), Some(NOW + 60.0));
            assert_eq!(
                get(&verified, "protectedHeader.kid").as_string().unwrap(),
                "k1"
            );
        }
        match alg {
            // HMAC stays in wasm, deterministic, and synchronous too.
            "HS256" => {
                let sync = key.sign(obj(claims), at(NOW, options)).unwrap();
                assert!(tokens.iter().all(|t| *t == sync));
            }
            _ => assert_eq!(
                code_of(signer.sign(obj(claims), Some(date()))),
                "async_required"
            ),
        }
    }
    let key = generate("ES256", "k2").await;
    let public = JsKey::from_jwk(key.to_public_jwk().unwrap(), None).unwrap();
    let err = settle(public.sign_async(obj("{}"), None)).await;
    assert_eq!(code_of(err), "invalid_key");
    let err = settle(key.sign_async(obj("[1]"), None)).await;
    assert_eq!(code_of(err), "invalid_options");
    let err = settle(key.sign_async(obj("{}"), Some(obj(r#"{"expiresIn":"soon"}"#)))).await;
    assert_eq!(code_of(err), "invalid_options");
    let err = settle(JsKey::generate_async(JsValue::from("ES256K"), None)).await;
    assert_eq!(code_of(err), "alg_not_allowed");
}

/// The adversarial review's key findings, on every host the suite runs in (Node, Chrome,
/// Firefox): a weak Ed25519 key never reaches the host's verifier (Node's accepted the universal
/// forgery R = identity, S = 0 under it), and a public JWKS never brings in a secret.
#[wasm_bindgen_test]
async fn weak_ed25519_keys_and_secrets_in_a_jwks_are_refused_on_every_host() {
    // x = the identity point's encoding: y = 1.
    let identity =
        r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
    assert_eq!(code_of(JsKey::from_jwk(obj(identity), None)), "invalid_key");
    let jwks = format!(r#"{{"keys":[{identity}]}}"#);
    assert_eq!(code_of(JsKeySet::from_jwks(obj(&jwks))), "invalid_key");
    let oct = r#"{"keys":[{"kty":"oct","alg":"HS256","kid":"s","k":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"}]}"#;
    assert_eq!(code_of(JsKeySet::from_jwks(obj(oct))), "invalid_key");
}
