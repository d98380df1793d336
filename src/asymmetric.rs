//! Asymmetric keys (RSA, ECDSA, Ed25519) as their JWK members, checked for shape here: the
//! algorithm's key type and curve, coordinate and scalar lengths, the RSA modulus size and
//! exponent, Ed25519's weak points. The host's crypto, which makes and checks their signatures,
//! checks the rest (a point on its curve, an RSA private key's consistency) when it imports
//! the key. A `rust-*` feature adds an in-process implementation ([`crate::in_process`]).

use crate::algorithm::{Algorithm, KeyFamily};
use crate::error::{Error, ErrorCode, Result};
use crate::jwk::{bytes_member, invalid, required_bytes, string_member};
use jwt_compact::alg::SecretBytes;
use jwt_compact::jwk::{JsonWebKey, RsaPrivateParts};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The smallest RSA modulus accepted (NIST SP 800-131A; what providers use).
pub(crate) const RSA_MIN_BITS: usize = 2048;
/// The largest: bounds the work one token can cost a verifier.
pub(crate) const RSA_MAX_BITS: usize = 16384;

/// An asymmetric key: its JWK (the private members too when it signs), and the length every
/// valid signature of it has.
#[derive(Clone)]
pub(crate) struct Asymmetric {
    pub(crate) jwk: JsonWebKey<'static>,
    pub(crate) signature_len: usize,
    /// This build's own implementation, where a `rust-*` feature has one for the algorithm.
    #[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
    pub(crate) in_process: Option<crate::in_process::InProcess>,
}

impl Asymmetric {
    /// The key of JWK `members` for `alg` (`None`: implied by the curve), checked for shape.
    pub(crate) fn from_jwk(
        kty: &str,
        members: &Map<String, Value>,
        alg: Option<Algorithm>,
    ) -> Result<(Algorithm, Asymmetric)> {
        let (alg, jwk, signature_len) = match kty {
            "RSA" => rsa(members, alg)?,
            "EC" => ec(members, alg)?,
            "OKP" => okp(members, alg)?,
            other => {
                return Err(invalid(format!(
                    "key type {other:?} is not a JWS key type (oct, RSA, EC or OKP)"
                )))
            }
        };
        let key = Asymmetric {
            #[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
            in_process: crate::in_process::InProcess::from_jwk(alg, &jwk)?,
            jwk,
            signature_len,
        };
        Ok((alg, key))
    }

    /// Whether the JWK holds the private members.
    pub(crate) fn has_private_part(&self) -> bool {
        self.jwk.is_signing_key()
    }
}

/// The algorithm a JWK's curve or type implies, checked against the one asked for.
fn bound_algorithm(
    requested: Option<Algorithm>,
    implied: Algorithm,
    what: &str,
) -> Result<Algorithm> {
    match requested {
        Some(alg) if alg != implied => {
            Err(invalid(format!("{what} is bound to {implied}, not {alg}")))
        }
        _ => Ok(implied),
    }
}

fn secret(bytes: zeroize::Zeroizing<Vec<u8>>) -> SecretBytes<'static> {
    SecretBytes::owned(bytes.to_vec())
}

/// A big-endian integer member, without leading zero bytes (some encoders add one).
fn unsigned(members: &Map<String, Value>, name: &str) -> Result<Vec<u8>> {
    let bytes = required_bytes(members, name)?;
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    Ok(bytes[start..].to_vec())
}

/// RFC 7518 §6.3: `n` and `e`; for a private key `d`, `p`, `q`, `dp`, `dq`, `qi` (what every
/// host needs to import one). The algorithm must be named: an RSA key serves six.
fn rsa(
    members: &Map<String, Value>,
    alg: Option<Algorithm>,
) -> Result<(Algorithm, JsonWebKey<'static>, usize)> {
    let alg = alg
        .filter(|a| a.family() == KeyFamily::Rsa)
        .ok_or_else(|| {
            invalid("an RSA JWK needs alg RS256, RS384, RS512, PS256, PS384 or PS512")
        })?;
    let n = unsigned(members, "n")?;
    // `n` has no leading zero byte: its bit length is its length in bytes less the top byte's
    // leading zero bits (0 for an all-zero modulus).
    let bits = n
        .first()
        .map_or(0, |top| n.len() * 8 - top.leading_zeros() as usize);
    if bits < RSA_MIN_BITS {
        return Err(invalid(format!(
            "RSA keys must be at least {RSA_MIN_BITS} bits; this one has {bits}"
        )));
    }
    if bits > RSA_MAX_BITS {
        return Err(invalid(format!(
            "RSA keys may be at most {RSA_MAX_BITS} bits; this one has {bits}"
        )));
    }
    let e = unsigned(members, "e")?;
    if e.len() > 8 || e.last().map_or(true, |low| low & 1 == 0) || e == [1] {
        return Err(invalid(
            "e must be an odd public exponent greater than 1, at most 64 bits",
        ));
    }
    if members.contains_key("oth") {
        return Err(invalid("multi-prime RSA keys (\"oth\") are not supported"));
    }
    let private_parts = match bytes_member(members, "d")? {
        None => None,
        Some(d) => {
            let crt = |name| required_bytes(members, name).map(secret);
            Some(RsaPrivateParts {
                private_exponent: secret(d),
                prime_factor_p: crt("p")?,
                prime_factor_q: crt("q")?,
                p_crt_exponent: Some(crt("dp")?),
                q_crt_exponent: Some(crt("dq")?),
                q_crt_coefficient: Some(crt("qi")?),
                other_prime_factors: Vec::new(),
            })
        }
    };
    let signature_len = n.len();
    let jwk = JsonWebKey::Rsa {
        modulus: Cow::Owned(n),
        public_exponent: Cow::Owned(e),
        private_parts,
    };
    Ok((alg, jwk, signature_len))
}

/// A member of exactly `len` bytes (RFC 7518 §6.2.1.2: coordinates and scalars are full length).
fn fixed(members: &Map<String, Value>, name: &str, len: usize, crv: &str) -> Result<Vec<u8>> {
    let bytes = required_bytes(members, name)?;
    if bytes.len() != len {
        return Err(invalid(format!(
            "{name} of a {crv} key must be {len} bytes, not {}",
            bytes.len()
        )));
    }
    Ok(bytes.to_vec())
}

fn optional_fixed(
    members: &Map<String, Value>,
    name: &str,
    len: usize,
    crv: &str,
) -> Result<Option<SecretBytes<'static>>> {
    match bytes_member(members, name)? {
        None => Ok(None),
        Some(bytes) if bytes.len() == len => Ok(Some(secret(bytes))),
        Some(bytes) => Err(invalid(format!(
            "{name} of a {crv} key must be {len} bytes, not {}",
            bytes.len()
        ))),
    }
}

/// RFC 7518 §6.2: `crv` (P-256, P-384 or P-521, implying ES256, ES384 or ES512), `x`, `y`
/// and, for a private key, `d`.
fn ec(
    members: &Map<String, Value>,
    alg: Option<Algorithm>,
) -> Result<(Algorithm, JsonWebKey<'static>, usize)> {
    let crv = string_member(members, "crv")?.ok_or_else(|| invalid("an EC JWK needs crv"))?;
    let (implied, len) = [Algorithm::Es256, Algorithm::Es384, Algorithm::Es512]
        .into_iter()
        .find_map(|alg| match alg.family() {
            KeyFamily::Ec(name, len) if name == crv => Some((alg, len)),
            _ => None,
        })
        .ok_or_else(|| {
            invalid(format!(
                "curve {crv:?} is not supported (P-256, P-384 or P-521)"
            ))
        })?;
    let alg = bound_algorithm(alg, implied, &format!("a {crv} key"))?;
    let jwk = JsonWebKey::EllipticCurve {
        curve: Cow::Owned(crv.to_owned()),
        x: Cow::Owned(fixed(members, "x", len, crv)?),
        y: Cow::Owned(fixed(members, "y", len, crv)?),
        secret: optional_fixed(members, "d", len, crv)?,
    };
    Ok((alg, jwk, 2 * len))
}

/// RFC 8037: `crv` Ed25519, `x` (not a weak point) and, for a private key, the seed `d`.
fn okp(
    members: &Map<String, Value>,
    alg: Option<Algorithm>,
) -> Result<(Algorithm, JsonWebKey<'static>, usize)> {
    match string_member(members, "crv")? {
        Some("Ed25519") => {}
        other => {
            return Err(invalid(format!(
                "curve {other:?} is not supported (EdDSA here is Ed25519)"
            )))
        }
    }
    let alg = bound_algorithm(alg, Algorithm::EdDsa, "an Ed25519 key")?;
    let x = fixed(members, "x", 32, "Ed25519")?;
    refuse_weak_ed25519(&x)?;
    let jwk = JsonWebKey::KeyPair {
        curve: Cow::Borrowed("Ed25519"),
        x: Cow::Owned(x),
        secret: optional_fixed(members, "d", 32, "Ed25519")?,
    };
    Ok((alg, jwk, 64))
}

/// The encodings of Ed25519's points of small order (with the sign bit clear; it is ignored),
/// canonical and not: under such a key some hosts accept a forgery (R = identity, S = 0).
/// The list is libsodium's (`ge25519_has_small_order`).
const SMALL_ORDER: [[u8; 32]; 7] = [
    // 0 (order 4)
    [0; 32],
    // 1 (order 1: the identity)
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    // 2707385501144840649318225287225658788936804267575313519463743609750303402022 (order 8)
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    // 55188659117513257062467267217118295137698188065244968500265048394206261417927 (order 8)
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // p - 1 (order 2)
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // p (non-canonical 0, order 4)
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // p + 1 (non-canonical 1, order 1)
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// Refuses a small-order point and a non-canonical encoding (y ≥ 2^255 − 19). Whether `x` is a
/// point at all the host finds out: a key that is none verifies no signature.
fn refuse_weak_ed25519(x: &[u8]) -> Result<()> {
    let unsigned = |i: usize| if i == 31 { x[i] & 0x7f } else { x[i] };
    if SMALL_ORDER
        .iter()
        .any(|weak| (0..32).all(|i| unsigned(i) == weak[i]))
    {
        return Err(invalid(
            "x is a small-order Ed25519 point (a weak key that admits forgeries)",
        ));
    }
    // y is the low 255 bits; p = 2^255 - 19 is 0xed, 0xff * 30, 0x7f little-endian.
    let at_least_p = unsigned(31) == 0x7f && x[1..31].iter().all(|&b| b == 0xff) && x[0] >= 0xed;
    if at_least_p {
        return Err(invalid(
            "x is not the canonical encoding of an Ed25519 point",
        ));
    }
    Ok(())
}

/// The error of a synchronous use of a key whose signatures only the host makes and checks.
pub(crate) fn async_required(alg: Algorithm) -> Error {
    let hint = if cfg!(target_arch = "wasm32") {
        "the host's crypto, which is asynchronous"
    } else {
        "the host's crypto (the wasm package's async methods), or a rust-* feature of this crate"
    };
    Error::new(
        ErrorCode::AsyncRequired,
        format!("{alg} signatures are made and checked by {hint}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_small_order_encoding_is_refused_with_either_sign_bit() {
        for weak in SMALL_ORDER {
            let mut signed = weak;
            signed[31] |= 0x80;
            for x in [weak, signed] {
                let err = refuse_weak_ed25519(&x).unwrap_err();
                assert!(err.message().contains("small-order"), "{x:?}");
            }
        }
    }

    #[test]
    fn encodings_of_p_and_above_are_non_canonical_and_below_are_not() {
        let mut x = [0xff; 32];
        x[31] = 0x7f;
        for low in [0xef, 0xf0, 0xff] {
            x[0] = low;
            assert!(refuse_weak_ed25519(&x)
                .unwrap_err()
                .message()
                .contains("canonical"));
        }
        x[0] = 0xeb; // p - 2: canonical, and not of small order
        assert!(refuse_weak_ed25519(&x).is_ok());
    }
}
