//! The quote widget's companion server: it holds the 0Pools secret key, is the only
//! thing that talks to 0Pools, stores every quote and trade, and serves the widget.
//!
//! The rooms, lowest first; a room uses only rooms above it in this list
//! (`ARCHITECTURE.md` has the map, and `scripts/cycles.sh` fails on a cycle):
//!
//! - `telemetry`: metric names and the process's recorder (every room counts);
//! - `zeropools`: the upstream client (wire types from `zeropools-wire`);
//! - `store`: the database: opening it, every statement, grouped commits;
//! - `config`: settings and their defaults, the CLI, fail-closed validation;
//! - `quoting`: quote calls within a budget, previews, terms, pools, outcome rows;
//! - `trading`: accepting (once), executing, recording and announcing trades;
//! - `partner`: what the partner's people read: utilization, alerts, the ledger;
//! - `checkouts`: checkouts bound by the partner, client tokens, sessions;
//! - `workers`: the reconciler, the sweep, leadership among replicas;
//! - `http`: the API, its state, limits, readiness, the server loop;
//! - `app`: puts a server together (main, the tests and the benches alike).

// `pub` only where another crate (main, the test kit, the tests and benches) needs
// it; everything else is the crate's own (`unreachable_pub` keeps it so).
#![warn(unreachable_pub)]

pub mod app;
pub(crate) mod checkouts;
pub mod config;
pub mod http;
pub mod partner;
pub(crate) mod quoting;
pub mod store;
pub(crate) mod telemetry;
pub mod trading;
pub mod workers;
pub mod zeropools;
