//! The opt-in pure-Rust signatures (features `rust-eddsa`, `rust-es256`, `rust-rsa`): for hosts
//! without WebCrypto, and for the native API. The default build leaves every asymmetric
//! signature to the host's crypto and carries none of this code.

use crate::algorithm::Algorithm;
#[cfg(feature = "rust-rsa")]
use crate::algorithm::KeyFamily;
use crate::error::Result;
use crate::jwk::invalid;
#[cfg(any(feature = "rust-eddsa", feature = "rust-es256"))]
use crate::random::random_bytes;
use jwt_compact::jwk::JsonWebKey;
#[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
use jwt_compact::{Algorithm as JwsAlgorithm, AlgorithmSignature};
#[cfg(any(feature = "rust-eddsa", feature = "rust-es256"))]
use serde_json::Value;
#[cfg(feature = "rust-es256")]
use zeroize::Zeroizing;

/// A key in a form this build's own code signs or verifies with.
#[derive(Clone)]
pub(crate) enum InProcess {
    #[cfg(feature = "rust-eddsa")]
    Ed25519 {
        public: ed25519_compact::PublicKey,
        secret: Option<ed25519_compact::SecretKey>,
    },
    #[cfg(feature = "rust-es256")]
    Es256 {
        public: p256::ecdsa::VerifyingKey,
        secret: Option<p256::ecdsa::SigningKey>,
    },
    /// Verify only.
    #[cfg(feature = "rust-rsa")]
    Rsa {
        alg: jwt_compact::alg::Rsa,
        public: rsa::RsaPublicKey,
    },
}

impl InProcess {
    /// The in-process form of a shape-checked JWK, if this build has one for `alg`. It checks
    /// what the host would: the point is on the curve, the private part matches the public.
    pub(crate) fn from_jwk(alg: Algorithm, jwk: &JsonWebKey<'_>) -> Result<Option<InProcess>> {
        match (alg, jwk) {
            #[cfg(feature = "rust-eddsa")]
            (Algorithm::EdDsa, JsonWebKey::KeyPair { x, secret, .. }) => {
                use ed25519_compact::{KeyPair, PublicKey, Seed};
                let public = PublicKey::from_slice(x)
                    .map_err(|_| invalid("x is not an Ed25519 public key"))?;
                public
                    .validate()
                    .map_err(|_| invalid("x is not an Ed25519 point"))?;
                let secret = match secret {
                    None => None,
                    Some(d) => {
                        // try_from_seed: from_seed panics on an all-zero seed.
                        let pair = Seed::from_slice(d)
                            .and_then(KeyPair::try_from_seed)
                            .map_err(|_| invalid("d is not an Ed25519 seed"))?;
                        if pair.pk != public {
                            return Err(invalid("d does not match x"));
                        }
                        Some(pair.sk)
                    }
                };
                Ok(Some(InProcess::Ed25519 { public, secret }))
            }
            #[cfg(feature = "rust-es256")]
            (Algorithm::Es256, JsonWebKey::EllipticCurve { x, y, secret, .. }) => {
                use p256::ecdsa::{SigningKey, VerifyingKey};
                // The lengths were checked (32 bytes each).
                let field = |bytes: &[u8]| -> Result<p256::FieldBytes> {
                    <[u8; 32]>::try_from(bytes)
                        .map(Into::into)
                        .map_err(|_| invalid("P-256 coordinates and scalars are 32 bytes"))
                };
                let point =
                    p256::EncodedPoint::from_affine_coordinates(&field(x)?, &field(y)?, false);
                let public = VerifyingKey::from_encoded_point(&point)
                    .map_err(|_| invalid("x, y is not a P-256 point"))?;
                let secret = match secret {
                    None => None,
                    Some(d) => {
                        let d = Zeroizing::new(field(d)?);
                        let secret = SigningKey::from_bytes(&d)
                            .map_err(|_| invalid("d is not a P-256 private key"))?;
                        if *secret.verifying_key() != public {
                            return Err(invalid("d does not match x, y"));
                        }
                        Some(secret)
                    }
                };
                Ok(Some(InProcess::Es256 { public, secret }))
            }
            #[cfg(feature = "rust-rsa")]
            (
                alg,
                JsonWebKey::Rsa {
                    modulus,
                    public_exponent,
                    ..
                },
            ) if alg.family() == KeyFamily::Rsa => {
                let n = rsa::BigUint::from_bytes_be(modulus);
                let e = rsa::BigUint::from_bytes_be(public_exponent);
                let public =
                    rsa::RsaPublicKey::new_with_max_size(n, e, crate::asymmetric::RSA_MAX_BITS)
                        .map_err(|err| invalid(err.to_string()))?;
                let alg = alg
                    .name()
                    .parse()
                    .map_err(|_| invalid("not an RSA algorithm"))?;
                Ok(Some(InProcess::Rsa { alg, public }))
            }
            _ => Ok(None),
        }
    }

    /// A new key's private JWK, where this build generates keys for `alg` (EdDSA, ES256).
    #[cfg(any(feature = "rust-eddsa", feature = "rust-es256"))]
    pub(crate) fn generate(alg: Algorithm) -> Result<Option<Value>> {
        let jwk = match alg {
            #[cfg(feature = "rust-eddsa")]
            Algorithm::EdDsa => {
                let seed = ed25519_compact::Seed::new(random_bytes::<32>()?);
                // from_seed panics on an all-zero seed (probability 2^-256 here, but no panics).
                let pair = ed25519_compact::KeyPair::try_from_seed(seed)
                    .map_err(|_| invalid("Ed25519 key generation failed"))?;
                serde_json::to_value(JsonWebKey::from(&pair.sk))
            }
            #[cfg(feature = "rust-es256")]
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
                let secret = signing.ok_or_else(|| invalid("P-256 key generation failed"))?;
                serde_json::to_value(JsonWebKey::from(&secret))
            }
            _ => return Ok(None),
        };
        jwk.map(Some)
            .map_err(|_| invalid("cannot write the generated key"))
    }

    /// The signature of `signing_input`; `None` without a private part (and for RSA).
    #[cfg_attr(
        not(any(feature = "rust-eddsa", feature = "rust-es256")),
        allow(unused_variables)
    )]
    pub(crate) fn sign(&self, signing_input: &[u8]) -> Option<Vec<u8>> {
        match self {
            #[cfg(feature = "rust-eddsa")]
            InProcess::Ed25519 { secret, .. } => {
                let signature = jwt_compact::alg::Ed25519.sign(secret.as_ref()?, signing_input);
                Some(signature.as_bytes().to_vec())
            }
            #[cfg(feature = "rust-es256")]
            InProcess::Es256 { secret, .. } => {
                let signature = jwt_compact::alg::Es256.sign(secret.as_ref()?, signing_input);
                Some(signature.as_bytes().to_vec())
            }
            #[cfg(feature = "rust-rsa")]
            InProcess::Rsa { .. } => None,
        }
    }

    /// Whether `signature` is valid over `signing_input`.
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        match self {
            #[cfg(feature = "rust-eddsa")]
            InProcess::Ed25519 { public, .. } => {
                valid(&jwt_compact::alg::Ed25519, public, signing_input, signature)
            }
            #[cfg(feature = "rust-es256")]
            InProcess::Es256 { public, .. } => {
                valid(&jwt_compact::alg::Es256, public, signing_input, signature)
            }
            #[cfg(feature = "rust-rsa")]
            InProcess::Rsa { alg, public } => valid(alg, public, signing_input, signature),
        }
    }
}

/// Length is checked before parsing: jwt-compact's fixed-size parsers assume it.
#[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
fn valid<A: JwsAlgorithm>(
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
