//! The signing algorithms this build supports.

use crate::error::{Error, ErrorCode, Result};
use core::fmt;

/// A JWS algorithm. Which ones exist depends on the crate features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
    /// Ed25519 (RFC 8037).
    #[cfg(feature = "eddsa")]
    EdDsa,
    /// ECDSA P-256 with SHA-256.
    #[cfg(feature = "es256")]
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (verify only).
    #[cfg(feature = "rsa")]
    Rs256,
    /// RSASSA-PSS with SHA-256 (verify only).
    #[cfg(feature = "rsa")]
    Ps256,
}

impl Algorithm {
    /// Every algorithm compiled into this build.
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::Hs256,
        Algorithm::Hs384,
        Algorithm::Hs512,
        #[cfg(feature = "eddsa")]
        Algorithm::EdDsa,
        #[cfg(feature = "es256")]
        Algorithm::Es256,
        #[cfg(feature = "rsa")]
        Algorithm::Rs256,
        #[cfg(feature = "rsa")]
        Algorithm::Ps256,
    ];

    /// The `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs384 => "HS384",
            Algorithm::Hs512 => "HS512",
            #[cfg(feature = "eddsa")]
            Algorithm::EdDsa => "EdDSA",
            #[cfg(feature = "es256")]
            Algorithm::Es256 => "ES256",
            #[cfg(feature = "rsa")]
            Algorithm::Rs256 => "RS256",
            #[cfg(feature = "rsa")]
            Algorithm::Ps256 => "PS256",
        }
    }

    /// Parses an `alg` value. `none` and anything not compiled in is `alg_not_allowed`.
    pub fn parse(name: &str) -> Result<Algorithm> {
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
                    format!("algorithm {name:?} is not supported by this build"),
                )
            })
    }

    /// HMAC algorithms share one secret between signer and verifier.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512)
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
        for bad in ["none", "None", "hs256", "", "HS256 "] {
            assert_eq!(
                Algorithm::parse(bad).unwrap_err().code(),
                ErrorCode::AlgNotAllowed
            );
        }
    }
}
