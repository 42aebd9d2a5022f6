//! The partner program (partner key or console): the launch readiness record
//! (`GET /api/partner/program`), incidents acknowledged and resolved with a note,
//! the program review of a period (JSON and CSV), and the runbook this build ships
//! (`GET /runbook`, where `SUPPORT_RUNBOOK_URL` points by default).

use super::auth::{PartnerActor, PartnerReader};
use super::body::StrictJson;
use super::query::StrictQuery;
use super::ApiError;
use crate::http::AppState;
use crate::partner::program::incident;
use crate::partner::utilization::Window;
use crate::store;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use quote_core::partner::{Incident, ProgramRecord, ProgramReview};
use serde::Deserialize;

/// The runbook as this build ships it (`docs/runbook.md`).
const RUNBOOK: &str = include_str!("../../../../docs/runbook.md");

/// Longest note an incident takes.
pub(super) const MAX_NOTE: usize = 2000;

/// `GET /api/partner/program`.
#[utoipa::path(get, path = "/api/partner/program", operation_id = "partner_program", tag = "partner",
    security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "The launch readiness record: the program's records, each `*_ready` flag derived from evidence, and the go-live checklist", body = ProgramRecord),
        (status = 401, description = "`partner_key_invalid`, `console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn program(State(state): State<AppState>, _: PartnerReader) -> Result<Json<ProgramRecord>, ApiError> {
    Ok(Json(state.program.record().await?))
}

/// An acknowledgement's optional note.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Acknowledgement {
    /// What is being done (replaces an earlier note).
    #[serde(default)]
    #[schema(format = "note")]
    note: Option<String>,
}

/// A resolution's note.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Resolution {
    /// What was found and done.
    #[schema(format = "note")]
    note: String,
}

/// A note as given: trimmed, bounded, no control characters but line breaks and tabs.
fn note(given: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(text) = given else { return Ok(None) };
    if text.chars().count() > MAX_NOTE {
        return Err(ApiError::invalid_field("note", format!("note may be at most {MAX_NOTE} characters.")));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ApiError::invalid_field("note", "note must not contain control characters."));
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid_field("note", "note is blank: write what was found or done, or leave it out."));
    }
    Ok(Some(trimmed.to_owned()))
}

/// An incident id from the path (documented as an integer).
fn incident_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::invalid_field("incident_id", "incident_id is a whole number (from the alerts' incidents)."))
}

/// The incident after a change, or why there was none.
async fn changed(state: &AppState, id: i64, done: bool) -> Result<Json<Incident>, ApiError> {
    let row = store::incident(&state.store.db, id).await?.ok_or(ApiError::IncidentNotFound)?;
    if !done {
        return Err(ApiError::IncidentResolved);
    }
    Ok(Json(incident(row)))
}

/// `POST /api/partner/incidents/{incident_id}/acknowledge`.
#[utoipa::path(post, path = "/api/partner/incidents/{incident_id}/acknowledge", operation_id = "acknowledge_incident", tag = "partner",
    params(("incident_id" = i64, Path, description = "From the alerts' `incidents`")),
    request_body(content = Option<Acknowledgement>, description = "An optional note"),
    security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "Acknowledged (the first acknowledgement is kept)", body = Incident),
        (status = 400, description = "`invalid_json`, `invalid_field` (note, incident_id)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`, `console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`incident_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`incident_resolved`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn acknowledge(
    State(state): State<AppState>,
    PartnerActor(by): PartnerActor,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<Acknowledgement>,
) -> Result<Json<Incident>, ApiError> {
    let id = incident_id(&id)?;
    let note = note(body.note)?;
    let done = store::acknowledge_incident(&state.store.db, id, &by, note.as_deref(), &store::now()).await?;
    tracing::info!(incident = id, %by, done, "incident acknowledged");
    changed(&state, id, done).await
}

/// `POST /api/partner/incidents/{incident_id}/resolve`.
#[utoipa::path(post, path = "/api/partner/incidents/{incident_id}/resolve", operation_id = "resolve_incident", tag = "partner",
    params(("incident_id" = i64, Path, description = "From the alerts' `incidents`")),
    request_body(content = Resolution, description = "What was found or done"),
    security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "Resolved. Should its condition hold again, a new incident opens", body = Incident),
        (status = 400, description = "`invalid_json`, `invalid_field` (note: required, incident_id)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`, `console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`incident_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`incident_resolved`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn resolve(
    State(state): State<AppState>,
    PartnerActor(by): PartnerActor,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<Resolution>,
) -> Result<Json<Incident>, ApiError> {
    let id = incident_id(&id)?;
    let note = note(Some(body.note))?.unwrap_or_default();
    let done = store::resolve_incident(&state.store.db, id, &by, &note, &store::now()).await?;
    tracing::info!(incident = id, %by, done, "incident resolved");
    changed(&state, id, done).await
}

/// `from`/`to` of a review: at most 31 days; the last 7 days by default.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ReviewPeriod {
    /// Start (RFC 3339; default: 7 days before `to`).
    #[param(format = DateTime)]
    from: Option<String>,
    /// End, exclusive (RFC 3339; default: now). At most 31 days after `from`.
    #[param(format = DateTime)]
    to: Option<String>,
}

impl ReviewPeriod {
    fn window(&self) -> Result<Window, ApiError> {
        let to = self.to.as_deref().map(|t| Window::time("to", t)).transpose()?.unwrap_or_else(chrono::Utc::now);
        let from = self.from.as_deref().map(|f| Window::time("from", f)).transpose()?.unwrap_or(to - chrono::Duration::days(7));
        Ok(Window::between(from, to)?)
    }
}

/// `GET /api/partner/review`.
#[utoipa::path(get, path = "/api/partner/review", operation_id = "program_review", tag = "partner", params(ReviewPeriod),
    security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "The program review of 0Pools' page for the period: limits and limit errors, availability, failed trades, reserved-age alerts, ledger exceptions, unresolved incidents", body = ProgramReview),
        (status = 400, description = "`invalid_field` (from, to)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`, `console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict`: `to` before `from`, or more than 31 days", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable` (pool discovery)", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn review(
    State(state): State<AppState>,
    _: PartnerReader,
    StrictQuery(period): StrictQuery<ReviewPeriod>,
) -> Result<Json<ProgramReview>, ApiError> {
    Ok(Json(state.program.review(&period.window()?).await?))
}

/// `GET /api/partner/exports/review.csv`.
#[utoipa::path(get, path = "/api/partner/exports/review.csv", operation_id = "export_review", tag = "partner", params(ReviewPeriod),
    security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "The review: one row per approved pool, then the program's row (`pool_id` = `all`)", content_type = "text/csv", body = String),
        (status = 400, description = "`invalid_field` (from, to)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`, `console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict`: `to` before `from`, or more than 31 days", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable` (pool discovery)", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn review_csv(
    State(state): State<AppState>,
    _: PartnerReader,
    StrictQuery(period): StrictQuery<ReviewPeriod>,
) -> Result<Response, ApiError> {
    let r = state.program.review(&period.window()?).await?;
    let opt = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut rows: Vec<Vec<(String, bool)>> = r
        .pools
        .iter()
        .map(|p| {
            vec![
                (p.pool_id.clone(), false),
                (r.period.from.clone(), false),
                (r.period.to.clone(), false),
                (opt(p.min_order_usdt), false),
                (opt(p.max_order_usdt), false),
                (p.quote_requests.to_string(), false),
                (p.limit_errors.to_string(), false),
                (p.availability_minutes.to_string(), false),
                (p.period_minutes.to_string(), false),
                (opt(p.quote_success_rate), false),
                (opt(p.accepted_quote_rate), false),
                (p.failed_trades.to_string(), false),
                (p.failed_notional.to_string(), false),
                (p.ledger_exception_count.to_string(), false),
                (String::new(), false),
                (String::new(), false),
            ]
        })
        .collect();
    rows.push(vec![
        ("all".into(), false),
        (r.period.from.clone(), false),
        (r.period.to.clone(), false),
        (String::new(), false),
        (String::new(), false),
        (r.pools.iter().map(|p| p.quote_requests).sum::<u64>().to_string(), false),
        (r.pools.iter().map(|p| p.limit_errors).sum::<u64>().to_string(), false),
        (String::new(), false),
        (String::new(), false),
        (String::new(), false),
        (String::new(), false),
        (r.failed_trades.to_string(), false),
        (r.pools.iter().map(|p| p.failed_notional).sum::<rust_decimal::Decimal>().to_string(), false),
        (r.ledger_exceptions.to_string(), false),
        (r.reserved_age_alerts.to_string(), false),
        (r.unresolved_incidents.to_string(), false),
    ]);
    Ok(super::finance::csv(
        "review.csv",
        &[
            "pool_id",
            "from",
            "to",
            "min_order_usdt",
            "max_order_usdt",
            "quote_requests",
            "limit_errors",
            "availability_minutes",
            "period_minutes",
            "quote_success_rate",
            "accepted_quote_rate",
            "failed_trades",
            "failed_notional",
            "ledger_exception_count",
            "reserved_age_alerts",
            "unresolved_incidents",
        ],
        rows,
    ))
}

/// `GET /runbook`.
#[utoipa::path(get, path = "/runbook", operation_id = "runbook", tag = "partner",
    responses((status = 200, description = "The operations runbook this build ships (Markdown): what each alert and severity asks of whom, how fast", content_type = "text/markdown", body = String)))]
pub(super) async fn runbook() -> Response {
    ([(header::CONTENT_TYPE, "text/markdown; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], RUNBOOK).into_response()
}
