//! The JWS algorithms (RFC 7518 §3, RFC 8037): every one exists in every build. HMAC is
//! computed in this process; the asymmetric ones by the host's crypto (WebCrypto or
//! node:crypto), or in this process where a `rust-*` feature brings an implementation.

use crate::error::{Error, ErrorCode, Result};
use core::fmt;

/// A JWS algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256, 32-byte salt).
    Ps256,
    /// RSASSA-PSS with SHA-384 (MGF1 SHA-384, 48-byte salt).
    Ps384,
    /// RSASSA-PSS with SHA-512 (MGF1 SHA-512, 64-byte salt).
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// ECDSA on P-521 with SHA-512.
    Es512,
    /// Ed25519 (RFC 8037).
    EdDsa,
}

/// The key type an asymmetric algorithm takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFamily {
    Hmac,
    Rsa,
    /// ECDSA on the named curve, whose coordinates are this many bytes.
    Ec(&'static str, usize),
    Ed25519,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::Hs256,
        Algorithm::Hs384,
        Algorithm::Hs512,
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::EdDsa,
    ];

    /// The `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs384 => "HS384",
            Algorithm::Hs512 => "HS512",
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Ps256 => "PS256",
            Algorithm::Ps384 => "PS384",
            Algorithm::Ps512 => "PS512",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Es512 => "ES512",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// Parses an `alg` value. `none` (in any casing) and unknown names are `alg_not_allowed`.
    /// RFC 9864's fully specified `Ed25519` is [`Algorithm::EdDsa`]: the same signature, the
    /// only curve `EdDSA` has here (tokens signed here still say `EdDSA`, which every verifier
    /// knows).
    pub fn parse(name: &str) -> Result<Algorithm> {
        if name == "Ed25519" {
            return Ok(Algorithm::EdDsa);
        }
        if name.eq_ignore_ascii_case("none") {
            return Err(Error::new(
                ErrorCode::AlgNotAllowed,
                "an unsecured JWT (alg \"none\") is never accepted",
            ));
        }
        Algorithm::ALL
            .iter()
            .copied()
            .find(|alg| alg.name() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::AlgNotAllowed,
                    format!("algorithm {name:?} is not supported"),
                )
            })
    }

    /// HMAC algorithms share one secret between signer and verifier.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512)
    }

    pub(crate) const fn family(self) -> KeyFamily {
        match self {
            Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512 => KeyFamily::Hmac,
            Algorithm::Rs256
            | Algorithm::Rs384
            | Algorithm::Rs512
            | Algorithm::Ps256
            | Algorithm::Ps384
            | Algorithm::Ps512 => KeyFamily::Rsa,
            Algorithm::Es256 => KeyFamily::Ec("P-256", 32),
            Algorithm::Es384 => KeyFamily::Ec("P-384", 48),
            Algorithm::Es512 => KeyFamily::Ec("P-521", 66),
            Algorithm::EdDsa => KeyFamily::Ed25519,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_none_is_refused() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::parse(alg.name()).unwrap(), *alg);
        }
        assert_eq!(Algorithm::parse("Ed25519").unwrap(), Algorithm::EdDsa);
        for bad in [
            "none", "None", "hs256", "", "HS256 ", "ES256K", "ed25519", "Ed448",
        ] {
            assert_eq!(
                Algorithm::parse(bad).unwrap_err().code(),
                ErrorCode::AlgNotAllowed
            );
        }
    }
}
