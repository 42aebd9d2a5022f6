//! Faults on demand, set by configuration or the sandbox-only control endpoint
//! (`GET`/`PUT /sandbox/faults`). Rates are probabilities in [0, 1] drawn from the
//! sandbox's seeded generator, so 0 and 1 are exact and anything between is
//! repeatable for one seed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeropools_wire::types::UnavailableReason;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every `/v1` answer.
    pub latency_ms: u64,
    /// Share of `/v1` requests answered `503` without being processed.
    pub error_rate: f64,
    /// The next this-many `/v1` requests are answered `503` without being processed
    /// (counts down; exact, for testing retries).
    pub fail_next_requests: u32,
    /// Share of `/v1` requests answered `429 rate_limited` with `Retry-After`.
    pub rate_limit_rate: f64,
    /// `Retry-After` seconds sent with a 429.
    pub retry_after_secs: u64,
    /// Share of `/v1` requests that are processed but answered with a truncated body.
    pub malformed_rate: f64,
    /// Share of webhook events never delivered.
    pub webhook_drop_rate: f64,
    /// Share of webhook events delivered twice (same `event_id`).
    pub webhook_duplicate_rate: f64,
    /// Wait before each webhook event's first delivery attempt.
    pub webhook_delay_ms: u64,
    /// Hold `trade.reserved` back and deliver it after the terminal event.
    pub webhook_reorder: bool,
    /// Transact reserves a trade whose `target_amount` is one cent (0.01) short of the
    /// quote's: a 0Pools that breaks its word, so clients can test their term checks.
    pub transact_terms_drift: bool,
    /// Every answer's `Date` header says 1 January 1970 (the sandbox's timestamps in
    /// bodies stay right): a broken header clients must not trust.
    pub bad_date_header: bool,
    /// Pools that answer `available: false` with this reason (and show unavailable in discovery).
    pub pool_unavailable: BTreeMap<String, UnavailableReason>,
}

impl Faults {
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("rate_limit_rate", self.rate_limit_rate),
            ("malformed_rate", self.malformed_rate),
            ("webhook_drop_rate", self.webhook_drop_rate),
            ("webhook_duplicate_rate", self.webhook_duplicate_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        Ok(())
    }
}
