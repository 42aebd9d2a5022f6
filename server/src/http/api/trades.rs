//! `GET /api/trades/{id}` and `GET /api/trades/{id}/events` (Server-Sent Events with
//! each status change until a terminal one).

use super::{auth::Session, ApiError};
use crate::http::limits::{StreamCap, StreamSlot};
use crate::http::AppState;
use crate::store;
use crate::trading::events::TradeNews;
use crate::trading::trade_view;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures::Stream;
use quote_core::vocab::TradeStatus;
use quote_core::wire::TradeView;
use std::convert::Infallible;
use tokio::sync::broadcast::{self, error::RecvError};

/// `GET /api/trades/{trade_id}`.
#[utoipa::path(get, path = "/api/trades/{trade_id}", operation_id = "get_trade", tag = "widget",
    params(("trade_id" = String, Path)), security(("client_token" = [])),
    responses(
        (status = 200, description = "The trade", body = TradeView),
        (status = 401, description = "`session_required`, `session_invalid`, `session_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`trade_not_found` (also another checkout's)", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn get(
    State(state): State<AppState>,
    session: Session,
    Path(trade_id): Path<String>,
) -> Result<Json<TradeView>, ApiError> {
    let trade = state.trading.owned_trade(&session.checkout_id, &trade_id).await?;
    Ok(Json(trade_view(&trade)?))
}

struct Follow {
    state: AppState,
    trade_id: String,
    updates: broadcast::Receiver<TradeNews>,
    last_status: Option<TradeStatus>,
    finished: bool,
    /// Held while the stream is open; dropping the stream frees it.
    _slot: StreamSlot,
}

impl Follow {
    /// The next status to send, waiting for news when there is none.
    async fn next_event(&mut self) -> Option<Event> {
        if self.finished {
            return None;
        }
        loop {
            let row = store::trade(&self.state.store.db, &self.trade_id).await.ok().flatten()?;
            if self.last_status != Some(row.status) {
                self.last_status = Some(row.status);
                self.finished = row.status.is_terminal();
                let view = trade_view(&row).ok()?;
                return Event::default().event(quote_core::sse::TRADE_STATUS_EVENT).id(row.status.as_str()).json_data(view).ok();
            }
            self.wait_for_news().await?;
        }
    }

    async fn wait_for_news(&mut self) -> Option<()> {
        let stopping = self.state.stopping.clone();
        let stopping = stopping.wait();
        tokio::pin!(stopping);
        loop {
            tokio::select! {
                // This replica is stopping: end the stream so the widget reconnects
                // (to another replica) instead of being cut off at the grace period.
                _ = &mut stopping => return None,
                update = self.updates.recv() => match update {
                    Ok(news) if news.concerns(&self.trade_id) => return Some(()),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => return Some(()),
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }
}

/// `GET /api/trades/{trade_id}/events`: the current status at once, then every
/// change, closing after a terminal one.
#[utoipa::path(get, path = "/api/trades/{trade_id}/events", operation_id = "trade_events", tag = "widget",
    params(("trade_id" = String, Path)), security(("client_token" = [])),
    responses(
        (status = 200, description = "Server-Sent Events: `event: status`, `data:` a TradeView, until a terminal status", content_type = "text/event-stream", body = super::openapi::TradeStatusEvent),
        (status = 401, description = "`session_required`, `session_invalid`, `session_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`trade_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`too_many_streams`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn events(
    State(state): State<AppState>,
    session: Session,
    Path(trade_id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    state.trading.owned_trade(&session.checkout_id, &trade_id).await?;
    let slot = state.streams.acquire(&session.checkout_id).map_err(|cap| {
        tracing::warn!(checkout_id = %session.checkout_id, ?cap, "live stream refused");
        match cap {
            StreamCap::PerCheckout | StreamCap::Total => ApiError::TooManyStreams,
        }
    })?;
    // Subscribe before the first read, so no change falls between the two.
    let updates = state.trading.events.subscribe();
    let follow = Follow { state, trade_id, updates, last_status: None, finished: false, _slot: slot };
    let stream = futures::stream::unfold(follow, |mut f| async move { f.next_event().await.map(|e| (Ok(e), f)) });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
