//! The 0Pools upstream contract (`shared/0pools-api.md`) as Rust types, and the
//! `0Pools-Signature` scheme. The companion server's client reads these and the
//! sandbox writes them; neither may change a field alone, because both are held to
//! the contract's own examples (`wire/golden/`, checked from each side without
//! these types: see `server/tests/contract/golden.rs` and `sandbox/tests/golden.rs`).
//!
//! Uses only `quote-core` (for the vocabulary shared with the widget API).

pub mod balances;
pub mod signature;
pub mod types;
