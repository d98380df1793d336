use jwt_refresh::*;
use serde_json::json;
fn main() {
    let now = 1_800_000_000;
    let claims = json!({"sub": "user-1234567890", "iss": "https://auth.example.com", "aud": "https://api.example.com",
        "roles": ["reader", "writer", "billing-admin"], "tenant": "acme-corporation-eu-west", "scope": "openid profile email offline_access"}).as_object().unwrap().clone();
    let key = Key::hmac(Algorithm::Hs256, &[7u8; 32], Some("k".into())).unwrap();
    let opts = SignOptions {
        expires_in: Some(900),
        ..Default::default()
    };
    let token = sign(&key, claims.clone(), &opts, now).unwrap();
    let vo = VerifyOptions {
        algorithms: Some(vec![Algorithm::Hs256]),
        ..Default::default()
    };
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(20000);
    let mut ok = 0;
    for _ in 0..n {
        if verify(std::hint::black_box(&token), &key, &vo, now).is_ok() {
            ok += 1;
        }
    }
    let t = std::time::Instant::now();
    for _ in 0..n {
        if verify(std::hint::black_box(&token), &key, &vo, now).is_ok() {
            ok += 1;
        }
    }
    eprintln!("{} verify/s", n as f64 / t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(sign(&key, claims.clone(), &opts, now).unwrap());
    }
    eprintln!("{} sign/s {ok}", n as f64 / t.elapsed().as_secs_f64());
}
