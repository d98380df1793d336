//! Randomness from the platform (OS, or `crypto.getRandomValues` in JS runtimes).

use crate::error::{Error, ErrorCode, Result};
use base64ct::{Base64UrlUnpadded, Encoding};

/// `N` random bytes, or an error if the platform has no randomness source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|err| {
        Error::new(
            ErrorCode::InvalidOptions,
            format!("no secure randomness available: {err}"),
        )
    })?;
    Ok(bytes)
}

/// A 128-bit random identifier, base64url (22 characters): `jti`, `kid`, session ids.
pub fn random_id() -> Result<String> {
    Ok(Base64UrlUnpadded::encode_string(&random_bytes::<16>()?))
}
