//! One token store over any key/value storage: namespaced keys, optional split placement
//! (access token in memory only, refresh token persisted).

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// What a client holds. Times are the server's clock (Unix seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    /// The access token (absent when only the refresh token was persisted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// When the access token was issued (server time): with the expiry, when to refresh.
    #[serde(default)]
    pub access_issued_at: i64,
    /// When the access token expires (server time).
    pub access_expires_at: i64,
    /// The refresh token; empty in cookie mode, where the browser's cookie jar holds it and
    /// no script can read it.
    pub refresh_token: String,
    /// When the refresh token expires (server time).
    pub refresh_expires_at: i64,
    /// `server time - local time` measured when the tokens arrived, in seconds.
    #[serde(default)]
    pub clock_skew: f64,
}

impl TokenSet {
    /// What names this pair among the others: the refresh token, or in cookie mode (where
    /// the client never sees it) the access token, which every refresh also renews.
    pub fn grant(&self) -> &str {
        match self.refresh_token.as_str() {
            "" => self.access_token.as_deref().unwrap_or_default(),
            refresh_token => refresh_token,
        }
    }
}

/// A key/value storage: memory, `localStorage`, `sessionStorage`, IndexedDB, or any object
/// with async get/set/remove. Failures are `storage_unavailable` / `storage_quota_exceeded`.
#[allow(async_fn_in_trait)] // browsers are single-threaded: no Send bound wanted
pub trait TokenStorage {
    /// The value, if any.
    async fn get(&self, key: &str) -> Result<Option<String>>;
    /// Stores a value.
    async fn set(&self, key: &str, value: &str) -> Result<()>;
    /// Removes a value (absent is fine).
    async fn remove(&self, key: &str) -> Result<()>;
}

/// This tab's memory: nothing persists, nothing is shared. It holds a key or two, so a list
/// (a hash map would bring its hasher and table code into the client's wasm for nothing).
#[derive(Debug, Default)]
pub struct MemoryStorage {
    values: RefCell<Vec<(String, String)>>,
}

impl TokenStorage for MemoryStorage {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        let values = self.values.borrow();
        Ok(values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone()))
    }
    async fn set(&self, key: &str, value: &str) -> Result<()> {
        let mut values = self.values.borrow_mut();
        match values.iter_mut().find(|(k, _)| k == key) {
            Some((_, held)) => value.clone_into(held),
            None => values.push((key.to_owned(), value.to_owned())),
        }
        Ok(())
    }
    async fn remove(&self, key: &str) -> Result<()> {
        self.values.borrow_mut().retain(|(k, _)| k != key);
        Ok(())
    }
}

/// The token set under a namespace, in one storage, or split: the access token only in
/// memory and the rest persisted.
pub struct TokenStore<S> {
    storage: S,
    key: String,
    split: bool,
    memory_access: RefCell<Option<(String, i64)>>,
}

impl<S: TokenStorage> TokenStore<S> {
    /// `namespace` prefixes every key (several apps or environments on one origin).
    pub fn new(storage: S, namespace: &str, split: bool) -> Result<TokenStore<S>> {
        if namespace.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "the namespace must not be empty",
            ));
        }
        Ok(TokenStore {
            storage,
            key: format!("{namespace}:tokens"),
            split,
            memory_access: RefCell::new(None),
        })
    }

    /// The storage key (for storage events from other tabs).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The storage underneath.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The stored set; with split placement, the access token comes from this tab's memory
    /// if it belongs to the same refresh token generation, else it is absent.
    pub async fn load(&self) -> Result<Option<TokenSet>> {
        let Some(text) = self.storage.get(&self.key).await? else {
            return Ok(None);
        };
        // A value we cannot read is treated as absent (and overwritten on the next save),
        // rather than failing every request.
        let Some(mut set) = super::json::from_str::<TokenSet>(&text) else {
            return Ok(None);
        };
        if self.split {
            set.access_token = None;
            if let Some((token, expires_at)) = self.memory_access.borrow().as_ref() {
                if *expires_at == set.access_expires_at {
                    set.access_token = Some(token.clone());
                }
            }
        }
        Ok(Some(set))
    }

    /// Saves the set (split: the access token stays in memory only).
    pub async fn save(&self, set: &TokenSet) -> Result<()> {
        let mut persisted = set.clone();
        if self.split {
            *self.memory_access.borrow_mut() = set
                .access_token
                .clone()
                .map(|token| (token, set.access_expires_at));
            persisted.access_token = None;
        }
        let text = super::json::to_string(&persisted).ok_or_else(|| {
            Error::new(
                ErrorCode::StorageUnavailable,
                "the token set could not be written as JSON",
            )
        })?;
        self.storage.set(&self.key, &text).await
    }

    /// Keeps an access token received from another tab (split placement only keeps it in memory).
    pub fn adopt_access(&self, set: &TokenSet) {
        if self.split {
            *self.memory_access.borrow_mut() = set
                .access_token
                .clone()
                .map(|token| (token, set.access_expires_at));
        }
    }

    /// Removes everything (logout).
    pub async fn clear(&self) -> Result<()> {
        *self.memory_access.borrow_mut() = None;
        self.storage.remove(&self.key).await
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn set() -> TokenSet {
        TokenSet {
            access_token: Some("a.b.c".into()),
            access_issued_at: 40,
            access_expires_at: 100,
            refresh_token: "r.r.r".into(),
            refresh_expires_at: 1000,
            clock_skew: -2.5,
        }
    }

    #[test]
    fn whole_placement_round_trips_under_a_namespace() {
        let store = TokenStore::new(MemoryStorage::default(), "app", false).unwrap();
        assert_eq!(block_on(store.load()).unwrap(), None);
        block_on(store.save(&set())).unwrap();
        assert_eq!(block_on(store.load()).unwrap(), Some(set()));
        assert!(block_on(store.storage().get("app:tokens"))
            .unwrap()
            .unwrap()
            .contains("a.b.c"));
        block_on(store.clear()).unwrap();
        assert_eq!(block_on(store.load()).unwrap(), None);
        assert!(TokenStore::new(MemoryStorage::default(), "", false).is_err());
    }

    #[test]
    fn split_placement_never_persists_the_access_token() {
        let store = TokenStore::new(MemoryStorage::default(), "app", true).unwrap();
        block_on(store.save(&set())).unwrap();
        let persisted = block_on(store.storage().get("app:tokens"))
            .unwrap()
            .unwrap();
        assert!(!persisted.contains("a.b.c"), "{persisted}");
        assert!(persisted.contains("r.r.r"));
        assert_eq!(block_on(store.load()).unwrap(), Some(set()));
        // Another tab (same storage, fresh memory) sees the refresh token only.
        let other = TokenStore::new(MemoryStorage::default(), "app", true).unwrap();
        block_on(other.storage().set("app:tokens", &persisted)).unwrap();
        let seen = block_on(other.load()).unwrap().unwrap();
        assert_eq!(
            (seen.access_token, seen.refresh_token.as_str()),
            (None, "r.r.r")
        );
    }

    #[test]
    fn memory_keeps_one_value_per_key() {
        let memory = MemoryStorage::default();
        assert_eq!(block_on(memory.get("a")).unwrap(), None);
        block_on(memory.set("a", "1")).unwrap();
        block_on(memory.set("b", "2")).unwrap();
        block_on(memory.set("a", "3")).unwrap();
        assert_eq!(block_on(memory.get("a")).unwrap().as_deref(), Some("3"));
        assert_eq!(block_on(memory.get("b")).unwrap().as_deref(), Some("2"));
        block_on(memory.remove("a")).unwrap();
        block_on(memory.remove("absent")).unwrap();
        assert_eq!(block_on(memory.get("a")).unwrap(), None);
        assert_eq!(block_on(memory.get("b")).unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn unreadable_values_are_absent() {
        let store = TokenStore::new(MemoryStorage::default(), "app", false).unwrap();
        block_on(store.storage().set("app:tokens", "{garbage")).unwrap();
        assert_eq!(block_on(store.load()).unwrap(), None);
    }
}
