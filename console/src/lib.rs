//! The partner console: what the partner's product, finance and support people see
//! beside the widget (utilization, balance, alerts, evidence for any id, the ledger).
//! Components only render; the figures come from the server's partner API, the
//! graph geometry from `quote_core::chart`.

mod alerts;
mod api;
mod app;
mod balance;
mod chart;
mod dashboard;
mod failed;
mod ledger;
mod lookup;
mod program;
mod review;
mod sign_in;
mod theme;
mod utilization;

pub use app::App;
