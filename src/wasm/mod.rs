//! The JS API: a thin `#[wasm_bindgen]` layer that converts values, calls the core and
//! maps errors to real JS `Error`s with a stable `code`.

#[cfg(feature = "edge")]
mod authenticate;
#[cfg(feature = "browser")]
pub(crate) mod browser;
mod convert;
#[cfg(feature = "edge")]
mod dpop;
#[cfg(feature = "edge")]
mod endpoints;
mod error;
#[cfg(feature = "edge")]
mod issuer;
#[cfg(any(feature = "keys", feature = "browser"))]
mod js;
#[cfg(feature = "keys")]
mod key;
#[cfg(feature = "keys")]
mod key_options;
#[cfg(feature = "edge")]
mod memory_store;
#[cfg(any(feature = "keys", feature = "browser"))]
mod options;
#[cfg(feature = "keys")]
mod prepared;
#[cfg(feature = "keys")]
mod remote_jwks;
#[cfg(feature = "edge")]
mod resource_server;
#[cfg(feature = "edge")]
mod store;
mod token;
mod typescript;
#[cfg(feature = "keys")]
mod webcrypto;

#[cfg(feature = "browser")]
pub use browser::JsAuthClient;
#[cfg(feature = "edge")]
pub use dpop::JsDpopVerifier;
pub use error::{error_codes, is_jwt_refresh_error};
#[cfg(feature = "edge")]
pub use issuer::{is_expired_signal, unauthorized_response, JsIssuer};
#[cfg(feature = "keys")]
pub use key::{JsKey, JsKeySet};
#[cfg(feature = "edge")]
pub use memory_store::JsMemoryStore;
#[cfg(feature = "keys")]
pub use prepared::{JsSigner, JsVerifier};
#[cfg(feature = "keys")]
pub use remote_jwks::JsRemoteKeySet;
#[cfg(feature = "edge")]
pub use resource_server::JsResourceServer;
pub use token::{decode_unverified_js, parse_duration_js};

// The client's build: lol_alloc's free list instead of std's dlmalloc, the same job in a
// fraction of the code (Cargo.toml). `unsafe` because it assumes one thread: the build has no
// threads (no atomics, no shared memory).
#[cfg(all(target_os = "unknown", feature = "browser", not(feature = "keys")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
