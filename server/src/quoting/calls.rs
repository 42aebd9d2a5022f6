//! One upstream quote call within the server's shared budget of them, shared fairly,
//! and how a preview's call is asked and keyed so identical previews can share it
//! ([`super::previews::Coalescer`]).
//!
//! Fair shares: one checkout, or one client address, may use at most a quarter (a
//! half) of the budget each second, so one client cannot spend it alone; and half of
//! the budget is kept for *quiet* askers — a checkout and an address that made only a
//! few calls lately, as a person typing does — so a flood from many checkouts of one
//! client, which makes that client loud, cannot use it up: a quiet checkout still gets
//! its quotes. (A flood spread over many addresses takes the reserved half only until
//! each of its checkouts is loud, after five calls.)

use crate::zeropools::types::{QuoteOutcome, QuoteRequest};
use crate::zeropools::{Upstream, UpstreamClient, UpstreamError};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

/// What one upstream quote call gave, as the coalescer shares it. (Not boxed: one
/// lives per preview in flight, shared by reference, and the common case is the big one.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum QuoteCall {
    Answered(Upstream<QuoteOutcome>),
    /// The server's own upstream budget was spent: no call was made.
    Busy {
        retry_after_ms: u64,
    },
    Failed(UpstreamError),
}

impl QuoteCall {
    /// Only 0Pools' answers (available or not) are served again within the window.
    pub(crate) fn reusable(&self) -> bool {
        matches!(self, QuoteCall::Answered(_))
    }
}

/// Who asks for a call: the checkout and the client address (its limits key).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Asker<'a> {
    pub(crate) checkout_id: &'a str,
    pub(crate) client: &'a str,
}

/// One call per `period`, after a burst of `burst`.
fn every(period: std::time::Duration, burst: u32) -> Quota {
    Quota::with_period(period).unwrap_or(quota(1)).allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

fn quota(per_second: u32) -> Quota {
    let n = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(n).allow_burst(n)
}

/// The budget's buckets (see the module's note).
struct Budget {
    /// Half the budget, for any call.
    shared: DefaultDirectRateLimiter,
    /// The other half, for quiet checkouts only.
    reserved: DefaultDirectRateLimiter,
    /// A checkout's and an address's most per second.
    per_checkout: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<String>,
    /// A checkout is quiet while this bucket (5 calls, one more every 2 s) has room,
    /// an address while its own (10 calls, one more a second) has.
    quiet_checkout: DefaultKeyedRateLimiter<String>,
    quiet_client: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

/// Upstream quote calls within the whole server's budget of them per second.
#[derive(Clone)]
pub(crate) struct Calls {
    upstream: UpstreamClient,
    budget: Arc<Budget>,
}

impl Calls {
    pub(crate) fn new(upstream: UpstreamClient, per_second: u32) -> Self {
        let per_second = per_second.max(1);
        let reserved = per_second / 2;
        let budget = Budget {
            shared: RateLimiter::direct(quota(per_second - reserved)),
            reserved: RateLimiter::direct(quota(reserved)),
            per_checkout: RateLimiter::keyed(quota(per_second.div_ceil(4))),
            per_client: RateLimiter::keyed(quota(per_second.div_ceil(2))),
            quiet_checkout: RateLimiter::keyed(every(std::time::Duration::from_secs(2), 5)),
            quiet_client: RateLimiter::keyed(every(std::time::Duration::from_secs(1), 10)),
            clock: DefaultClock::default(),
        };
        Calls { upstream, budget: Arc::new(budget) }
    }

    /// Whether `asker` may make one call now; when not, how long to wait.
    fn admit(&self, asker: Asker<'_>) -> Result<(), u64> {
        let b = &self.budget;
        let wait = |not_until: governor::NotUntil<_>| not_until.wait_time_from(b.clock.now()).as_millis() as u64;
        b.per_checkout.check_key(&asker.checkout_id.to_owned()).map_err(wait)?;
        b.per_client.check_key(&asker.client.to_owned()).map_err(wait)?;
        // Both buckets are drawn from, so a loud client stays loud whichever checkout it uses.
        let quiet_checkout = b.quiet_checkout.check_key(&asker.checkout_id.to_owned()).is_ok();
        let quiet = b.quiet_client.check_key(&asker.client.to_owned()).is_ok() && quiet_checkout;
        if quiet && b.reserved.check().is_ok() {
            return Ok(());
        }
        b.shared.check().map_err(wait)
    }

    /// One upstream quote call from the shared budget: beyond it, a fail-soft `busy`
    /// the widget backs off from, before 0Pools' own quota is spent.
    pub(crate) async fn call(&self, request: &QuoteRequest, asker: Asker<'_>) -> QuoteCall {
        if let Err(wait_ms) = self.admit(asker) {
            return QuoteCall::Busy { retry_after_ms: wait_ms.max(1_000) };
        }
        match self.upstream.create_quote(request).await {
            Ok(answer) => QuoteCall::Answered(answer),
            Err(e) => QuoteCall::Failed(e),
        }
    }

    /// Drops keys whose buckets are full again (the sweep calls this).
    pub(crate) fn forget_idle(&self) {
        for limiter in [&self.budget.per_checkout, &self.budget.per_client, &self.budget.quiet_checkout, &self.budget.quiet_client] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// What an indicative call sends: the price question only. The destination and
/// the partner's reference belong to the firm quote, so previews of different users
/// with the same question are the same call (and no one's address is in another's).
pub(crate) fn preview_request(request: &QuoteRequest) -> QuoteRequest {
    QuoteRequest { destination_address: None, partner_reference: None, ..request.clone() }
}

/// The coalescing key of a preview request: equal amounts written differently
/// (`100`, `100.00`) are the same question.
pub(crate) fn key(request: &QuoteRequest) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        request.pool_id,
        request.side.as_str(),
        request.amount.normalize(),
        request.currency,
        request.network.as_deref().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn calls(per_second: u32) -> Calls {
        Calls::new(
            UpstreamClient::new(crate::zeropools::ClientConfig::new("http://127.0.0.1:9", SecretString::from("sk_test_unit_0123456789"))),
            per_second,
        )
    }

    #[test]
    fn one_checkout_or_address_cannot_spend_the_whole_budget() {
        let c = calls(40);
        let admitted = (0..40).filter(|_| c.admit(Asker { checkout_id: "chk_loud", client: "10.0.0.1" }).is_ok()).count();
        assert_eq!(admitted, 10, "a quarter for one checkout");
        let from_one_address = (0..40).filter(|i| c.admit(Asker { checkout_id: &format!("chk_{i}"), client: "10.0.0.2" }).is_ok()).count();
        assert_eq!(from_one_address, 20, "a half for one address");
    }

    #[test]
    fn a_flood_from_thirty_checkouts_of_one_client_leaves_a_quiet_checkout_its_calls() {
        let c = calls(40);
        let mut flooded = 0;
        for _ in 0..10 {
            for i in 0..30 {
                flooded += usize::from(c.admit(Asker { checkout_id: &format!("chk_flood_{i}"), client: "10.1.0.1" }).is_ok());
            }
        }
        assert_eq!(flooded, 20, "the flood got the client's half");
        let quiet = (0..5).filter(|_| c.admit(Asker { checkout_id: "chk_quiet", client: "10.2.0.1" }).is_ok()).count();
        assert_eq!(quiet, 5, "the quiet checkout got every call it asked for");
    }
}
