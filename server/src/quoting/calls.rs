//! One upstream quote call within the server's shared budget of them, and how a
//! preview's call is asked and keyed so identical previews can share it
//! ([`super::previews::Coalescer`]).

use crate::zeropools::types::{QuoteOutcome, QuoteRequest};
use crate::zeropools::{Upstream, UpstreamClient, UpstreamError};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
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

/// Upstream quote calls within the whole server's budget of them per second.
#[derive(Clone)]
pub(crate) struct Calls {
    upstream: UpstreamClient,
    budget: Arc<DefaultDirectRateLimiter>,
    clock: DefaultClock,
}

impl Calls {
    pub(crate) fn new(upstream: UpstreamClient, per_second: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let budget = RateLimiter::direct(Quota::per_second(per_second).allow_burst(per_second));
        Calls { upstream, budget: Arc::new(budget), clock: DefaultClock::default() }
    }

    /// One upstream quote call from the shared budget: beyond it, a fail-soft `busy`
    /// the widget backs off from, before 0Pools' own quota is spent.
    pub(crate) async fn call(&self, request: &QuoteRequest) -> QuoteCall {
        if let Err(not_until) = self.budget.check() {
            let wait = not_until.wait_time_from(self.clock.now()).as_millis() as u64;
            return QuoteCall::Busy { retry_after_ms: wait.max(1_000) };
        }
        match self.upstream.create_quote(request).await {
            Ok(answer) => QuoteCall::Answered(answer),
            Err(e) => QuoteCall::Failed(e),
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
