//! Decisions of the live indicative preview: which answer is still wanted, when to
//! refresh, and how long to wait before retrying an unavailable quote.

/// Hands out increasing request numbers; only the latest one's answer is shown, so
/// an older answer never overwrites a newer one.
#[derive(Debug, Default, Clone)]
pub struct Sequencer {
    latest: u64,
}

impl Sequencer {
    pub fn issue(&mut self) -> u64 {
        self.latest += 1;
        self.latest
    }
    pub fn is_current(&self, ticket: u64) -> bool {
        ticket == self.latest
    }
    /// Makes every ticket issued so far stale (the inputs changed or the form left).
    pub fn invalidate(&mut self) {
        self.latest += 1;
    }
}

/// Wait after the last keystroke before asking for a preview.
pub const DEBOUNCE_MS: u32 = 300;
/// How often an idle, visible preview refreshes.
pub const REFRESH_MS: u32 = 10_000;

/// Whether an idle preview is due for a refresh.
pub fn refresh_due(now_ms: i64, last_answer_ms: Option<i64>, page_visible: bool) -> bool {
    page_visible && last_answer_ms.is_none_or(|at| now_ms - at >= i64::from(REFRESH_MS))
}

/// Delay before retry number `attempt` (0 = first) after an unavailable answer: the
/// server's hint, doubled per attempt, capped at five minutes. Never zero.
pub fn retry_backoff_ms(server_hint_ms: u64, attempt: u32) -> u64 {
    const CAP: u64 = 300_000;
    let base = server_hint_ms.max(1_000);
    base.saturating_mul(1u64 << attempt.min(16)).min(CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_answer_counts() {
        let mut s = Sequencer::default();
        let first = s.issue();
        let second = s.issue();
        assert!(!s.is_current(first));
        assert!(s.is_current(second));
        s.invalidate();
        assert!(!s.is_current(second));
    }

    #[test]
    fn refresh_only_when_visible_and_stale() {
        assert!(refresh_due(0, None, true));
        assert!(!refresh_due(0, None, false));
        assert!(!refresh_due(9_999, Some(0), true));
        assert!(refresh_due(10_000, Some(0), true));
        assert!(!refresh_due(60_000, Some(0), false));
    }

    #[test]
    fn backoff_grows_and_is_capped_never_a_tight_loop() {
        assert_eq!(retry_backoff_ms(5_000, 0), 5_000);
        assert_eq!(retry_backoff_ms(5_000, 1), 10_000);
        assert_eq!(retry_backoff_ms(5_000, 2), 20_000);
        assert_eq!(retry_backoff_ms(0, 0), 1_000);
        assert_eq!(retry_backoff_ms(60_000, 10), 300_000);
        assert_eq!(retry_backoff_ms(60_000, 99), 300_000);
    }
}
