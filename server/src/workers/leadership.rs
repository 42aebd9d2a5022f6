//! Work one replica does at a time (the reconciler): whoever holds the named lease
//! in the database leads, renews it each pass, and stops work it cannot finish
//! inside the lease. A leader that dies is replaced once its lease ends; one that
//! stops cleanly gives the lease back at once.

use crate::store::{self, Db};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub struct Leadership {
    name: &'static str,
    holder: Arc<str>,
    ttl: Duration,
    /// Until when this replica may act as leader (by its own clock, with a margin
    /// kept for the work in hand); `None` while another replica leads.
    held_until: Mutex<Option<Instant>>,
    passes: AtomicU64,
}

impl Leadership {
    pub fn new(name: &'static str, holder: Arc<str>, ttl: Duration) -> Self {
        Leadership { name, holder, ttl, held_until: Mutex::new(None), passes: AtomicU64::new(0) }
    }

    /// Takes or renews the lease; true when this replica leads for the next pass.
    pub async fn hold(&self, db: &Db) -> bool {
        let asked = Instant::now();
        let held = match store::hold_lease(db, self.name, &self.holder, self.ttl).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(lease = self.name, cause = %e, "could not renew a lease; not leading until it can");
                false
            }
        };
        let mut slot = self.held_until.lock().unwrap_or_else(|p| p.into_inner());
        if held != slot.is_some() {
            tracing::info!(lease = self.name, replica = %self.holder, leading = held, "leadership changed");
        }
        // The lease ends by the database's clock, `ttl` after the write; this replica
        // counts by its own monotonic clock from before the write, and a fifth short,
        // so it stops before any other could see the lease as ended, whatever the
        // replicas' wall clocks say.
        *slot = held.then(|| asked + self.ttl.mul_f32(0.8));
        held
    }

    /// Whether the lease taken by the last [`hold`](Self::hold) still covers work now.
    pub fn still_leading(&self) -> bool {
        self.held_until.lock().unwrap_or_else(|p| p.into_inner()).is_some_and(|until| Instant::now() < until)
    }

    /// Gives the lease back (a clean stop), so another replica leads at once.
    pub async fn release(&self, db: &Db) {
        *self.held_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Err(e) = store::release_lease(db, self.name, &self.holder).await {
            tracing::warn!(lease = self.name, cause = %e, "could not give a lease back; it runs out by itself");
        }
    }

    /// A pass of the led work ran (for tests and metrics).
    pub fn count_pass(&self) {
        self.passes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn passes(&self) -> u64 {
        self.passes.load(Ordering::Relaxed)
    }
}
