//! A key bound to exactly one algorithm: sign and verify raw JWS signing input.

use crate::algorithm::Algorithm;
use crate::asymmetric::{async_required, Asymmetric};
use crate::error::{Error, ErrorCode, Result};
use crate::random::{random_bytes, random_id};
use hmac::{Hmac, Mac};
use jwt_compact::alg::{Hs256Key, Hs384Key, Hs512Key};
use sha2::{Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// The key material: HMAC secrets, computed with here; asymmetric keys as their JWK, whose
/// signatures the host's crypto makes and checks (or this build, with a `rust-*` feature).
#[derive(Clone)]
pub(crate) enum Material {
    /// HMAC: jwt-compact's key (signing, JWK export) and the keyed MAC state, which each
    /// verification clones instead of hashing the padded key again.
    Hs256(Hs256Key, Hmac<Sha256>),
    Hs384(Hs384Key, Hmac<Sha384>),
    Hs512(Hs512Key, Hmac<Sha512>),
    Asymmetric(Box<Asymmetric>),
}

/// A signing or verifying key, bound to one [`Algorithm`] and optionally named by a `kid`.
///
/// ```
/// use jwt_refresh::{Algorithm, Key};
/// let key = Key::generate(Algorithm::Hs256, Some("k1".into())).unwrap();
/// assert_eq!(key.algorithm(), Algorithm::Hs256);
/// assert_eq!(key.kid(), Some("k1"));
/// ```
#[derive(Clone)]
pub struct Key {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    /// Whether `kid` was declared (given, generated, or the JWK's) rather than derived from
    /// the key (its RFC 7638 thumbprint): a key without a declared `kid` matches a token
    /// whatever `kid` it names (RFC 7515 §4.1.4: `kid` is a hint).
    pub(crate) kid_declared: bool,
    pub(crate) material: Material,
    /// Set when the JWK's `key_ops` allowed verifying only: the key then refuses to sign,
    /// even an HMAC key, whose secret both signs and verifies.
    pub(crate) verify_only: bool,
}

impl core::fmt::Debug for Key {
    // Never print key material.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("can_sign", &self.can_sign())
            .finish()
    }
}

impl Material {
    fn hmac(alg: Algorithm, secret: &[u8]) -> Result<Material> {
        let unusable = |_| Error::new(ErrorCode::InvalidKey, "unusable HMAC secret");
        Ok(match alg {
            Algorithm::Hs256 => Material::Hs256(
                Hs256Key::new(secret),
                Mac::new_from_slice(secret).map_err(unusable)?,
            ),
            Algorithm::Hs384 => Material::Hs384(
                Hs384Key::new(secret),
                Mac::new_from_slice(secret).map_err(unusable)?,
            ),
            _ => Material::Hs512(
                Hs512Key::new(secret),
                Mac::new_from_slice(secret).map_err(unusable)?,
            ),
        })
    }
}

/// Minimum HMAC secret length: the hash output size (RFC 7518 §3.2).
pub(crate) const fn hmac_min_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::Hs256 => 32,
        Algorithm::Hs384 => 48,
        _ => 64,
    }
}

impl Key {
    /// Generates a fresh key for `alg` from the platform's secure randomness; `kid` defaults
    /// to a random identifier. HMAC keys always; EdDSA and ES256 keys with the `rust-eddsa`
    /// and `rust-es256` features (the wasm package generates the others through the host:
    /// `Key.generateAsync`); any other is `async_required`.
    pub fn generate(alg: Algorithm, kid: Option<String>) -> Result<Key> {
        let kid = match kid {
            Some(kid) => kid,
            None => random_id()?,
        };
        let material = match alg {
            // The generated secrets are overwritten once the key has its own copy.
            Algorithm::Hs256 => Material::hmac(alg, &*Zeroizing::new(random_bytes::<32>()?))?,
            Algorithm::Hs384 => Material::hmac(alg, &*Zeroizing::new(random_bytes::<48>()?))?,
            Algorithm::Hs512 => Material::hmac(alg, &*Zeroizing::new(random_bytes::<64>()?))?,
            _ => {
                #[cfg(any(feature = "rust-eddsa", feature = "rust-es256"))]
                if let Some(jwk) = crate::in_process::InProcess::generate(alg)? {
                    let jwk = crate::secret_json::SecretJson::new(jwk);
                    return Key::from_jwk(&jwk, Some(alg), Some(kid));
                }
                return Err(async_required(alg));
            }
        };
        Ok(Key {
            alg,
            kid: Some(kid),
            kid_declared: true,
            material,
            verify_only: false,
        })
    }

    /// Builds an HMAC key from raw secret bytes. Secrets shorter than the hash output
    /// are refused with `invalid_key`.
    pub fn hmac(alg: Algorithm, secret: &[u8], kid: Option<String>) -> Result<Key> {
        if !alg.is_symmetric() {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                format!("{alg} is not an HMAC algorithm"),
            ));
        }
        let min = hmac_min_len(alg);
        if secret.len() < min {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                format!(
                    "{alg} needs a secret of at least {min} bytes, got {}",
                    secret.len()
                ),
            ));
        }
        let material = Material::hmac(alg, secret)?;
        Ok(Key {
            alg,
            kid_declared: kid.is_some(),
            kid,
            material,
            verify_only: false,
        })
    }

    /// The one algorithm this key is bound to.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, used in the `kid` header and to select a key from a [`crate::KeySet`].
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether this key holds private (or secret) material and may use it to sign (a JWK
    /// whose `key_ops` leave out `"sign"` imports as a verify-only key).
    pub fn can_sign(&self) -> bool {
        if self.verify_only {
            return false;
        }
        match &self.material {
            Material::Asymmetric(key) => key.has_private_part(),
            _ => true,
        }
    }

    /// The signature of a JWS signing input (`header.payload`), made in this process: HMAC,
    /// and what a `rust-*` feature implements; `async_required` for the host's algorithms.
    pub(crate) fn signature(&self, signing_input: &[u8]) -> Result<Vec<u8>> {
        if !self.can_sign() {
            return Err(match self.verify_only {
                true => Error::new(
                    ErrorCode::InvalidKey,
                    "this key's key_ops allow verifying only",
                ),
                false => cannot_sign(),
            });
        }
        match &self.material {
            Material::Hs256(_, keyed) => Ok(mac(keyed, signing_input)),
            Material::Hs384(_, keyed) => Ok(mac(keyed, signing_input)),
            Material::Hs512(_, keyed) => Ok(mac(keyed, signing_input)),
            #[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
            Material::Asymmetric(key) => key
                .in_process
                .as_ref()
                .and_then(|own| own.sign(signing_input))
                .ok_or_else(|| async_required(self.alg)),
            #[cfg(not(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa")))]
            Material::Asymmetric(_) => Err(async_required(self.alg)),
        }
    }

    /// The length every valid signature of this key has: the hash size for HMAC, twice the
    /// coordinate size for ECDSA, 64 bytes for Ed25519, the modulus size for RSA (RFC 8017
    /// §8.1.2 and §8.2.2 refuse any other length; some hosts left-pad a shorter one and accept
    /// it). Checked before any host sees the signature, so every host gives the same verdict.
    pub(crate) fn signature_len(&self) -> usize {
        match &self.material {
            Material::Hs256(..) => 32,
            Material::Hs384(..) => 48,
            Material::Hs512(..) => 64,
            Material::Asymmetric(key) => key.signature_len,
        }
    }

    /// Whether `signature` over the JWS signing input is valid, checked in this process (HMAC,
    /// and what a `rust-*` feature implements); `async_required` for the host's algorithms.
    /// Wrong-length signatures are simply invalid.
    pub(crate) fn verify_in_process(&self, signing_input: &[u8], signature: &[u8]) -> Result<bool> {
        match &self.material {
            Material::Hs256(_, keyed) => Ok(mac_valid(keyed, signing_input, signature)),
            Material::Hs384(_, keyed) => Ok(mac_valid(keyed, signing_input, signature)),
            Material::Hs512(_, keyed) => Ok(mac_valid(keyed, signing_input, signature)),
            #[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
            Material::Asymmetric(key) => key
                .in_process
                .as_ref()
                .map(|own| own.verify(signing_input, signature))
                .ok_or_else(|| async_required(self.alg)),
            #[cfg(not(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa")))]
            Material::Asymmetric(_) => Err(async_required(self.alg)),
        }
    }

    /// Whether `other` holds the same HMAC secret (whatever the algorithms and ids).
    #[cfg(feature = "edge")]
    pub(crate) fn same_secret(&self, other: &Key) -> bool {
        let secret = |key: &Key| -> Option<Vec<u8>> {
            match &key.material {
                Material::Hs256(key, _) => Some(key.as_ref().to_vec()),
                Material::Hs384(key, _) => Some(key.as_ref().to_vec()),
                Material::Hs512(key, _) => Some(key.as_ref().to_vec()),
                Material::Asymmetric(_) => None,
            }
        };
        match (
            secret(self).map(Zeroizing::new),
            secret(other).map(Zeroizing::new),
        ) {
            (Some(a), Some(b)) => *a == *b,
            _ => false,
        }
    }

    /// Whether this process can sign and verify with this key by itself (see
    /// [`Key::verify_in_process`]).
    #[cfg_attr(not(all(target_arch = "wasm32", feature = "keys")), allow(dead_code))]
    pub(crate) fn in_process(&self) -> bool {
        match &self.material {
            #[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
            Material::Asymmetric(key) => key.in_process.is_some(),
            #[cfg(not(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa")))]
            Material::Asymmetric(_) => false,
            _ => true,
        }
    }
}

/// The error of signing with a public key.
pub(crate) fn cannot_sign() -> Error {
    Error::new(
        ErrorCode::InvalidKey,
        "this key has no private part and cannot sign",
    )
}

fn mac<M: Mac + Clone>(keyed: &M, signing_input: &[u8]) -> Vec<u8> {
    let mut mac = keyed.clone();
    mac.update(signing_input);
    mac.finalize().into_bytes().to_vec()
}

/// A constant-time comparison of the full-length tag (shorter tags are refused).
fn mac_valid<M: Mac + Clone>(keyed: &M, signing_input: &[u8], signature: &[u8]) -> bool {
    let mut mac = keyed.clone();
    mac.update(signing_input);
    mac.verify_slice(signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify_their_own_signatures() {
        for alg in Algorithm::ALL.iter().copied() {
            let Ok(key) = Key::generate(alg, None) else {
                assert_eq!(
                    Key::generate(alg, None).unwrap_err().code(),
                    ErrorCode::AsyncRequired
                );
                continue;
            };
            assert!(key.can_sign());
            assert_eq!(key.kid().map(str::len), Some(22));
            let input = "eyJhbGciOiJub25lIn0.eyJhIjoxfQ";
            let sig = key.signature(input.as_bytes()).unwrap();
            let valid = |sig: &[u8]| key.verify_in_process(input.as_bytes(), sig).unwrap();
            assert!(valid(&sig), "{alg}");
            let mut bad = sig.clone();
            bad[0] ^= 1;
            assert!(!valid(&bad), "{alg}");
            assert!(!valid(&sig[1..]), "{alg}");
            assert!(!valid(&[]), "{alg}");
        }
    }

    #[test]
    fn short_hmac_secrets_are_refused() {
        for (alg, min) in [
            (Algorithm::Hs256, 32),
            (Algorithm::Hs384, 48),
            (Algorithm::Hs512, 64),
        ] {
            let err = Key::hmac(alg, &vec![7u8; min - 1], None).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidKey);
            assert!(Key::hmac(alg, &vec![7u8; min], None).is_ok());
        }
    }
}
