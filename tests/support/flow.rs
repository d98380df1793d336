//! The refresh flow's test helpers, shared by the Issuer's test files.

use super::stores::TestStore;
use futures::executor::block_on;
use jwt_refresh::{ErrorCode, Issuer, SessionRecord, SessionStore, TokenPair};

/// A refresh with both tokens of `pair` at `now`, as its error code.
pub fn refresh(
    issuer: &Issuer,
    store: &TestStore,
    pair: &TokenPair,
    now: i64,
) -> Result<TokenPair, ErrorCode> {
    block_on(issuer.refresh(store, &pair.access_token, &pair.refresh_token, now))
        .map_err(|e| e.code())
}

/// The session record of `pair` as the store holds it (read past any injected fault).
pub fn record(store: &TestStore, pair: &TokenPair) -> SessionRecord {
    let stored = block_on(store.inner.get(&pair.subject, &pair.session_id))
        .unwrap()
        .unwrap();
    serde_json::from_str(&stored.value).unwrap()
}
