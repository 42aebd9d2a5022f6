//! Abuse and resource limits at the door: token buckets (governor's GCRA) per
//! client address for minting and signing in, per checkout for quotes and accepts,
//! and counted slots for live event streams. (The budget of upstream quote calls is
//! `quoting`'s.) Memory stays bounded: keyed
//! limiters forget keys that are back to full ([`Limiters::forget_idle`], run by the
//! sweep), and stream slots are released when a stream's guard drops.

use crate::config::Limits;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn per_minute(n: u32, burst: u32) -> Quota {
    // Quota::per_minute panics on nothing; the period is 60 s / n, at least 1 ns.
    Quota::per_minute(nonzero(n)).allow_burst(nonzero(burst))
}

pub(crate) struct Limiters {
    mints: DefaultKeyedRateLimiter<String>,
    sign_ins: DefaultKeyedRateLimiter<String>,
    /// Every address together: guessing spread over many addresses is bounded too.
    sign_ins_in_all: DefaultDirectRateLimiter,
    quotes: DefaultKeyedRateLimiter<String>,
    accepts: DefaultKeyedRateLimiter<String>,
    /// Paces the records of refusals (rate limits, bad webhook signatures), so a
    /// caller cannot turn refusals into database writes.
    outcome_writes: DefaultKeyedRateLimiter<String>,
    webhook_failure_writes: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

/// How long until the limited action may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryAfter(pub Duration);

impl RetryAfter {
    pub(crate) fn millis(self) -> u64 {
        (self.0.as_millis() as u64).max(1)
    }
}

impl Limiters {
    pub(crate) fn new(limits: &Limits) -> Self {
        Limiters {
            mints: RateLimiter::keyed(per_minute(limits.mints_per_minute, 10)),
            // Password guessing: five tries, then one every 10 s per address.
            sign_ins: RateLimiter::keyed(per_minute(6, 5)),
            // Thirty a minute in all, after ten: far above one team's sign-ins.
            sign_ins_in_all: RateLimiter::direct(per_minute(30, 10)),
            quotes: RateLimiter::keyed(per_minute(limits.quotes_per_minute, limits.quote_burst)),
            accepts: RateLimiter::keyed(per_minute(limits.accepts_per_minute, limits.accept_burst)),
            outcome_writes: RateLimiter::keyed(per_minute(6, 1)),
            webhook_failure_writes: RateLimiter::direct(per_minute(60, 10)),
            clock: DefaultClock::default(),
        }
    }

    fn keyed(&self, limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), RetryAfter> {
        limiter.check_key(&key.to_owned()).map_err(|not_until| RetryAfter(not_until.wait_time_from(self.clock.now())))
    }

    /// One console sign-in attempt from `client` (an address), within its own limit
    /// and the one of all addresses together.
    pub(crate) fn sign_in(&self, client: &str) -> Result<(), RetryAfter> {
        self.keyed(&self.sign_ins, client)?;
        self.sign_ins_in_all.check().map_err(|not_until| RetryAfter(not_until.wait_time_from(self.clock.now())))
    }

    /// One session or checkout minted from `client` (an address).
    pub(crate) fn mint(&self, client: &str) -> Result<(), RetryAfter> {
        self.keyed(&self.mints, client)
    }

    /// One quote request in `checkout_id`.
    pub(crate) fn quote(&self, checkout_id: &str) -> Result<(), RetryAfter> {
        self.keyed(&self.quotes, checkout_id)
    }

    /// One accept attempt in `checkout_id`.
    pub(crate) fn accept(&self, checkout_id: &str) -> Result<(), RetryAfter> {
        self.keyed(&self.accepts, checkout_id)
    }

    /// Whether a refusal of `checkout_id` may be written down now.
    pub(crate) fn outcome_write(&self, checkout_id: &str) -> Result<(), RetryAfter> {
        self.keyed(&self.outcome_writes, checkout_id)
    }

    /// Whether a webhook signature failure may be written down now.
    pub(crate) fn webhook_failure_write(&self) -> Result<(), RetryAfter> {
        self.webhook_failure_writes.check().map_err(|not_until| RetryAfter(not_until.wait_time_from(self.clock.now())))
    }

    /// Drops keys whose buckets are full again, so memory follows active clients only.
    pub(crate) fn forget_idle(&self) {
        for limiter in [&self.mints, &self.sign_ins, &self.quotes, &self.accepts, &self.outcome_writes] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Keys currently remembered (for tests of bounded memory).
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.mints.len() + self.sign_ins.len() + self.quotes.len() + self.accepts.len()
    }
}

/// Forgets idle keys every `interval`, for the life of the process.
pub(crate) fn spawn_forgetting(limiters: Arc<Limiters>, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            limiters.forget_idle();
        }
    })
}

/// Slow work (a password hash) run off the async workers, at most `slots` at once:
/// however many sign-ins arrive, the cores keep serving checkouts.
pub(crate) struct BoundedWork {
    slots: Arc<tokio::sync::Semaphore>,
}

impl BoundedWork {
    /// About one slot per core, and never fewer than one.
    pub(crate) fn for_cores() -> Self {
        BoundedWork::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub(crate) fn new(slots: usize) -> Self {
        BoundedWork { slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))) }
    }

    /// Runs `work` on the blocking pool once a slot is free.
    pub(crate) async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let permit = Arc::clone(&self.slots).acquire_owned().await.ok()?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .ok()
    }
}

/// Counted slots for live event streams, per checkout and in total.
pub(crate) struct StreamSlots {
    per_checkout: u32,
    total_max: u32,
    total: AtomicU32,
    by_checkout: Mutex<HashMap<String, u32>>,
}

/// Which cap refused a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamCap {
    PerCheckout,
    Total,
}

/// A held stream slot; dropping it frees the slot.
pub(crate) struct StreamSlot {
    slots: Arc<StreamSlots>,
    checkout_id: String,
}

impl StreamSlots {
    pub(crate) fn new(per_checkout: u32, total_max: u32) -> Self {
        StreamSlots {
            per_checkout: per_checkout.max(1),
            total_max: total_max.max(1),
            total: AtomicU32::new(0),
            by_checkout: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn acquire(self: &Arc<Self>, checkout_id: &str) -> Result<StreamSlot, StreamCap> {
        let mut by_checkout = self.by_checkout.lock().unwrap_or_else(|p| p.into_inner());
        let held = by_checkout.get(checkout_id).copied().unwrap_or(0);
        if held >= self.per_checkout {
            return Err(StreamCap::PerCheckout);
        }
        if self.total.load(Ordering::SeqCst) >= self.total_max {
            return Err(StreamCap::Total);
        }
        self.total.fetch_add(1, Ordering::SeqCst);
        by_checkout.insert(checkout_id.to_owned(), held + 1);
        Ok(StreamSlot { slots: Arc::clone(self), checkout_id: checkout_id.to_owned() })
    }

    pub(crate) fn open(&self) -> u32 {
        self.total.load(Ordering::SeqCst)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut by_checkout = self.slots.by_checkout.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = by_checkout.get_mut(&self.checkout_id) {
            *n -= 1;
            if *n == 0 {
                by_checkout.remove(&self.checkout_id);
            }
        }
        self.slots.total.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_buckets_burst_then_refuse_with_a_wait_and_forget_idle_keys() {
        let limits = Limits { quotes_per_minute: 60, quote_burst: 3, ..Limits::default() };
        let limiters = Limiters::new(&limits);
        for _ in 0..3 {
            assert!(limiters.quote("chk_a").is_ok());
        }
        let wait = limiters.quote("chk_a").unwrap_err();
        assert!(wait.0 > Duration::from_millis(900) && wait.0 <= Duration::from_secs(1), "{wait:?}");
        assert!(limiters.quote("chk_b").is_ok(), "keys are independent");
        for i in 0..1000 {
            let _ = limiters.mint(&format!("10.0.{}.{}", i / 256, i % 256));
        }
        assert!(limiters.remembered() >= 1000);
    }

    #[tokio::test]
    async fn bounded_work_never_runs_more_than_its_slots_at_once() {
        let work = Arc::new(BoundedWork::new(2));
        let (running, most) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let (work, running, most) = (Arc::clone(&work), Arc::clone(&running), Arc::clone(&most));
                tokio::spawn(async move {
                    work.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap().is_some());
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn sign_ins_are_limited_per_address_and_in_all() {
        let limiters = Limiters::new(&Limits::default());
        let allowed = (0..40).filter(|i| limiters.sign_in(&format!("10.0.0.{i}")).is_ok()).count();
        assert_eq!(allowed, 10, "forty addresses together get the global burst");
    }

    #[test]
    fn stream_slots_cap_per_checkout_and_in_total_and_free_on_drop() {
        let slots = Arc::new(StreamSlots::new(2, 3));
        let a1 = slots.acquire("a").unwrap();
        let _a2 = slots.acquire("a").unwrap();
        assert_eq!(slots.acquire("a").err(), Some(StreamCap::PerCheckout));
        let _b1 = slots.acquire("b").unwrap();
        assert_eq!(slots.acquire("c").err(), Some(StreamCap::Total));
        drop(a1);
        assert_eq!(slots.open(), 2);
        assert!(slots.acquire("c").is_ok());
    }
}
