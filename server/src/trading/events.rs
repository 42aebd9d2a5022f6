//! Trade status changes reach every live event stream, on every replica. Within a
//! process they travel on a broadcast channel; on Postgres they are also sent with
//! `NOTIFY`, and every replica's listener puts the ones from other replicas on its
//! own channel. Streams wait on the channel: none of them polls the database.
//!
//! Postgres serialises the commits of all notifying transactions (one global queue
//! lock) and wakes every listener for each, so one `NOTIFY` per change does not
//! scale: with three replicas at 200 checkouts/s it alone pushed accepts to half a
//! second. Changes are therefore sent in batches: a batch gathers for [`GATHER`]
//! after its first change (and whatever waited while the previous `NOTIFY` was in
//! flight), so a replica sends at most about a hundred `NOTIFY`s a second however
//! busy it is — at 200 checkouts/s, sending whatever was waiting at once still made
//! two per checkout — at the cost of those milliseconds on other replicas' streams.

use crate::store::{Db, StoreKind};
use crate::zeropools::types::TradeStatus;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

const CHANNEL: &str = "qw_trade_updates";
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);
/// How long a batch gathers changes after its first (other replicas' streams see a
/// change this much later; this replica's own streams at once).
pub const GATHER: Duration = Duration::from_millis(10);
/// Postgres takes payloads under 8,000 bytes; a batch stops well before.
const MAX_PAYLOAD: usize = 7_000;

/// A trade's status changed; live event streams listen for these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeUpdate {
    pub trade_id: String,
    pub status: TradeStatus,
}

/// What a live stream hears on its replica's channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeNews {
    /// One trade's status changed (here or on another replica). Streams read the
    /// trade itself, so the news names it and nothing more.
    Changed { trade_id: String },
    /// Changes may have been missed (the listener reconnected, and notifications sent
    /// meanwhile are gone; or a notification had a line this build could not read):
    /// every stream reads its trade again.
    MaybeMissed,
}

impl TradeNews {
    /// Whether a stream following `trade_id` should read it again.
    pub fn concerns(&self, trade_id: &str) -> bool {
        match self {
            TradeNews::Changed { trade_id: changed } => changed == trade_id,
            TradeNews::MaybeMissed => true,
        }
    }
}

/// Where this replica's changes go: the local channel, and on Postgres the batcher.
#[derive(Clone)]
pub struct TradeEvents {
    local: broadcast::Sender<TradeNews>,
    to_other_replicas: Option<mpsc::UnboundedSender<TradeUpdate>>,
    db: Db,
    replica_id: Arc<str>,
}

impl TradeEvents {
    pub fn new(db: &Db, replica_id: Arc<str>) -> Self {
        let local = broadcast::channel(1024).0;
        let to_other_replicas = (StoreKind::of_pool(db) == StoreKind::Postgres).then(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(send_batches(db.clone(), Arc::clone(&replica_id), receiver));
            sender
        });
        TradeEvents { local, to_other_replicas, db: db.clone(), replica_id }
    }

    /// Announces a change here at once and, on Postgres, to the other replicas.
    pub fn publish(&self, update: TradeUpdate) {
        if let Some(batcher) = &self.to_other_replicas {
            let _ = batcher.send(update.clone());
        }
        // No listener is fine: nobody is watching this trade live here.
        let _ = self.local.send(TradeNews::Changed { trade_id: update.trade_id });
    }

    /// Tells this replica's streams to read their trades again.
    fn announce_maybe_missed(&self) {
        let _ = self.local.send(TradeNews::MaybeMissed);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<TradeNews> {
        self.local.subscribe()
    }
}

/// Sends waiting changes as few `NOTIFY`s: the first line names the sending replica,
/// each further line is `trade_id<TAB>status`.
async fn send_batches(db: Db, replica_id: Arc<str>, updates: mpsc::UnboundedReceiver<TradeUpdate>) {
    gather_batches(updates, |lines| {
        let (db, replica_id) = (db.clone(), Arc::clone(&replica_id));
        async move { notify(&db, &replica_id, &lines).await }
    })
    .await;
}

/// Hands `send` each batch of changes (`\ntrade_id\tstatus` lines, under
/// [`MAX_PAYLOAD`]): a batch is whatever arrived by [`GATHER`] after its first change.
async fn gather_batches<F, Sent>(mut updates: mpsc::UnboundedReceiver<TradeUpdate>, mut send: F)
where
    F: FnMut(String) -> Sent,
    Sent: std::future::Future<Output = ()>,
{
    let mut waiting = Vec::new();
    while updates.recv_many(&mut waiting, 1_000).await > 0 {
        tokio::time::sleep(GATHER).await;
        while let Ok(update) = updates.try_recv() {
            waiting.push(update);
        }
        let mut payload = String::new();
        for update in waiting.drain(..) {
            let status = update.status.as_str();
            if payload.len() + update.trade_id.len() + status.len() + 2 > MAX_PAYLOAD {
                send(std::mem::take(&mut payload)).await;
            }
            payload.push('\n');
            payload.push_str(&update.trade_id);
            payload.push('\t');
            payload.push_str(status);
        }
        if !payload.is_empty() {
            send(payload).await;
        }
    }
}

async fn notify(db: &Db, replica_id: &str, lines: &str) {
    let payload = format!("{replica_id}{lines}");
    // Committed without waiting for the WAL flush: a notification is not durable
    // anyway (listeners that miss one look again after reconnecting), and a notifying
    // commit holds Postgres' global notify lock until it returns — waiting for the
    // disk there would make every replica's notifications wait for it too. Local to
    // this statement's transaction: the pooled connection keeps its durable setting.
    let sql = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";
    if let Err(e) = sqlx::query(sql).bind(CHANNEL).bind(payload).execute(db).await {
        // Other replicas' streams then learn of these when the trade next changes or
        // the widget reconnects; the changes themselves are stored.
        tracing::warn!(cause = %e, "trade updates could not be sent to other replicas");
    }
}

/// On Postgres, listens for other replicas' changes for the life of the process.
pub fn spawn_listener(events: TradeEvents) -> Option<tokio::task::JoinHandle<()>> {
    if StoreKind::of_pool(&events.db) != StoreKind::Postgres {
        return None;
    }
    let url = events.db.connect_options().database_url.to_string();
    Some(tokio::spawn(async move {
        loop {
            match listen(&events, &url).await {
                Ok(()) => tracing::warn!("trade update listener lost its connection; reconnecting"),
                Err(e) => tracing::warn!(cause = %e, "trade update listener failed; reconnecting"),
            }
            tokio::time::sleep(RECONNECT_PAUSE).await;
        }
    }))
}

/// Listens until the connection is lost.
async fn listen(events: &TradeEvents, url: &str) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Whatever changed while nobody listened: every stream looks again.
    events.announce_maybe_missed();
    while let Some(notification) = listener.try_recv().await? {
        let Some(heard) = read_notification(notification.payload(), &events.replica_id) else { continue };
        for trade_id in heard.changed {
            let _ = events.local.send(TradeNews::Changed { trade_id: trade_id.to_owned() });
        }
        if heard.unreadable {
            tracing::warn!(payload = notification.payload(), "a trade update line was not understood; streams read their trades again");
            events.announce_maybe_missed();
        }
    }
    Ok(())
}

/// What one notification from another replica says.
#[derive(Debug, PartialEq, Eq)]
struct Heard<'a> {
    /// The trades that changed.
    changed: Vec<&'a str>,
    /// A line could not be read: every stream should read its trade again (once).
    unreadable: bool,
}

/// Reads a notification's `trade_id<TAB>status` lines; `None` for this replica's own
/// (announced here already). The status is for people watching the channel: a stream
/// reads the trade itself, so a status word this build does not know still names the
/// trade to wake.
fn read_notification<'a>(payload: &'a str, own_replica: &str) -> Option<Heard<'a>> {
    let mut lines = payload.split('\n');
    if lines.next() == Some(own_replica) {
        return None;
    }
    let mut heard = Heard { changed: Vec::new(), unreadable: false };
    for line in lines {
        match line.split_once('\t') {
            Some((trade_id, _)) if !trade_id.is_empty() => heard.changed.push(trade_id),
            _ => heard.unreadable = true,
        }
    }
    Some(heard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn update(n: usize) -> TradeUpdate {
        TradeUpdate { trade_id: format!("trd_{n}"), status: TradeStatus::Settled }
    }

    /// Runs the batcher on paused time; `feed` sends into it and moves the clock.
    async fn batches_of(feed: impl AsyncFnOnce(&mpsc::UnboundedSender<TradeUpdate>)) -> Vec<String> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let into = Arc::clone(&sent);
        let batcher = tokio::spawn(gather_batches(receiver, move |lines| {
            into.lock().unwrap().push(lines);
            std::future::ready(())
        }));
        feed(&sender).await;
        drop(sender);
        batcher.await.unwrap();
        Arc::try_unwrap(sent).unwrap().into_inner().unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn changes_within_the_gathering_window_share_one_notify_and_later_ones_get_the_next() {
        let sent = batches_of(async |to: &mpsc::UnboundedSender<TradeUpdate>| {
            to.send(update(1)).unwrap();
            tokio::time::sleep(GATHER / 2).await;
            to.send(update(2)).unwrap();
            tokio::time::sleep(GATHER).await;
            to.send(update(3)).unwrap();
        })
        .await;
        assert_eq!(sent, vec!["\ntrd_1\tsettled\ntrd_2\tsettled".to_owned(), "\ntrd_3\tsettled".to_owned()]);
    }

    #[test]
    fn a_notification_names_its_trades_and_flags_lines_it_cannot_read_once() {
        assert_eq!(read_notification("replica-a\ntrd_1\tsettled\ntrd_2\treleased", "replica-a"), None, "our own");
        assert_eq!(
            read_notification("replica-b\ntrd_1\tsettled\ntrd_2\tsettling\ngarbage\n\tfailed", "replica-a"),
            Some(Heard { changed: vec!["trd_1", "trd_2"], unreadable: true }),
            "a status word not known here still names its trade"
        );
        assert_eq!(read_notification("replica-b\ntrd_3\tfailed", "replica-a"), Some(Heard { changed: vec!["trd_3"], unreadable: false }));
    }

    #[test]
    fn a_change_concerns_its_own_trade_and_a_possible_miss_concerns_every_trade() {
        let changed = TradeNews::Changed { trade_id: "trd_1".into() };
        assert!(changed.concerns("trd_1"));
        assert!(!changed.concerns("trd_2"));
        assert!(TradeNews::MaybeMissed.concerns("trd_2"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_too_long_for_one_payload_is_split() {
        let sent = batches_of(async |to: &mpsc::UnboundedSender<TradeUpdate>| {
            for n in 0..1_000 {
                to.send(update(n)).unwrap();
            }
        })
        .await;
        assert!(sent.len() > 1 && sent.iter().all(|p| p.len() <= MAX_PAYLOAD), "{} payloads", sent.len());
        assert_eq!(sent.concat().matches('\n').count(), 1_000, "every change, once");
    }
}
