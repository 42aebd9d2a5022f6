//! `GET /api/partner/alerts` (partner key): what needs a person now, computed from
//! stored state each time (so an alert clears by itself when its condition ends),
//! and the alerts the server recorded when something happened.

use super::auth::PartnerReader;
use super::ApiError;
use crate::store;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use quote_core::display::{amount, Locale};
use quote_core::partner::{ActiveAlert, AlertKind, AlertsReport, RecordedAlert, Severity};

fn ago(d: std::time::Duration) -> String {
    store::timestamp(chrono::Utc::now() - d)
}

/// `GET /api/partner/alerts`.
#[utoipa::path(get, path = "/api/partner/alerts", operation_id = "partner_alerts", tag = "partner", security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "Active conditions and recorded alerts", body = AlertsReport),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub async fn alerts(State(state): State<AppState>, _: PartnerReader) -> Result<Json<AlertsReport>, ApiError> {
    let t = &state.settings.alerts;
    let db = &state.db;
    let mut active = Vec::new();
    for (trade_id, created_at) in store::reserved_before(db, &ago(t.reserved_longer_than)).await? {
        active.push(ActiveAlert {
            kind: AlertKind::TradeReservedTooLong,
            severity: Severity::Warning,
            message: format!("Trade {trade_id} is still reserved after {} minutes: check it with 0Pools before telling the user anything final.", t.reserved_longer_than.as_secs() / 60),
            subject: trade_id,
            since: Some(created_at),
        });
    }
    for (pool_id, unavailable, answers) in store::unavailability_since(db, &ago(t.unavailable_window)).await? {
        if unavailable >= t.unavailable_at_least && unavailable * 2 >= answers {
            active.push(ActiveAlert {
                kind: AlertKind::UnavailableSpike,
                severity: Severity::Warning,
                message: format!("{unavailable} of {answers} answers for {pool_id} were unavailable in the last {} minutes: offer an alternate pool or pause it.", t.unavailable_window.as_secs() / 60),
                subject: pool_id,
                since: None,
            });
        }
    }
    let failures = store::webhook_failures_since(db, &ago(t.webhook_failures_window)).await?;
    if failures > 0 {
        active.push(ActiveAlert {
            kind: AlertKind::WebhookVerificationFailures,
            severity: Severity::Critical,
            subject: "/webhooks/0pools".into(),
            message: format!(
                "{failures} webhook deliveries failed signature checks in the last {} minutes: check ZEROPOOLS_WEBHOOK_SECRET; trades are still reconciled by status reads.",
                t.webhook_failures_window.as_secs() / 60
            ),
            since: None,
        });
    }
    for (trade_id, reason) in store::ledger_exceptions(db).await? {
        active.push(ActiveAlert {
            kind: AlertKind::LedgerException,
            severity: Severity::Critical,
            message: format!("Trade {trade_id} disagrees with the ledger: {}.", reason.unwrap_or_else(|| "see its evidence".into())),
            subject: trade_id,
            since: None,
        });
    }
    for (quote_id, accepted_at) in store::accepts_open_before(db, &ago(t.accept_open_longer_than)).await? {
        active.push(ActiveAlert {
            kind: AlertKind::AcceptStuck,
            severity: Severity::Critical,
            message: format!("The accept of {quote_id} is still unconfirmed: the widget keeps the user waiting; check the trade with 0Pools."),
            subject: quote_id,
            since: accepted_at,
        });
    }
    match state.upstream.balances().await {
        Ok(answer) => {
            for b in answer.value.balances.iter().filter(|b| b.available < t.balance_below) {
                active.push(ActiveAlert {
                    kind: AlertKind::BalanceLow,
                    severity: Severity::Warning,
                    subject: b.asset.clone(),
                    message: format!(
                        "{} available {} is below {}: top up before users see the lane run dry.",
                        b.asset,
                        amount(&b.available, Locale::En),
                        amount(&t.balance_below, Locale::En)
                    ),
                    since: None,
                });
            }
        }
        Err(e) => active.push(ActiveAlert {
            kind: AlertKind::BalanceUnknown,
            severity: Severity::Warning,
            subject: "balances".into(),
            message: format!("0Pools' balance could not be read ({:?}).", e.kind),
            since: None,
        }),
    }
    let recorded = store::recorded_alerts(db, 100)
        .await?
        .into_iter()
        .map(|a| RecordedAlert { kind: a.kind, subject: a.subject, message: a.message, raised_at: a.raised_at })
        .collect();
    Ok(Json(AlertsReport { generated_at: store::now(), active, recorded }))
}
