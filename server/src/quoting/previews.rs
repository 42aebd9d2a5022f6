//! Indicative previews that spare 0Pools' quota: identical intents in flight share
//! one upstream call (single flight), and a successful answer is reused for the same
//! intent for a short window (≤ 1 s by default). Firm quotes never come here: each is
//! its own executable promise. Generic over the answer; what a quote call gives and
//! how a preview is keyed are `crate::quoting::calls`.
//!
//! Waiting callers share a `tokio::sync::OnceCell`: if the caller doing the call
//! goes away (its request was cancelled), the next waiter makes the call instead.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;
// Tokio's clock, so tests can move time instead of waiting for it.
use tokio::time::Instant;

/// Entries beyond this many trigger a purge of stale ones on the next insert.
const PURGE_ABOVE: usize = 1_024;

struct Slot<T> {
    answer: OnceCell<(Instant, T)>,
}

/// A single-flight cache of answers of type `T`, keyed by the intent.
pub(crate) struct Coalescer<T> {
    window: Duration,
    slots: Mutex<HashMap<String, Arc<Slot<T>>>>,
}

/// Whether an answer came from this caller's own upstream call or was shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Called,
    Shared,
}

impl<T: Clone> Coalescer<T> {
    /// `window`: how long a reusable answer is served to identical intents (zero:
    /// only calls in flight are shared).
    pub(crate) fn new(window: Duration) -> Self {
        Coalescer { window, slots: Mutex::new(HashMap::new()) }
    }

    fn fresh(&self, slot: &Slot<T>, now: Instant) -> bool {
        match slot.answer.get() {
            None => true, // in flight: join it
            Some((at, _)) => now.duration_since(*at) < self.window,
        }
    }

    /// The answer for `key`: shared with an identical call in flight or answered
    /// within the window, or from `call`. `reusable` says whether an answer may be
    /// served to later callers (errors and throttled answers are not); callers that
    /// were already waiting get it either way.
    pub(crate) async fn get<F, Fut>(&self, key: &str, reusable: impl Fn(&T) -> bool, call: F) -> (T, Source)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let now = Instant::now();
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            match slots.get(key) {
                Some(slot) if self.fresh(slot, now) => slot.clone(),
                _ => {
                    if slots.len() >= PURGE_ABOVE {
                        slots.retain(|_, s| self.fresh(s, now));
                    }
                    let slot = Arc::new(Slot { answer: OnceCell::new() });
                    slots.insert(key.to_owned(), slot.clone());
                    slot
                }
            }
        };
        let mut called = false;
        let (_, answer) = slot
            .answer
            .get_or_init(|| {
                called = true;
                async move { (Instant::now(), call().await) }
            })
            .await;
        let answer = answer.clone();
        if called && !reusable(&answer) {
            // Not for later callers: forget it (unless a newer slot replaced it already).
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if slots.get(key).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                slots.remove(key);
            }
        }
        (answer, if called { Source::Called } else { Source::Shared })
    }

    /// How many intents are remembered (in flight or within the window).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.lock().map(|s| s.len()).unwrap_or(0)
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops answers older than the window (called by the periodic sweep).
    pub(crate) fn forget_stale(&self) {
        let now = Instant::now();
        if let Ok(mut slots) = self.slots.lock() {
            slots.retain(|_, s| self.fresh(s, now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn counted(calls: &AtomicUsize, value: u32, hold: Arc<tokio::sync::Notify>) -> Result<u32, String> {
        calls.fetch_add(1, Ordering::SeqCst);
        hold.notified().await;
        Ok(value)
    }

    #[tokio::test]
    async fn identical_intents_in_flight_share_one_call() {
        let cache = Arc::new(Coalescer::<Result<u32, String>>::new(Duration::from_secs(1)));
        let calls = Arc::new(AtomicUsize::new(0));
        let hold = Arc::new(tokio::sync::Notify::new());
        let mut waiters = Vec::new();
        for _ in 0..50 {
            let (cache, calls, hold) = (cache.clone(), calls.clone(), hold.clone());
            waiters.push(tokio::spawn(async move { cache.get("EUR-USDT|buy|100", Result::is_ok, || counted(&calls, 7, hold)).await }));
        }
        // Every waiter is queued on the one call before it is let go.
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        hold.notify_one();
        let mut sources = Vec::new();
        for w in waiters {
            let (answer, source) = w.await.unwrap();
            assert_eq!(answer, Ok(7));
            sources.push(source);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(sources.iter().filter(|s| **s == Source::Called).count(), 1);
    }

    #[tokio::test]
    async fn answers_are_reused_within_the_window_only_and_errors_never() {
        tokio::time::pause();
        let cache = Coalescer::<Result<u32, String>>::new(Duration::from_millis(50));
        let calls = AtomicUsize::new(0);
        let call = |v: u32| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok(v) }
        };
        assert_eq!(cache.get("a", Result::is_ok, || call(1)).await, (Ok(1), Source::Called));
        assert_eq!(cache.get("a", Result::is_ok, || call(2)).await, (Ok(1), Source::Shared));
        assert_eq!(cache.get("b", Result::is_ok, || call(3)).await, (Ok(3), Source::Called), "another intent, another call");
        tokio::time::advance(Duration::from_millis(60)).await;
        assert_eq!(cache.get("a", Result::is_ok, || call(4)).await, (Ok(4), Source::Called), "stale after the window");
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let failing = || async { Err::<u32, String>("upstream down".into()) };
        assert_eq!(cache.get("c", Result::is_ok, failing).await.1, Source::Called);
        assert_eq!(cache.get("c", Result::is_ok, failing).await.1, Source::Called, "an error is not served again");
        tokio::time::advance(Duration::from_millis(60)).await;
        cache.forget_stale();
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn a_zero_window_still_shares_calls_in_flight_but_reuses_nothing() {
        let cache = Coalescer::<Result<u32, String>>::new(Duration::ZERO);
        let calls = AtomicUsize::new(0);
        for expected in 1..=3 {
            let answer = cache
                .get("a", Result::is_ok, || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    async move { Ok(expected) }
                })
                .await;
            assert_eq!(answer, (Ok(expected), Source::Called));
        }
    }
}
