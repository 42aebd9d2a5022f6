//! Per-session token buckets for quote creation: a burst, then a steady rate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    burst: u32,
    /// Time to earn back one token.
    refill: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    /// Tokens, in thousandths, so refills need no floating point.
    milli_tokens: u64,
    last: Instant,
}

/// Buckets untouched this long are forgotten (they would be full anyway).
const IDLE_FORGET: Duration = Duration::from_secs(600);

impl RateLimiter {
    /// `per_minute` steady requests, with bursts of up to `burst`.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        RateLimiter {
            burst: burst.max(1),
            refill: Duration::from_millis(60_000 / u64::from(per_minute.max(1))),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let full = u64::from(self.burst) * 1000;
        let refill_ms = self.refill.as_millis().max(1) as u64;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| now.duration_since(b.last) < IDLE_FORGET);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { milli_tokens: full, last: now });
        let earned = now.duration_since(bucket.last).as_millis() as u64 * 1000 / refill_ms;
        if earned > 0 {
            bucket.milli_tokens = (bucket.milli_tokens + earned).min(full);
            bucket.last = now;
        }
        if bucket.milli_tokens >= 1000 {
            bucket.milli_tokens -= 1000;
            Ok(())
        } else {
            let missing = 1000 - bucket.milli_tokens;
            Err(Duration::from_millis((missing * refill_ms).div_ceil(1000)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_per_key() {
        let limiter = RateLimiter::new(60, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", t0).is_ok());
        }
        let wait = limiter.check_at("a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(limiter.check_at("b", t0).is_ok(), "keys are independent");
        assert!(limiter.check_at("a", t0 + Duration::from_millis(999)).is_err());
        assert!(limiter.check_at("a", t0 + Duration::from_millis(1000)).is_ok());
    }
}
