//! The wire's vocabulary as enums: sides, quote types, quote, trade and checkout
//! statuses, what moved a trade, ledger entry types, outcome, recorded-alert and
//! lookup-id kinds, unavailable reasons and the widget API's error codes. Each
//! serialises to exactly the string the JSON (or the stored column) has always
//! carried, so the wire is unchanged; in Rust a typo is a compile error instead of a
//! silently different branch.
//!
//! Closed vocabularies (side, quote type, the statuses, ledger entry type, id kind,
//! active alert kind, reconciliation state) refuse unknown words. Open ones (status
//! source, outcome subject and outcome, recorded alert kind, unavailable reason,
//! error code) keep an unknown word as `Other`, so a word added upstream or by a
//! newer replica degrades to generic handling instead of breaking a parse. The
//! server's stores refuse any other word in a column holding a closed vocabulary
//! (its migration 0008 and `tests/vocabulary_guards.rs`).
//!
//! - [`widget`]: the widget API's words (what the browser sends and reads).
//! - [`records`]: what the companion server records and shows partners.
//! - `declare`: the `vocabulary!` macro both are written with.

#[macro_use]
mod declare;
pub mod records;
pub mod widget;

pub use records::*;
pub use widget::*;
