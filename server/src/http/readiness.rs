//! Whether this replica should get traffic: its database answers, 0Pools answered
//! recently, and it is not shutting down. 0Pools is probed at most once per
//! interval, however often a load balancer asks.

use crate::zeropools::UpstreamClient;
use std::time::Duration;
use tokio::sync::{watch, Mutex};
use tokio::time::Instant;

/// The process-wide "we are stopping" signal: readiness fails at once and live
/// streams end, so clients reconnect to another replica while in-flight requests
/// (accepts included) finish.
#[derive(Clone)]
pub struct Stopping {
    sender: watch::Sender<bool>,
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping { sender: watch::channel(false).0 }
    }
}

impl Stopping {
    pub fn begin(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_set(&self) -> bool {
        *self.sender.borrow()
    }

    /// Completes once stopping began (at once if it already has).
    pub async fn wait(&self) {
        let mut receiver = self.sender.subscribe();
        let _ = receiver.wait_for(|stopping| *stopping).await;
    }
}

/// The last answer of the 0Pools probe, reused within `interval`.
pub struct UpstreamProbe {
    interval: Duration,
    last: Mutex<Option<(Instant, Result<(), String>)>>,
}

impl UpstreamProbe {
    pub fn new(interval: Duration) -> Self {
        UpstreamProbe { interval, last: Mutex::new(None) }
    }

    /// Whether 0Pools answered pool discovery (the cheapest authenticated read),
    /// probing again only when the last answer is older than the interval.
    pub async fn check(&self, upstream: &UpstreamClient) -> Result<(), String> {
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = last.as_ref() {
            if at.elapsed() < self.interval {
                return answer.clone();
            }
        }
        let answer = upstream.list_pools().await.map(|_| ()).map_err(|e| format!("{:?}", e.kind));
        *last = Some((Instant::now(), answer.clone()));
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stopping_is_seen_by_waiters_before_and_after_it_began() {
        let stopping = Stopping::default();
        assert!(!stopping.is_set());
        let waiter = tokio::spawn({
            let s = stopping.clone();
            async move { s.wait().await }
        });
        stopping.begin();
        waiter.await.unwrap();
        assert!(stopping.is_set());
        stopping.wait().await; // already stopping: returns at once
    }
}
