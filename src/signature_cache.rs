//! Tokens whose signatures have been seen to verify, so that a verifier that meets the same
//! token again (every request of a session carries it) skips the signature check: for
//! EdDSA and ES256 the check is nearly all of a verification. Only the signature is
//! remembered: structure, header, algorithm, key choice and every claim are checked on every
//! call, against that call's clock, so a remembered token still expires.

use crate::error::Result;
use crate::key_set::KeySource;
use crate::random::random_bytes;
use crate::verify::{begin_verify, PendingSignature, VerifiedToken, VerifyOptions};
use siphasher::sip128::{Hasher128, SipHasher24};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::hash::Hasher;

/// Up to `capacity` signatures that verified, the oldest forgotten first.
///
/// Keyed by a 128-bit SipHash-2-4 of the signing input and the signature, under a random key of
/// the cache's own: a lookup compares these, never a remembered signature with a presented one
/// byte by byte (whose timing would tell a forger how much of a valid signature for a known
/// payload it has right), and nobody who lacks the key can aim at an entry. A cache vouches
/// for signatures under the keys it was filled with, so each belongs to one verifier (or one
/// issuer), whose keys never change (a key set only gains keys, and a `kid` never comes to
/// name other key material). Memory: 16 bytes a signature, twice (search and age order).
#[derive(Debug)]
pub(crate) struct SignatureCache {
    capacity: usize,
    key: [u8; 16],
    // Borrowed only inside each method, never across a signature check (which may call
    // into JS).
    remembered: RefCell<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    /// Sorted, for binary search: smaller in wasm than a hash set, and as quick at the sizes
    /// a cache has (inserts happen only after a signature check, which costs far more).
    sorted: Vec<u128>,
    /// Insertion order, for forgetting the oldest.
    order: VecDeque<u128>,
}

impl Remembered {
    fn find(&self, entry: u128) -> std::result::Result<usize, usize> {
        self.sorted.binary_search(&entry)
    }
}

/// A signature as one cache knows it ([`SignatureCache::entry`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry(u128);

/// What the cache says of a token.
#[derive(Debug)]
pub(crate) enum Lookup<'t, 'k> {
    /// Verified but for its signature, which is remembered; or refused before any signature
    /// check (malformed, wrong algorithm, no key).
    Settled(Result<VerifiedToken>),
    /// Its signature is not known: the token waiting for that check, and the entry to
    /// `remember` once the check says it is valid.
    Unknown(PendingSignature<'t, 'k>, Entry),
}

impl SignatureCache {
    /// A cache of at most `capacity` signatures (0 remembers nothing), with a random key;
    /// fails only where the platform has no randomness.
    pub(crate) fn new(capacity: usize) -> Result<Self> {
        Ok(SignatureCache {
            capacity,
            key: random_bytes()?,
            remembered: RefCell::default(),
        })
    }

    /// The keyed hash of `signing_input`, a byte no signing input has (it is ASCII), and the
    /// signature bytes: one unambiguous entry for the pair.
    pub(crate) fn entry(&self, signing_input: &[u8], signature: &[u8]) -> Entry {
        let mut hasher = SipHasher24::new_with_key(&self.key);
        hasher.write(signing_input);
        hasher.write_u8(0xFF);
        hasher.write(signature);
        Entry(hasher.finish128().as_u128())
    }

    /// Whether `entry`'s signature was seen to verify.
    pub(crate) fn contains(&self, entry: &Entry) -> bool {
        self.remembered.borrow().find(entry.0).is_ok()
    }

    /// Remembers that `entry`'s signature verified, forgetting the oldest if full.
    pub(crate) fn remember(&self, entry: Entry) {
        let mut remembered = self.remembered.borrow_mut();
        let Err(at) = remembered.find(entry.0) else {
            return;
        };
        if self.capacity == 0 {
            return;
        }
        remembered.sorted.insert(at, entry.0);
        remembered.order.push_back(entry.0);
        if remembered.order.len() > self.capacity {
            if let Some(oldest) = remembered.order.pop_front() {
                if let Ok(at) = remembered.find(oldest) {
                    remembered.sorted.remove(at);
                }
            }
        }
    }

    /// How many signatures are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.remembered.borrow().order.len()
    }

    /// Whether `signature` over `signing_input` is valid: at once if remembered; otherwise
    /// `check`'s answer (in Rust, or the host's), remembered when it is yes.
    pub(crate) fn checked(
        &self,
        signing_input: &[u8],
        signature: &[u8],
        check: impl FnOnce() -> Result<bool>,
    ) -> Result<bool> {
        let entry = self.entry(signing_input, signature);
        if self.contains(&entry) {
            return Ok(true);
        }
        let valid = check()?;
        if valid {
            self.remember(entry);
        }
        Ok(valid)
    }

    /// The verification of a token whose signature is remembered (all of it but the
    /// signature check), or the entry to remember once its signature is found valid.
    pub(crate) fn lookup<'t, 'k>(
        &self,
        token: &'t str,
        keys: &'k dyn KeySource,
        options: &VerifyOptions,
        now: i64,
    ) -> Lookup<'t, 'k> {
        let pending = match begin_verify(token, keys, options) {
            Ok(pending) => pending,
            Err(refused) => return Lookup::Settled(Err(refused)),
        };
        let entry = self.entry(pending.signing_input(), pending.signature());
        match self.contains(&entry) {
            true => Lookup::Settled(pending.finish(true, options, now)),
            false => Lookup::Unknown(pending, entry),
        }
    }

    /// Verification with the signature check skipped for a remembered signature; otherwise
    /// `check` says whether the signature is valid (in Rust, or by the host's crypto), and a
    /// valid one is remembered.
    pub(crate) fn verify_with(
        &self,
        token: &str,
        keys: &dyn KeySource,
        options: &VerifyOptions,
        now: i64,
        check: impl FnOnce(&PendingSignature) -> Result<bool>,
    ) -> Result<VerifiedToken> {
        let pending = begin_verify(token, keys, options)?;
        let valid = self.checked(pending.signing_input(), pending.signature(), || {
            check(&pending)
        })?;
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
                .verify_in_process(pending.signing_input(), pending.signature())
        })
    }

    /// Whether `token`'s signature is remembered.
    fn contains(cache: &SignatureCache, token: &str) -> bool {
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
                .unwrap();
        cache.contains(&cache.entry(input.as_bytes(), &signature))
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
        let cache = SignatureCache::new(10).unwrap();
        let options = VerifyOptions::default();
        let checks = Cell::new(0);
        for _ in 0..3 {
            let verified = cache.verify_with(&good, &key, &options, 1_001, |_| {
                checks.set(checks.get() + 1);
                Ok(true)
            });
            let [sub] = verified.unwrap().string_claims(["sub"]).unwrap();
            assert_eq!(sub.as_deref(), Some("a"));
        }
        assert_eq!(checks.get(), 1, "only the first call checks the signature");
        // What the asynchronous callers see: settled at once once remembered, and for tokens
        // refused before any signature check; otherwise the entry to remember.
        assert!(matches!(
            cache.lookup(&good, &key, &options, 1_001),
            Lookup::Settled(Ok(_))
        ));
        let fresh = token(&key, "b", 1_000);
        let Lookup::Unknown(pending, entry) = cache.lookup(&fresh, &key, &options, 1_001) else {
            panic!("a token never checked is unknown");
        };
        assert_eq!(
            pending.signing_input(),
            fresh.rsplit_once('.').unwrap().0.as_bytes()
        );
        cache.remember(entry);
        assert!(matches!(
            cache.lookup(&fresh, &key, &options, 1_001),
            Lookup::Settled(Ok(_))
        ));
        let Lookup::Settled(Err(malformed)) = cache.lookup("a.b", &key, &options, 1_001) else {
            panic!("a malformed token is settled");
        };
        assert_eq!(malformed.code(), ErrorCode::MalformedToken);
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
        let cache = SignatureCache::new(10).unwrap();
        for _ in 0..2 {
            let err = verify(&cache, &forged, &key, &VerifyOptions::default(), 1_001);
            assert_eq!(err.unwrap_err().code(), ErrorCode::InvalidSignature);
        }
        assert_eq!(cache.len(), 0);
        assert!(verify(&cache, &good, &key, &VerifyOptions::default(), 1_001).is_ok());
        assert!(contains(&cache, &good) && !contains(&cache, &forged));
    }

    #[test]
    fn entries_are_keyed_hashes_of_the_pair() {
        // What a lookup compares: 16 bytes whatever the token, never the signature itself.
        assert_eq!(std::mem::size_of::<Entry>(), 16);
        let cache = SignatureCache::new(10).unwrap();
        let input = "h".repeat(8_000);
        let entry = cache.entry(input.as_bytes(), b"signature");
        assert_eq!(entry, cache.entry(input.as_bytes(), b"signature"));
        // Any change to either side, or to where one ends and the other begins, is another entry.
        assert_ne!(entry, cache.entry(input.as_bytes(), b"signaturf"));
        assert_ne!(entry, cache.entry(&input.as_bytes()[1..], b"signature"));
        assert_ne!(cache.entry(b"a.b", b"c"), cache.entry(b"a.bc", b""));
        // Each cache has its own key: nobody can compute another cache's entries.
        let other = SignatureCache::new(10).unwrap();
        assert_ne!(entry, other.entry(input.as_bytes(), b"signature"));
    }

    #[test]
    fn the_oldest_token_is_forgotten_first() {
        let key = Key::generate(Algorithm::Hs256, None).unwrap();
        let tokens: Vec<String> = (0..3).map(|i| token(&key, &i.to_string(), 1_000)).collect();
        let cache = SignatureCache::new(2).unwrap();
        for token in &tokens {
            cache.remember(cache.entry(token.as_bytes(), b"sig"));
        }
        assert_eq!(cache.len(), 2);
        assert!(!cache.contains(&cache.entry(tokens[0].as_bytes(), b"sig")));
        assert!(cache.contains(&cache.entry(tokens[1].as_bytes(), b"sig")));
        assert!(cache.contains(&cache.entry(tokens[2].as_bytes(), b"sig")));
        cache.remember(cache.entry(tokens[1].as_bytes(), b"sig")); // already there: nothing forgotten
        assert!(cache.contains(&cache.entry(tokens[1].as_bytes(), b"sig")));
        assert!(cache.contains(&cache.entry(tokens[2].as_bytes(), b"sig")));
        // The pair is the key: the same input with another signature is another entry.
        assert!(!cache.contains(&cache.entry(tokens[2].as_bytes(), b"other")));
        // Many more than fit, in no sorted order: exactly the newest stay.
        let cache = SignatureCache::new(5).unwrap();
        let names: Vec<String> = (0..40).map(|i| format!("t{}", (i * 7919) % 101)).collect();
        for name in &names {
            cache.remember(cache.entry(name.as_bytes(), b"sig"));
        }
        assert_eq!(cache.len(), 5);
        for (i, name) in names.iter().enumerate() {
            assert_eq!(
                cache.contains(&cache.entry(name.as_bytes(), b"sig")),
                i >= 35,
                "{name}"
            );
        }
        let none = SignatureCache::new(0).unwrap();
        none.remember(none.entry(tokens[0].as_bytes(), b"sig"));
        assert_eq!(none.len(), 0);
    }
}
