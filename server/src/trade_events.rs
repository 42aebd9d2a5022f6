//! Trade status changes reach every live event stream, on every replica. Within a
//! process they travel on a broadcast channel; on Postgres each change is also sent
//! with `NOTIFY`, and every replica's listener puts the ones from other replicas on
//! its own channel. Streams wait on the channel: none of them polls the database.

use crate::db::StoreKind;
use crate::trading::TradeUpdate;
use crate::AppState;
use sqlx::postgres::PgListener;
use std::time::Duration;

const CHANNEL: &str = "qw_trade_updates";
/// A stand-in trade id meaning "look again at every trade" (sent after the listener
/// reconnects, since notifications sent meanwhile are gone).
pub const EVERY_TRADE: &str = "*";
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// Announces a change here and, on Postgres, to the other replicas.
pub async fn publish(state: &AppState, update: TradeUpdate) {
    if StoreKind::of_pool(&state.db) == StoreKind::Postgres {
        let payload = format!("{}\t{}\t{}", state.replica_id, update.trade_id, update.status);
        if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&state.db).await {
            // Other replicas' streams then learn of it when the trade next changes or
            // the widget reconnects; the change itself is stored.
            tracing::warn!(trade_id = %update.trade_id, cause = %e, "a trade update could not be sent to other replicas");
        }
    }
    // No listener is fine: nobody is watching this trade live here.
    let _ = state.updates.send(update);
}

/// On Postgres, listens for other replicas' changes for the life of the process.
pub fn spawn_listener(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    if StoreKind::of_pool(&state.db) != StoreKind::Postgres {
        return None;
    }
    let url = state.db.connect_options().database_url.to_string();
    Some(tokio::spawn(async move {
        loop {
            match listen(&state, &url).await {
                Ok(()) => tracing::warn!("trade update listener lost its connection; reconnecting"),
                Err(e) => tracing::warn!(cause = %e, "trade update listener failed; reconnecting"),
            }
            tokio::time::sleep(RECONNECT_PAUSE).await;
        }
    }))
}

/// Listens until the connection is lost.
async fn listen(state: &AppState, url: &str) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Whatever changed while nobody listened: every stream looks again.
    let _ = state.updates.send(TradeUpdate { trade_id: EVERY_TRADE.into(), status: String::new() });
    while let Some(notification) = listener.try_recv().await? {
        let mut parts = notification.payload().splitn(3, '\t');
        let (Some(replica), Some(trade_id), Some(status)) = (parts.next(), parts.next(), parts.next()) else { continue };
        // Our own changes were announced here already.
        if replica != &*state.replica_id {
            let _ = state.updates.send(TradeUpdate { trade_id: trade_id.into(), status: status.into() });
        }
    }
    Ok(())
}
