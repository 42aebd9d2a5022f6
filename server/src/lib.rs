//! The quote widget's companion server: it holds the 0Pools secret key, is the only
//! thing that talks to 0Pools, stores every quote and trade, and serves the widget.
//! Also ships the 0Pools sandbox.

pub mod accept_lease;
pub mod alerts;
pub mod api;
pub mod checkouts;
pub mod config;
pub mod console;
pub mod db;
pub mod group_commit;
pub mod json_fields;
pub mod leadership;
pub mod ledger_match;
pub mod ledger_sync;
pub mod limits;
pub mod outcome_writer;
pub mod outcomes;
pub mod partner_webhooks;
pub mod pools;
pub mod previews;
pub mod quote_calls;
pub mod quote_terms;
pub mod readiness;
pub mod reconcile;
pub mod sandbox;
pub mod serve;
pub mod session_cache;
pub mod settings;
pub mod signature;
pub mod startup;
pub mod state;
pub mod store;
pub mod sweep;
pub mod telemetry;
pub mod throwaway_postgres;
pub mod trade_events;
pub mod trade_record;
pub mod trading;
pub mod upstream;
pub mod utilization;
pub mod wal_sync;

pub use api::app::app;
pub use settings::{AlertThresholds, Limits, Settings};
pub use state::AppState;
