//! Prometheus metrics through the `metrics` facade: one recorder per process,
//! rendered at `GET /metrics` (behind the partner key). Names and labels live here,
//! so a dashboard has one place to read them from.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use. None only if another recorder
/// was installed first (then metrics go there).
pub(crate) fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("quote_server_upstream_seconds".into()),
                    &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("quote_server_settlement_seconds".into()),
                        &[1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 3600.0],
                    )
                });
            match builder.and_then(PrometheusBuilder::install_recorder) {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(cause = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// A quote request's outcome.
pub(crate) fn quote(pool: &str, quote_type: &str, outcome: &str) {
    metrics::counter!("quote_server_quotes_total", "pool" => pool.to_owned(), "type" => quote_type.to_owned(), "outcome" => outcome.to_owned()).increment(1);
}

/// An accept's outcome (`accepted` or the refusal's code).
pub(crate) fn accept(outcome: &str) {
    metrics::counter!("quote_server_accepts_total", "outcome" => outcome.to_owned()).increment(1);
}

/// Time from reserved to terminal.
pub(crate) fn settlement(status: &str, seconds: f64) {
    metrics::histogram!("quote_server_settlement_seconds", "status" => status.to_owned()).record(seconds);
}

/// One call to 0Pools: its latency, and its error kind if it failed.
pub(crate) fn upstream(endpoint: &'static str, seconds: f64, error: Option<&'static str>) {
    metrics::histogram!("quote_server_upstream_seconds", "endpoint" => endpoint).record(seconds);
    if let Some(kind) = error {
        metrics::counter!("quote_server_upstream_errors_total", "endpoint" => endpoint, "kind" => kind).increment(1);
    }
}

/// A webhook refused for its signature.
pub(crate) fn webhook_failure(code: String) {
    metrics::counter!("quote_server_webhook_verification_failures_total", "code" => code).increment(1);
}

/// A partner webhook delivery that failed (it is retried).
pub(crate) fn partner_webhook_failure() {
    metrics::counter!("quote_server_partner_webhook_failures_total").increment(1);
}

/// An alert raised (stuck accepts, terms mismatches, ledger exceptions, …).
pub(crate) fn alert(kind: &str) {
    metrics::counter!("quote_server_alerts_total", "kind" => kind.to_owned()).increment(1);
}

/// The partner's available balance of an asset, as last read from 0Pools.
pub(crate) fn balance(asset: &str, available: f64) {
    metrics::gauge!("quote_server_balance_available", "asset" => asset.to_owned()).set(available);
}

/// Gauges read at scrape time.
pub(crate) fn scrape_gauges(open_streams: u32, oldest_reserved_seconds: f64, oldest_undelivered_partner_event_seconds: f64) {
    metrics::gauge!("quote_server_partner_webhook_oldest_undelivered_seconds").set(oldest_undelivered_partner_event_seconds);
    metrics::gauge!("quote_server_sse_streams").set(f64::from(open_streams));
    metrics::gauge!("quote_server_oldest_reserved_seconds").set(oldest_reserved_seconds);
}
