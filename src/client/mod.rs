//! The browser side's plain logic (DESIGN.md §6): what the token store keeps and where,
//! the server-anchored clock, when to refresh, how to back off, when to give up.
//! The I/O (storage APIs, fetch, locks, channels) is in `src/wasm/browser/`.

mod flight;
mod platform;
mod policy;
mod session;
mod token_store;

pub use platform::{AuthState, ClientEvent, HttpAnswer, HttpRequest, Platform, TabMessage};
pub use policy::{ApiOutcome, Backoff, HeldPair, RefreshOutcome, RefreshPolicy, ServerClock};
pub use session::{
    fingerprint, ClientConfig, RefreshVerdict, Session, TokenResponse, MAX_RETRY_AFTER,
};
pub use token_store::{MemoryStorage, TokenSet, TokenStorage, TokenStore};
