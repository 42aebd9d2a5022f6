//! `GET /api/partner/alerts` (partner key): what needs a person now (the rules are
//! `crate::partner::alerts`), and the alerts the server recorded when something happened.

use super::auth::PartnerReader;
use super::ApiError;
use crate::http::AppState;
use crate::partner::alerts;
use crate::store;
use axum::extract::State;
use axum::Json;
use quote_core::partner::{AlertsReport, RecordedAlert, UndeliveredEvent};

/// `GET /api/partner/alerts`.
#[utoipa::path(get, path = "/api/partner/alerts", operation_id = "partner_alerts", tag = "partner", security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "Active conditions, recorded alerts, partner webhooks still undelivered, and the incidents not resolved yet (to acknowledge and resolve)", body = AlertsReport),
        (status = 401, description = "`partner_key_invalid`, `console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn alerts(State(state): State<AppState>, reader: PartnerReader) -> Result<Json<AlertsReport>, ApiError> {
    let facts = alerts::gather(&state.store.db, &state.upstream, &state.quoting.pools, &state.settings.alerts).await?;
    let active = alerts::active(&facts, &state.settings.alerts);
    // What a person reads matches what they acknowledge: incidents follow the alerts
    // now (the watch keeps them in step between reads too).
    state.program.sync_incidents(&active).await?;
    if matches!(reader, PartnerReader::Backend) {
        // The partner's backend polls the alerts: the readiness record's monitoring evidence.
        state.program.note(crate::partner::program::SIGNAL_ALERTS_READ, None).await;
    }
    let recorded = store::recorded_alerts(&state.store.db, 100)
        .await?
        .into_iter()
        .map(|a| RecordedAlert { kind: a.kind, subject: a.subject, message: a.message, raised_at: a.raised_at })
        .collect();
    let undelivered_events = facts
        .undelivered_events
        .into_iter()
        .map(|e| UndeliveredEvent {
            event_id: e.event_id,
            trade_id: e.trade_id,
            checkout_id: e.checkout_id,
            status: e.status,
            created_at: e.created_at,
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
            last_error: e.last_error,
        })
        .collect();
    let incidents = state.program.open_incidents().await?;
    Ok(Json(AlertsReport { generated_at: store::now(), active, recorded, undelivered_events, incidents }))
}
