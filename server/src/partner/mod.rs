//! What the partner's product, finance and support people read about their own
//! program: utilization rebuilt from stored rows (`utilization`), the conditions
//! that need a person now (`alerts`), 0Pools' ledger mirrored and matched to
//! trades (`ledger_sync`, judged by the pure rules of `ledger_match`), and the
//! program itself: its readiness record, incidents and review (`program`).
//!
//! Uses `quoting` (pools), `store`, `zeropools`, `config` and `telemetry`; never
//! `trading`: what it reports was written there.

pub mod alerts;
pub mod ledger_match;
pub mod ledger_sync;
pub mod program;
pub mod utilization;

pub use ledger_sync::{LedgerSync, SyncReport};
