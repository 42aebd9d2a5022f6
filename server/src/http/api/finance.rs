//! For finance (partner key): the mirrored ledger with each row's match, and CSV
//! exports of trades and ledger rows, exact decimal strings as 0Pools sent them.

use super::auth::PartnerReader;
use super::query::StrictQuery;
use super::ApiError;
use crate::http::AppState;
use crate::partner::utilization::Window;
use crate::store;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use quote_core::partner::{LedgerListing, LedgerRowView, ReconciliationState, RowMatch};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct LedgerQuery {
    /// `oldest` (default: oldest first, paged with `after`) or `newest` (newest first, paged with `before`).
    #[param(pattern = r"^(oldest|newest)$")]
    order: Option<String>,
    /// Rows after this ledger id (exclusive): the next page, oldest first. Empty: from the start.
    after: Option<String>,
    /// Rows before this ledger id (exclusive): the next page, newest first. With `after`, the rows between.
    before: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

fn view(r: store::MatchedLedgerRow) -> LedgerRowView {
    let matched = r.trade_id.map(|trade_id| RowMatch {
        trade_id,
        // A matched row always has its trade's state. This listing reads it leniently: a
        // word this build does not know reads as still open, never as matched. (The
        // trade's other readers decode it strictly, as a closed vocabulary.)
        reconciliation_state: r.reconciliation_state.as_deref().and_then(ReconciliationState::parse).unwrap_or(ReconciliationState::Open),
        reason: r.reconciliation_reason,
    });
    LedgerRowView {
        ledger_id: r.ledger_id,
        entry_type: r.entry_type,
        asset: r.asset,
        amount: r.amount,
        available_after: r.available_after,
        reserved_after: r.reserved_after,
        transact_id: r.transact_id,
        created_at: r.created_at,
        matched,
    }
}

/// `GET /api/partner/ledger`.
#[utoipa::path(get, path = "/api/partner/ledger", operation_id = "partner_ledger", tag = "partner", params(LedgerQuery), security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "Mirrored ledger rows in the asked order, each with its trade's reconciliation", body = LedgerListing),
        (status = 400, description = "`invalid_field` (limit, order)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict`: a cursor (`after`, `before`) that names no ledger row", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn ledger(
    State(state): State<AppState>,
    _: PartnerReader,
    StrictQuery(q): StrictQuery<LedgerQuery>,
) -> Result<Json<LedgerListing>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid_field("limit", "limit must be from 1 to 500."));
    }
    let newest = match q.order.as_deref() {
        None | Some("oldest") => false,
        Some("newest") => true,
        Some(_) => return Err(ApiError::invalid_field("order", "order must be oldest or newest.")),
    };
    // An empty cursor is no cursor (the first page). A given one must name a row: one
    // that does not would answer an empty page that reads as "no more rows".
    let after = q.after.as_deref().filter(|c| !c.is_empty());
    let before = q.before.as_deref().filter(|c| !c.is_empty());
    for (cursor, given) in [("after", after), ("before", before)] {
        if let Some(id) = given {
            if !store::ledger_row_exists(&state.store.db, id).await? {
                return Err(ApiError::field_conflict(
                    cursor,
                    format!("{cursor} must be the ledger_id of a row in the ledger (the last row of the page before)."),
                ));
            }
        }
    }
    let mut rows = store::ledger_page(&state.store.db, after, before, newest, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok(Json(LedgerListing { entries: rows.into_iter().map(view).collect(), has_more }))
}

/// A CSV field: quoted when it must be, and text that a spreadsheet would run as a
/// formula is defused with a leading apostrophe (numbers are left exact).
fn field(value: &str, text: bool) -> String {
    let defused = if text && value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

pub(super) fn csv(name: &str, header_row: &[&str], rows: Vec<Vec<(String, bool)>>) -> Response {
    let mut body = header_row.join(",");
    body.push('\n');
    for row in rows {
        body.push_str(&row.iter().map(|(v, text)| field(v, *text)).collect::<Vec<_>>().join(","));
        body.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Period {
    /// Rows created from (RFC 3339; default: 30 days before `to`).
    #[param(format = DateTime)]
    from: Option<String>,
    /// …until (exclusive; default: now). At most 31 days after `from`.
    #[param(format = DateTime)]
    to: Option<String>,
}

/// `GET /api/partner/exports/trades.csv`.
#[utoipa::path(get, path = "/api/partner/exports/trades.csv", operation_id = "export_trades", tag = "partner", params(Period), security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "One row per trade", content_type = "text/csv", body = String),
        (status = 400, description = "`invalid_field` (from, to)", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict`: `to` before `from`, or more than 31 days", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn trades_csv(
    State(state): State<AppState>,
    _: PartnerReader,
    StrictQuery(p): StrictQuery<Period>,
) -> Result<Response, ApiError> {
    let window = export_window(&p)?;
    let trades = store::trades_created_between(&state.store.db, &store::timestamp(window.from), &store::timestamp(window.to)).await?;
    let rows = trades
        .into_iter()
        .map(|e| {
            let (t, reconciliation, reason, terminal_at) = (e.trade, e.reconciliation_state, e.reconciliation_reason, e.terminal_at);
            vec![
                (t.trade_id, false),
                (t.quote_id, false),
                (opt(&t.checkout_id), false),
                (opt(&t.partner_reference), true),
                (t.status.to_string(), false),
                (t.pool_id, false),
                (t.side.to_string(), false),
                (t.source_asset, false),
                (t.source_amount, false),
                (t.target_asset, false),
                (t.target_amount, false),
                (t.network, false),
                (t.destination_address, true),
                (t.created_at, false),
                (opt(&terminal_at), false),
                (reconciliation.to_string(), false),
                (opt(&reason), true),
                (opt(&t.terms_mismatch), false),
                (opt(&t.request_id), false),
            ]
        })
        .collect();
    Ok(csv(
        "trades.csv",
        &[
            "transact_id",
            "quote_id",
            "checkout_id",
            "partner_reference",
            "status",
            "pool_id",
            "side",
            "source_asset",
            "source_amount",
            "target_asset",
            "target_amount",
            "network",
            "destination_address",
            "created_at",
            "terminal_at",
            "reconciliation_state",
            "reconciliation_reason",
            "terms_mismatch",
            "request_id",
        ],
        rows,
    ))
}

/// The export's period: `from`/`to` (at most 31 days); without `from`, the 30 days
/// before `to` (itself now by default).
fn export_window(p: &Period) -> Result<Window, ApiError> {
    let to = p.to.as_deref().map(|t| Window::time("to", t)).transpose()?.unwrap_or_else(chrono::Utc::now);
    let from = p.from.as_deref().map(|f| Window::time("from", f)).transpose()?.unwrap_or(to - chrono::Duration::days(30));
    Ok(Window::between(from, to)?)
}

/// `GET /api/partner/exports/ledger.csv`.
#[utoipa::path(get, path = "/api/partner/exports/ledger.csv", operation_id = "export_ledger", tag = "partner", params(Period), security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "The period's mirrored ledger rows with their matches", content_type = "text/csv", body = String),
        (status = 400, description = "`invalid_field` (from, to)", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict`: `to` before `from`, or more than 31 days", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn ledger_csv(
    State(state): State<AppState>,
    _: PartnerReader,
    StrictQuery(p): StrictQuery<Period>,
) -> Result<Response, ApiError> {
    let window = export_window(&p)?;
    let rows = store::ledger_rows_between(&state.store.db, &store::timestamp(window.from), &store::timestamp(window.to))
        .await?
        .into_iter()
        .map(|r| {
            vec![
                (r.ledger_id, false),
                (r.entry_type.to_string(), false),
                (r.asset, false),
                (r.amount, false),
                (r.available_after, false),
                (r.reserved_after, false),
                (opt(&r.transact_id), false),
                (r.created_at, false),
                (r.reconciliation_state.unwrap_or_else(|| if r.transact_id.is_some() { "unmatched".into() } else { String::new() }), false),
                (opt(&r.reconciliation_reason), true),
            ]
        })
        .collect();
    Ok(csv(
        "ledger.csv",
        &[
            "ledger_id",
            "type",
            "asset",
            "amount",
            "available_after",
            "reserved_after",
            "transact_id",
            "created_at",
            "reconciliation_state",
            "reconciliation_reason",
        ],
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused_but_numbers_stay_exact() {
        assert_eq!(field("-107.42", false), "-107.42");
        assert_eq!(field("=HYPERLINK(\"x\")", true), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("a,b", true), "\"a,b\"");
        assert_eq!(field("order_1042", true), "order_1042");
    }
}
