//! Accepting until the answer is definite. With no answer (or "not confirmed yet")
//! the same quote is accepted again, with backoff, past its expiry if need be: the
//! server executes a quote at most once, and offering a new quote while the first
//! may have executed could make a second conversion.

use crate::vocab::ErrorCode;

/// First wait before accepting again after an unknown outcome.
pub const ACCEPT_RETRY_FIRST_MS: u32 = 1_000;
/// The longest wait between two accepts of the same quote.
pub const ACCEPT_RETRY_MAX_MS: u32 = 15_000;

/// The waits between accepts of one quote: doubling from the first to the max.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptBackoff {
    next_ms: u32,
}

impl Default for AcceptBackoff {
    fn default() -> Self {
        AcceptBackoff { next_ms: ACCEPT_RETRY_FIRST_MS }
    }
}

impl AcceptBackoff {
    /// The wait before the next accept, and the one after it grows.
    pub fn next_wait_ms(&mut self) -> u32 {
        let wait = self.next_ms;
        self.next_ms = self.next_ms.saturating_mul(2).min(ACCEPT_RETRY_MAX_MS);
        wait
    }
}

/// What to do with an accept's refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptVerdict {
    /// The quote will never execute: show why, stop accepting.
    Refused,
    /// The outcome is unknown (no answer, not confirmed yet, busy): accept again later.
    AskAgain,
}

/// Refusals that settle the question for good; everything else may still have executed.
pub fn verdict(code: &ErrorCode) -> AcceptVerdict {
    if crate::flow::Stage::is_definite_refusal(code) {
        AcceptVerdict::Refused
    } else {
        AcceptVerdict::AskAgain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_one_second_up_to_fifteen() {
        let mut backoff = AcceptBackoff::default();
        let waits: Vec<u32> = (0..7).map(|_| backoff.next_wait_ms()).collect();
        assert_eq!(waits, [1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    }

    #[test]
    fn only_definite_refusals_stop_the_accept() {
        for code in [ErrorCode::QuoteExpired, ErrorCode::QuoteRejected, ErrorCode::AcceptFailed, ErrorCode::CheckoutExpired] {
            assert_eq!(verdict(&code), AcceptVerdict::Refused, "{code}");
        }
        for code in [
            ErrorCode::Network,
            ErrorCode::AcceptPending,
            ErrorCode::UpstreamUnavailable,
            ErrorCode::RateLimited,
            ErrorCode::parse("new_code"),
        ] {
            assert_eq!(verdict(&code), AcceptVerdict::AskAgain, "{code}");
        }
    }
}
