//! The browser client's core: a stored token set read back from whatever a storage holds,
//! tab messages as they arrive on the channel, the verdict on a refresh endpoint's answer,
//! the classification of API answers, the URLs a DPoP proof names, and the clock and backoff
//! arithmetic.
#![no_main]

use futures::executor::block_on;
use jwt_refresh::client::{
    ApiOutcome, Backoff, HeldPair, HttpAnswer, MemoryStorage, RefreshPolicy, RefreshVerdict,
    ServerClock, TabMessage, TokenSet, TokenStorage, TokenStore,
};
use libfuzzer_sys::fuzz_target;

fn f64_at(data: &[u8], at: usize) -> f64 {
    let mut bytes = [0u8; 8];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = data.get(at + i).copied().unwrap_or(0);
    }
    f64::from_le_bytes(bytes)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for split in [false, true] {
        let store = TokenStore::new(MemoryStorage::default(), "fuzz", split).unwrap();
        block_on(store.storage().set(store.key(), &text)).unwrap();
        if let Ok(Some(set)) = block_on(store.load()) {
            let _ = HeldPair::of(Some(&set), &text);
            block_on(store.save(&set)).unwrap();
        }
    }
    let status = u16::from_le_bytes([
        data.first().copied().unwrap_or(0),
        data.get(1).copied().unwrap_or(0),
    ]);
    let answer = HttpAnswer {
        status,
        retry_after: Some(f64_at(data, 2)),
        content_type: Some(
            if status % 2 == 0 {
                "application/json"
            } else {
                "text/html"
            }
            .into(),
        ),
        body: Some(text.to_string()),
        error: None,
        dpop_nonce: Some(text.to_string()),
    };
    let _ = RefreshVerdict::of(&answer);
    if let Ok(message) = serde_json::from_str::<TabMessage>(&text) {
        let _ = serde_json::to_string(&message);
    }
    if let Ok(set) = serde_json::from_str::<TokenSet>(&text) {
        let _ = jwt_refresh::client::fingerprint(&set.refresh_token);
    }
    let _ = ApiOutcome::classify(status, Some(&text), data.len() % 2 == 0);
    // What a DPoP proof names: the URL without query and fragment, and its origin.
    let _ = jwt_refresh::client::proof::target_uri(&text);
    let _ = jwt_refresh::client::proof::origin_of(&text);
    let (a, b, c) = (f64_at(data, 2), f64_at(data, 10), f64_at(data, 18));
    let clock = ServerClock::from_issued_at(a, b);
    let policy = RefreshPolicy::default();
    let _ = policy.refresh_at(&clock, b, c);
    let _ = policy.needs_refresh(&clock, a, c);
    let backoff = Backoff {
        base_ms: a.abs(),
        max_ms: b.abs(),
    };
    let _ = backoff.delay_ms(u32::from(data.len() as u8), c, Some(a));
});
