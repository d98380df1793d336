//! # jwt-refresh
//!
//! Access and refresh JWTs for both ends of the flow: the edge issues, verifies,
//! refreshes and revokes; the browser stores, attaches and refreshes once.
//!
//! This crate is plain Rust with an injected clock (every time-dependent call takes
//! `now` in Unix seconds). The `#[wasm_bindgen]` layer lives in `src/wasm/` only.
//!
//! ```
//! use jwt_refresh::{sign, verify, Algorithm, Key, KeySet, SignOptions, VerifyOptions};
//! let key = Key::generate(Algorithm::Hs256, None).unwrap();
//! let token = sign(&key, serde_json::Map::new(),
//!     &SignOptions { expires_in: Some(900), ..Default::default() }, 1_700_000_000).unwrap();
//! let verified = verify(&token, &KeySet::from(key), &VerifyOptions::default(), 1_700_000_001).unwrap();
//! assert_eq!(verified.claims().unwrap()["exp"], 1_700_000_900);
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod algorithm;
mod asymmetric;
#[cfg(any(not(feature = "keys"), feature = "browser"))]
mod base64url;
mod claims;
#[cfg(feature = "browser")]
pub mod client;
mod compact;
#[cfg(feature = "edge")]
pub mod cookie;
#[cfg(feature = "edge")]
pub mod csrf;
mod decode;
mod dpop;
mod duration;
#[cfg(feature = "edge")]
pub mod endpoints;
mod error;
#[cfg(any(feature = "edge", feature = "browser"))]
pub mod http;
#[cfg(any(feature = "rust-eddsa", feature = "rust-es256", feature = "rust-rsa"))]
mod in_process;
#[cfg(feature = "edge")]
mod issuer;
mod jwk;
mod key;
mod key_set;
mod known_headers;
mod members;
mod random;
mod remote_jwks;
// Used by the JS key imports and exports (native callers own their JSON).
#[cfg(any(
    test,
    all(target_arch = "wasm32", feature = "keys"),
    feature = "rust-eddsa",
    feature = "rust-es256"
))]
mod secret_json;
#[cfg(feature = "edge")]
mod session;
mod sign;
// Used by the JS verifiers; native callers keep their own caches.
#[cfg(any(test, all(target_arch = "wasm32", feature = "keys")))]
mod signature_cache;
#[cfg(feature = "edge")]
mod store;
// "Did you mean …?" for the JS options.
#[cfg(any(test, all(target_arch = "wasm32", feature = "keys")))]
mod suggest;
mod token_response;
mod verify;

// wasm-bindgen's generated glue uses `unsafe`; the core does not.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub mod wasm;

pub use algorithm::Algorithm;
pub use claims::ClaimsSet;
pub use compact::DEFAULT_MAX_TOKEN_LENGTH;
pub use decode::{decode_unverified, decode_unverified_json, UnverifiedJson, UnverifiedToken};
pub use dpop::{
    access_token_hash, begin_dpop_proof, normalized_htu, DpopNonces, DpopPolicy, DpopReplay,
    DpopRequest, PendingProof, DPOP_PROOF_TYPE,
};
pub use duration::{parse_duration, seconds_from_f64};
pub use error::{Error, ErrorCode, Result};
#[cfg(feature = "edge")]
pub use issuer::{
    check_dpop_binding, session_of, DpopMode, Issuer, IssuerConfig, TokenPair, VerifiedProof,
    ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE,
};
pub use key::Key;
pub use key_set::{KeySet, KeySource};
pub use random::random_id;
pub use remote_jwks::{JwksResponse, JwksStep, RemoteJwks, RemoteJwksOptions};
#[cfg(feature = "edge")]
pub use session::{Decision, SessionPolicy, SessionRecord};
pub use sign::{sign, RustSigner, SignOptions, TokenSigner};
#[cfg(feature = "edge")]
pub use store::{MemoryStore, SessionStore, Stored, DEFAULT_STORE_TIMEOUT_MS};
pub use token_response::TokenResponse;
pub use verify::{begin_verify, verify, PendingSignature, VerifiedToken, VerifyOptions};
