//! The browser client's core (docs/architecture.md): every decision of the client — what the token
//! store keeps and where, the server-anchored clock, when to refresh, single flight, the
//! cross-tab protocol, what an answer means, backoff, when to give up — as plain Rust over a
//! [`Platform`] trait. The browser's I/O (storage APIs, fetch, locks, channels) is the
//! adapter in `src/wasm/browser/`; the native race tests (`tests/client_races.rs`) are
//! another platform.

mod flight;
pub(crate) mod json;
mod platform;
mod policy;
pub mod proof;
pub(crate) mod session;
mod token_store;

pub use platform::{
    AuthState, ClientEvent, HttpAnswer, HttpRequest, Platform, RequestBody, TabMessage,
};
pub use policy::{ApiOutcome, Backoff, HeldPair, RefreshPolicy, ServerClock};
pub use proof::{ProofKey, PublicJwk};
pub use session::{
    fingerprint, ApiAnswer, ApiRetries, ClientConfig, RefreshVerdict, Session, TokenResponse,
    MAX_RETRY_AFTER,
};
pub use token_store::{MemoryStorage, TokenSet, TokenStorage, TokenStore};
