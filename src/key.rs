//! A key bound to exactly one algorithm: sign and verify raw JWS signing input.

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorCode, Result};
use crate::random::{random_bytes, random_id};
use hmac::{Hmac, Mac};
use jwt_compact::alg::{Hs256Key, Hs384Key, Hs512Key};
#[cfg(any(feature = "eddsa", feature = "es256", feature = "rsa"))]
use jwt_compact::{Algorithm as JwsAlgorithm, AlgorithmSignature};
use sha2::{Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// The key material, one variant per algorithm family. Asymmetric variants keep the
/// public half always and the private half when the key can sign.
#[derive(Clone)]
pub(crate) enum Material {
    /// HMAC: jwt-compact's key (signing, JWK export) and the keyed MAC state, which each
    /// verification clones instead of hashing the padded key again.
    Hs256(Hs256Key, Hmac<Sha256>),
    Hs384(Hs384Key, Hmac<Sha384>),
    Hs512(Hs512Key, Hmac<Sha512>),
    #[cfg(feature = "eddsa")]
    Ed25519 {
        public: ed25519_compact::PublicKey,
        secret: Option<ed25519_compact::SecretKey>,
    },
    #[cfg(feature = "es256")]
    Es256 {
        public: p256::ecdsa::VerifyingKey,
        secret: Option<p256::ecdsa::SigningKey>,
    },
    #[cfg(feature = "rsa")]
    Rsa {
        alg: jwt_compact::alg::Rsa,
        public: rsa::RsaPublicKey,
    },
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
    /// Generates a fresh key for `alg` from the platform's secure randomness.
    /// `kid` defaults to a random identifier. RSA keys cannot be generated (verify only).
    pub fn generate(alg: Algorithm, kid: Option<String>) -> Result<Key> {
        let material = match alg {
            // The generated secrets are overwritten once the key has its own copy.
            Algorithm::Hs256 => Material::hmac(alg, &*Zeroizing::new(random_bytes::<32>()?))?,
            Algorithm::Hs384 => Material::hmac(alg, &*Zeroizing::new(random_bytes::<48>()?))?,
            Algorithm::Hs512 => Material::hmac(alg, &*Zeroizing::new(random_bytes::<64>()?))?,
            #[cfg(feature = "eddsa")]
            Algorithm::EdDsa => {
                let seed = ed25519_compact::Seed::new(random_bytes::<32>()?);
                // from_seed panics on an all-zero seed (probability 2^-256 here, but no panics).
                let pair = ed25519_compact::KeyPair::try_from_seed(seed).map_err(|_| {
                    Error::new(ErrorCode::InvalidKey, "Ed25519 key generation failed")
                })?;
                Material::Ed25519 {
                    public: pair.pk,
                    secret: Some(pair.sk),
                }
            }
            #[cfg(feature = "es256")]
            Algorithm::Es256 => {
                // A random 32-byte string is a valid scalar except with probability ~2^-128;
                // a few tries make failure unobservable without an unbounded loop.
                let mut signing = None;
                for _ in 0..8 {
                    let bytes = Zeroizing::new(random_bytes::<32>()?.into());
                    if let Ok(key) = p256::ecdsa::SigningKey::from_bytes(&bytes) {
                        signing = Some(key);
                        break;
                    }
                }
                let secret = signing.ok_or_else(|| {
                    Error::new(ErrorCode::InvalidKey, "P-256 key generation failed")
                })?;
                Material::Es256 {
                    public: *secret.verifying_key(),
                    secret: Some(secret),
                }
            }
            #[cfg(feature = "rsa")]
            Algorithm::Rs256 | Algorithm::Ps256 => {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "RSA keys are verify-only here; import a public JWK instead",
                ))
            }
        };
        let kid = match kid {
            Some(kid) => Some(kid),
            None => Some(random_id()?),
        };
        Ok(Key {
            alg,
            kid,
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
            Material::Hs256(..) | Material::Hs384(..) | Material::Hs512(..) => true,
            #[cfg(feature = "eddsa")]
            Material::Ed25519 { secret, .. } => secret.is_some(),
            #[cfg(feature = "es256")]
            Material::Es256 { secret, .. } => secret.is_some(),
            #[cfg(feature = "rsa")]
            Material::Rsa { .. } => false,
        }
    }

    /// The signature of a JWS signing input (`header.payload`).
    pub(crate) fn signature(&self, signing_input: &[u8]) -> Result<Vec<u8>> {
        if self.verify_only {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "this key's key_ops allow verifying only",
            ));
        }
        Ok(match &self.material {
            Material::Hs256(_, keyed) => mac(keyed, signing_input),
            Material::Hs384(_, keyed) => mac(keyed, signing_input),
            Material::Hs512(_, keyed) => mac(keyed, signing_input),
            #[cfg(feature = "eddsa")]
            Material::Ed25519 { secret, .. } => {
                let secret = secret.as_ref().ok_or_else(cannot_sign)?;
                let signature = jwt_compact::alg::Ed25519.sign(secret, signing_input);
                signature.as_bytes().to_vec()
            }
            #[cfg(feature = "es256")]
            Material::Es256 { secret, .. } => {
                let secret = secret.as_ref().ok_or_else(cannot_sign)?;
                let signature = jwt_compact::alg::Es256.sign(secret, signing_input);
                signature.as_bytes().to_vec()
            }
            #[cfg(feature = "rsa")]
            Material::Rsa { .. } => return Err(cannot_sign()),
        })
    }

    /// The length every valid signature of this key has: the hash size for HMAC, 64 bytes
    /// for Ed25519 and ES256, the modulus size for RSA (RFC 8017 §8.1.2 and §8.2.2 refuse any
    /// other length; some hosts left-pad a shorter one and accept it). Checked before any host
    /// sees the signature, so every host gives the same verdict.
    pub(crate) fn signature_len(&self) -> usize {
        match &self.material {
            Material::Hs256(..) => 32,
            Material::Hs384(..) => 48,
            Material::Hs512(..) => 64,
            #[cfg(feature = "eddsa")]
            Material::Ed25519 { .. } => 64,
            #[cfg(feature = "es256")]
            Material::Es256 { .. } => 64,
            #[cfg(feature = "rsa")]
            Material::Rsa { public, .. } => rsa::traits::PublicKeyParts::size(public),
        }
    }

    /// Checks `signature` over the JWS signing input. Wrong-length signatures are simply invalid.
    pub(crate) fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        match &self.material {
            Material::Hs256(_, keyed) => mac_valid(keyed, signing_input, signature),
            Material::Hs384(_, keyed) => mac_valid(keyed, signing_input, signature),
            Material::Hs512(_, keyed) => mac_valid(keyed, signing_input, signature),
            #[cfg(feature = "eddsa")]
            Material::Ed25519 { public, .. } => {
                signature_valid(&jwt_compact::alg::Ed25519, public, signing_input, signature)
            }
            #[cfg(feature = "es256")]
            Material::Es256 { public, .. } => {
                signature_valid(&jwt_compact::alg::Es256, public, signing_input, signature)
            }
            #[cfg(feature = "rsa")]
            Material::Rsa { alg, public } => signature_valid(alg, public, signing_input, signature),
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

/// Length is checked before parsing: jwt-compact's fixed-size parsers assume it.
#[cfg(any(feature = "eddsa", feature = "es256", feature = "rsa"))]
fn signature_valid<A: JwsAlgorithm>(
    alg: &A,
    key: &A::VerifyingKey,
    signing_input: &[u8],
    signature: &[u8],
) -> bool {
    if let Some(len) = A::Signature::LENGTH {
        if signature.len() != len.get() {
            return false;
        }
    }
    match A::Signature::try_from_slice(signature) {
        Ok(signature) => alg.verify_signature(&signature, key, signing_input),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify_their_own_signatures() {
        for alg in Algorithm::ALL
            .iter()
            .copied()
            .filter(|a| a.name() != "RS256" && a.name() != "PS256")
        {
            let key = Key::generate(alg, None).unwrap();
            assert!(key.can_sign());
            assert_eq!(key.kid().map(str::len), Some(22));
            let input = "eyJhbGciOiJub25lIn0.eyJhIjoxfQ";
            let sig = key.signature(input.as_bytes()).unwrap();
            assert!(key.verify_signature(input.as_bytes(), &sig), "{alg}");
            let mut bad = sig.clone();
            bad[0] ^= 1;
            assert!(!key.verify_signature(input.as_bytes(), &bad), "{alg}");
            assert!(!key.verify_signature(input.as_bytes(), &sig[1..]), "{alg}");
            assert!(!key.verify_signature(input.as_bytes(), &[]), "{alg}");
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
