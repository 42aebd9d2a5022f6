//! Contract tests: the upstream client against the sandbox over real HTTP on
//! loopback, for every endpoint and every error code of `shared/0pools-api.md`
//! (no mocks stand in for the sandbox), and both held to the contract's own
//! examples (`golden`). One binary; no database.

mod balances;
mod delivery;
mod golden;
mod quotes;
mod trades;
