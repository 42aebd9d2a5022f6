//! The companion server over real HTTP: each test starts it on port 0 (through the
//! builder `main` uses) in front of the real sandbox, on a temporary SQLite file or,
//! with `QW_TEST_STORE=postgres`, a database on a throwaway Postgres cluster, and
//! drives it with a real HTTP client. One binary, one module per area.

mod checkouts;
mod configuration;
mod console;
mod fuzz;
mod hardening;
mod http_surface;
mod joined;
mod ledger;
mod lifecycle;
mod migrations;
mod partner;
mod partner_events;
mod previews;
mod program;
mod vocabulary_guards;
mod webhooks;
mod widget;
