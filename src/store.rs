//! The refresh-session store: async, compare-and-swap by version (docs/security.md#sessions).

use crate::error::{Error, ErrorCode, Result};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// How long a JS store call may take before it counts as failed (`storeTimeout`), in
/// milliseconds. A write still in flight then may land: see [`crate::SessionPolicy::grace_period`].
pub const DEFAULT_STORE_TIMEOUT_MS: f64 = 5000.0;

/// A stored value and the version the store gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The serialized session record.
    pub value: String,
    /// Bumped by the store on every successful write.
    pub version: u64,
}

/// Where refresh sessions live. Implemented in Rust (tests, [`MemoryStore`]) and in JS for
/// real backends (Workers KV, Durable Objects, D1). Sessions are addressed by subject and
/// session id, so that every session of a subject can be listed and revoked.
///
/// Failures (a throw, a timeout) are `store_unavailable`; a store must then have changed nothing.
#[allow(async_fn_in_trait)] // single-threaded runtimes (wasm, workerd): no Send bound wanted
pub trait SessionStore {
    /// The record, or `None` when there is no such session.
    async fn get(&self, sub: &str, sid: &str) -> Result<Option<Stored>>;
    /// Writes `value` only if the stored version is still `expected` (`None`: only if absent).
    /// Returns `false`, having changed nothing, when it is not. `expires_at` (Unix seconds)
    /// is when the store may forget the record.
    async fn put(
        &self,
        sub: &str,
        sid: &str,
        value: &str,
        expected: Option<u64>,
        expires_at: i64,
    ) -> Result<bool>;
    /// Every session id of a subject.
    async fn list(&self, sub: &str) -> Result<Vec<String>>;
    /// Called by the issuer at each login, with its clock: a store that keeps records past
    /// their `expires_at` may forget those expired by `now`. Stores whose backend expires
    /// records itself (KV, Redis) leave it as it is.
    fn forget_expired(&self, now: i64) {
        let _ = now;
    }
}

/// The fewest logins between two sweeps of a [`MemoryStore`].
const SWEEP_AFTER_LOGINS: usize = 64;

/// A single-process store: for tests and one-instance servers. Not shared across isolates.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: RefCell<BTreeMap<(String, String), (Stored, i64)>>,
    /// Logins since the last sweep, and how many make the next one due: as many as the
    /// records the last sweep left (at least [`SWEEP_AFTER_LOGINS`]), so that a sweep costs
    /// each login O(1) and expired records never outnumber the live ones for long.
    logins_since_sweep: Cell<usize>,
    sweep_after: Cell<usize>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Forgets every record expired by `now` (Unix seconds); returns how many.
    pub fn sweep(&self, now: i64) -> usize {
        let mut records = self.records.borrow_mut();
        let before = records.len();
        records.retain(|_, (_, expires_at)| *expires_at > now);
        self.logins_since_sweep.set(0);
        self.sweep_after.set(records.len().max(SWEEP_AFTER_LOGINS));
        before - records.len()
    }

    /// How many records are held (expired ones until the next sweep).
    pub fn len(&self) -> usize {
        self.records.borrow().len()
    }

    /// Whether the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.records.borrow().is_empty()
    }

    /// The record of a session, if any ([`SessionStore::get`], at once).
    pub fn read(&self, sub: &str, sid: &str) -> Option<Stored> {
        self.records
            .borrow()
            .get(&(sub.to_owned(), sid.to_owned()))
            .map(|(stored, _)| stored.clone())
    }

    /// [`SessionStore::put`], at once.
    pub fn write(
        &self,
        sub: &str,
        sid: &str,
        value: &str,
        expected: Option<u64>,
        expires_at: i64,
    ) -> Result<bool> {
        let mut records = self.records.borrow_mut();
        let key = (sub.to_owned(), sid.to_owned());
        let current = records.get(&key).map(|(stored, _)| stored.version);
        if current != expected {
            return Ok(false);
        }
        let version = current.map_or(Ok(1), |v| {
            v.checked_add(1)
                .ok_or_else(|| Error::new(ErrorCode::StoreConflict, "version overflow"))
        })?;
        let stored = Stored {
            value: value.to_owned(),
            version,
        };
        records.insert(key, (stored, expires_at));
        Ok(true)
    }

    /// Every session id of a subject ([`SessionStore::list`], at once).
    pub fn sessions_of(&self, sub: &str) -> Vec<String> {
        self.records
            .borrow()
            .keys()
            .filter(|(s, _)| s == sub)
            .map(|(_, sid)| sid.clone())
            .collect()
    }

    /// Every stored value: what an attacker with a dump of the store would see.
    pub fn dump(&self) -> Vec<String> {
        self.records
            .borrow()
            .values()
            .map(|(stored, _)| stored.value.clone())
            .collect()
    }
}

impl SessionStore for MemoryStore {
    async fn get(&self, sub: &str, sid: &str) -> Result<Option<Stored>> {
        Ok(self.read(sub, sid))
    }

    async fn put(
        &self,
        sub: &str,
        sid: &str,
        value: &str,
        expected: Option<u64>,
        expires_at: i64,
    ) -> Result<bool> {
        self.write(sub, sid, value, expected, expires_at)
    }

    async fn list(&self, sub: &str) -> Result<Vec<String>> {
        Ok(self.sessions_of(sub))
    }

    fn forget_expired(&self, now: i64) {
        let logins = self.logins_since_sweep.get() + 1;
        self.logins_since_sweep.set(logins);
        if logins >= self.sweep_after.get().max(SWEEP_AFTER_LOGINS) {
            self.sweep(now);
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_forgets_exactly_the_records_expired_by_then() {
        let store = MemoryStore::new();
        for (sid, expires_at) in [("a", 100), ("b", 200), ("c", 201)] {
            assert_eq!(store.write("u", sid, "{}", None, expires_at), Ok(true));
        }
        assert_eq!(store.sweep(99), 0);
        assert_eq!(store.sweep(200), 2);
        assert_eq!(store.sessions_of("u"), ["c"]);
        // A forgotten session can start again from nothing.
        assert_eq!(store.write("u", "a", "{}", None, 300), Ok(true));
    }

    #[test]
    fn logins_sweep_once_they_outnumber_what_the_last_sweep_left() {
        let store = MemoryStore::new();
        for i in 0..100 {
            store.forget_expired(0);
            store
                .write("u", &format!("old-{i}"), "{}", None, 10)
                .unwrap();
        }
        assert_eq!(store.len(), 100, "nothing had expired at 0");
        // The sweep at the 64th login left 63 records: the 64th login after it (the 28th
        // from here) sweeps.
        let mut logins_until_swept = 0;
        while store
            .sessions_of("u")
            .iter()
            .any(|sid| sid.starts_with("old-"))
        {
            logins_until_swept += 1;
            assert!(logins_until_swept <= 64, "never swept");
            store.forget_expired(20);
            let sid = format!("new-{logins_until_swept}");
            store.write("u", &sid, "{}", None, 30).unwrap();
        }
        assert_eq!(logins_until_swept, 64 - 36);
        assert_eq!(store.len(), logins_until_swept);
    }
}
