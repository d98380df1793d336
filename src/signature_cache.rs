//! Tokens whose signatures have been seen to verify, so that a verifier that meets the same
//! token again (every request of a session carries it) skips the signature check: for
//! EdDSA and ES256 the check is nearly all of a verification. Only the signature is
//! remembered: structure, header, algorithm, key choice and every claim are checked on every
//! call, against that call's clock, so a remembered token still expires.

use crate::error::Result;
use crate::key_set::KeySource;
use crate::verify::{begin_verify, PendingSignature, VerifiedToken, VerifyOptions};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Up to `capacity` tokens whose signatures verified, the oldest forgotten first.
///
/// Keyed by the whole token text, compared exactly (no digest that two tokens could share).
/// A cache vouches for signatures under the keys it was filled with, so each belongs to one
/// verifier, whose keys never change (a key set only gains keys, and a `kid` never comes to
/// name other key material). Memory: at most `capacity` tokens of at most
/// `max_token_length` bytes.
#[derive(Debug, Default)]
pub(crate) struct SignatureCache {
    capacity: usize,
    // Borrowed only inside each method, never across a signature check (which may call
    // into JS).
    remembered: RefCell<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    /// Sorted, for binary search: smaller in wasm than a hash set, and as quick at the sizes
    /// a cache has (inserts happen only after a signature check, which costs far more).
    sorted: Vec<Rc<str>>,
    /// Insertion order, for forgetting the oldest.
    order: VecDeque<Rc<str>>,
}

impl Remembered {
    fn find(&self, token: &str) -> Result<usize, usize> {
        self.sorted.binary_search_by(|known| (**known).cmp(token))
    }
}

impl SignatureCache {
    /// A cache of at most `capacity` tokens (0 remembers nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        SignatureCache {
            capacity,
            remembered: RefCell::default(),
        }
    }

    /// Whether `token`'s signature was seen to verify.
    pub(crate) fn contains(&self, token: &str) -> bool {
        self.remembered.borrow().find(token).is_ok()
    }

    /// Remembers that `token`'s signature verified, forgetting the oldest token if full.
    pub(crate) fn insert(&self, token: &str) {
        let mut remembered = self.remembered.borrow_mut();
        let Err(at) = remembered.find(token) else {
            return;
        };
        if self.capacity == 0 {
            return;
        }
        let token: Rc<str> = Rc::from(token);
        remembered.sorted.insert(at, token.clone());
        remembered.order.push_back(token);
        if remembered.order.len() > self.capacity {
            if let Some(oldest) = remembered.order.pop_front() {
                if let Ok(at) = remembered.find(&oldest) {
                    remembered.sorted.remove(at);
                }
            }
        }
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.remembered.borrow().order.len()
    }

    /// Verification of a remembered token, all of it but the signature check; `None` for a
    /// token this cache does not know.
    pub(crate) fn verify_remembered(
        &self,
        token: &str,
        keys: &(impl KeySource + ?Sized),
        options: &VerifyOptions,
        now: i64,
    ) -> Option<Result<VerifiedToken>> {
        if !self.contains(token) {
            return None;
        }
        Some(
            begin_verify(token, keys, options)
                .and_then(|pending| pending.finish(true, options, now)),
        )
    }

    /// Verification with the signature check skipped for a remembered token; otherwise
    /// `check` says whether the signature is valid (in Rust, or by the host's crypto), and a
    /// valid one is remembered.
    pub(crate) fn verify_with(
        &self,
        token: &str,
        keys: &(impl KeySource + ?Sized),
        options: &VerifyOptions,
        now: i64,
        check: impl FnOnce(&PendingSignature) -> bool,
    ) -> Result<VerifiedToken> {
        if let Some(verified) = self.verify_remembered(token, keys, options, now) {
            return verified;
        }
        let pending = begin_verify(token, keys, options)?;
        let valid = check(&pending);
        if valid {
            self.insert(token);
        }
        pending.finish(valid, options, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sign, Algorithm, ErrorCode, Key, SignOptions};
    use std::cell::Cell;

    /// `verify_with` checking signatures in Rust.
    fn verify(
        cache: &SignatureCache,
        token: &str,
        key: &Key,
        options: &VerifyOptions,
        now: i64,
    ) -> Result<VerifiedToken> {
        cache.verify_with(token, key, options, now, |pending| {
            pending
                .key()
                .verify_signature(pending.signing_input(), pending.signature())
        })
    }

    fn token(key: &Key, sub: &str, now: i64) -> String {
        let mut claims = serde_json::Map::new();
        claims.insert("sub".into(), sub.into());
        let options = SignOptions {
            expires_in: Some(60),
            ..Default::default()
        };
        sign(key, claims, &options, now).unwrap()
    }

    #[test]
    fn a_remembered_token_skips_only_the_signature_check() {
        let key = Key::generate(Algorithm::Hs256, None).unwrap();
        let good = token(&key, "a", 1_000);
        let cache = SignatureCache::new(10);
        let options = VerifyOptions::default();
        let checks = Cell::new(0);
        for _ in 0..3 {
            let verified = cache.verify_with(&good, &key, &options, 1_001, |_| {
                checks.set(checks.get() + 1);
                true
            });
            let [sub] = verified.unwrap().string_claims(["sub"]).unwrap();
            assert_eq!(sub.as_deref(), Some("a"));
        }
        assert_eq!(checks.get(), 1, "only the first call checks the signature");
        // Claims are checked on every call, the cached token's too.
        assert!(verify(&cache, &good, &key, &options, 1_059).is_ok());
        let expired = verify(&cache, &good, &key, &options, 1_060).unwrap_err();
        assert_eq!(expired.code(), ErrorCode::TokenExpired);
        let strict = VerifyOptions {
            subject: Some("b".into()),
            ..Default::default()
        };
        let mismatch = verify(&cache, &good, &key, &strict, 1_001).unwrap_err();
        assert_eq!(mismatch.code(), ErrorCode::ClaimMismatch);
        let hs384_only = VerifyOptions {
            algorithms: Some(vec![Algorithm::Hs384]),
            ..Default::default()
        };
        let refused = verify(&cache, &good, &key, &hs384_only, 1_001).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::AlgNotAllowed);
    }

    #[test]
    fn a_bad_signature_is_not_remembered() {
        let key = Key::generate(Algorithm::Hs256, None).unwrap();
        let good = token(&key, "a", 1_000);
        let (input, _) = good.rsplit_once('.').unwrap();
        let other = Key::generate(Algorithm::Hs256, None).unwrap();
        let forged = format!(
            "{input}.{}",
            token(&other, "a", 1_000).rsplit_once('.').unwrap().1
        );
        let cache = SignatureCache::new(10);
        for _ in 0..2 {
            let err = verify(&cache, &forged, &key, &VerifyOptions::default(), 1_001);
            assert_eq!(err.unwrap_err().code(), ErrorCode::InvalidSignature);
        }
        assert_eq!(cache.len(), 0);
        assert!(verify(&cache, &good, &key, &VerifyOptions::default(), 1_001).is_ok());
        assert!(cache.contains(&good) && !cache.contains(&forged));
    }

    #[test]
    fn the_oldest_token_is_forgotten_first() {
        let key = Key::generate(Algorithm::Hs256, None).unwrap();
        let tokens: Vec<String> = (0..3).map(|i| token(&key, &i.to_string(), 1_000)).collect();
        let cache = SignatureCache::new(2);
        for token in &tokens {
            cache.insert(token);
        }
        assert_eq!(cache.len(), 2);
        assert!(!cache.contains(&tokens[0]));
        assert!(cache.contains(&tokens[1]) && cache.contains(&tokens[2]));
        cache.insert(&tokens[1]); // already there: nothing forgotten
        assert!(cache.contains(&tokens[1]) && cache.contains(&tokens[2]));
        // Many more than fit, in no sorted order: exactly the newest stay.
        let cache = SignatureCache::new(5);
        let names: Vec<String> = (0..40).map(|i| format!("t{}", (i * 7919) % 101)).collect();
        for name in &names {
            cache.insert(name);
        }
        assert_eq!(cache.len(), 5);
        for (i, name) in names.iter().enumerate() {
            assert_eq!(cache.contains(name), i >= 35, "{name}");
        }
        let none = SignatureCache::new(0);
        none.insert(&tokens[0]);
        assert_eq!(none.len(), 0);
    }
}
