//! Ops/s of the Rust core for the operations the JS benchmark measures. bench/run.mjs runs it
//! natively and, built for wasm32-wasip1, as wasm in Node's V8: the wasm/native ratio of the
//! same code. Prints one JSON object. BENCH_QUICK=1 for a smoke run.

// Measured natively and under WASI (wasm32-unknown-unknown builds of the bench target, from
// `cargo clippy --all-targets --target wasm32-unknown-unknown`, get an empty main: no clock).
fn main() {
    #[cfg(any(not(target_arch = "wasm32"), target_os = "wasi"))]
    native::run();
}

#[cfg(any(not(target_arch = "wasm32"), target_os = "wasi"))]
mod native {
    use futures::executor::block_on;
    use jwt_refresh::{
        sign, verify, Algorithm, Issuer, IssuerConfig, Key, KeySet, MemoryStore, SessionPolicy,
        SignOptions, VerifyOptions,
    };
    use serde_json::{json, Map, Value};
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    fn ops_per_second(budget: Duration, mut op: impl FnMut()) -> f64 {
        for _ in 0..50 {
            op();
        }
        let start = Instant::now();
        let mut count = 0u64;
        while start.elapsed() < budget {
            for _ in 0..32 {
                op();
            }
            count += 32;
        }
        count as f64 / start.elapsed().as_secs_f64()
    }

    pub fn run() {
        let quick = std::env::var_os("BENCH_QUICK").is_some();
        let budget = Duration::from_millis(if quick { 30 } else { 700 });
        let now = 1_800_000_000;
        let claims: Map<String, Value> = json!({
            "sub": "user-1234567890", "iss": "https://auth.example.com", "aud": "https://api.example.com",
            "roles": ["reader", "writer", "billing-admin"], "tenant": "acme-corporation-eu-west",
            "scope": "openid profile email offline_access"
        })
        .as_object()
        .unwrap()
        .clone();
        let options = SignOptions {
            expires_in: Some(900),
            ..Default::default()
        };
        let mut results = Map::new();
        // EdDSA and ES256 where this build has them in process (bench/run.mjs builds with
        // rust-eddsa and rust-es256: the same Rust code natively and as wasm).
        let keys = [Algorithm::Hs256, Algorithm::EdDsa, Algorithm::Es256]
            .into_iter()
            .filter_map(|alg| Key::generate(alg, Some("k".into())).ok());
        for key in keys {
            let alg = key.algorithm();
            let token = sign(&key, claims.clone(), &options, now).unwrap();
            let keys = KeySet::from(key.clone());
            let verify_options = VerifyOptions {
                algorithms: Some(vec![alg]),
                ..Default::default()
            };
            let sign_rate = ops_per_second(budget, || {
                black_box(sign(&key, claims.clone(), &options, now).unwrap());
            });
            let verify_rate = ops_per_second(budget, || {
                black_box(verify(black_box(&token), &keys, &verify_options, now).unwrap());
            });
            results.insert(
                alg.name().into(),
                json!({ "sign": sign_rate, "verify": verify_rate }),
            );
        }
        let issuer = Issuer::new(IssuerConfig {
            signing_key: Key::generate(Algorithm::Hs256, Some("a".into())).unwrap(),
            previous_keys: vec![],
            refresh_key: Key::generate(Algorithm::Hs256, Some("r".into())).unwrap(),
            issuer: "https://auth.example.com".into(),
            audience: vec!["https://api.example.com".into()],
            policy: SessionPolicy {
                grace_period: 0,
                ..Default::default()
            },
            clock_tolerance: 0,
        })
        .unwrap();
        let store = MemoryStore::new();
        let mut pair = block_on(issuer.start_session(&store, "user-1", Map::new(), now)).unwrap();
        let refresh_rate = ops_per_second(budget, || {
            pair = block_on(issuer.refresh(&store, &pair.access_token, &pair.refresh_token, now))
                .unwrap();
        });
        results.insert("refresh".into(), json!({ "HS256": refresh_rate }));
        println!("{}", Value::Object(results));
    }
}
