//! What the server's tests and benches share, kept out of the production crates:
//! `harness` starts a sandbox and a companion server on loopback ports (through the
//! same builder `main` uses), receives webhooks and waits for conditions;
//! `contract` holds the contract tests' requests; `throwaway_postgres` is a Postgres
//! cluster made for one process and removed when it exits.
//!
//! A dev-dependency only (`quote-server`'s tests and examples); nothing here is in
//! the release binary.

pub mod contract;
pub mod harness;
pub mod rows;
pub mod throwaway_postgres;
