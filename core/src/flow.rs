//! The quote flow as a state machine: form → locking → quoted (active, expiring
//! soon, expired) → accepting → pending → settled / failed / released, with
//! unavailable and error side-states. Pure: time comes in as arguments.

use crate::copy::Copy;
use crate::countdown;
use crate::wire::{ErrorCode, PoolView, QuoteTerms, QuoteView, TradeStatus, TradeView, UnavailableReason};
use rust_decimal::Decimal;

/// The last stretch of a quote's life, when the widget says it is expiring soon.
pub const EXPIRING_SOON_MS: i64 = 5_000;
/// Seconds-left marks at which the live region speaks (not every second).
pub const ANNOUNCE_AT_SECONDS: [u64; 3] = [30, 10, 5];
/// The first pause before asking again when the pool itself is unavailable
/// (`pool_unavailable`: discovery says so, which no quick retry changes).
pub const POOL_UNAVAILABLE_RETRY_MS: u64 = 30_000;
/// Pools read longer ago than this are read again when the page is looked at again.
pub const POOLS_STALE_AFTER_MS: i64 = 30_000;

/// Whether pools read at `read_ms` are stale at `now_ms`.
pub fn pools_stale(read_ms: i64, now_ms: i64) -> bool {
    now_ms - read_ms >= POOLS_STALE_AFTER_MS
}

/// Another pool to offer when the one on the form cannot quote: an available one,
/// and never when the pool is locked (the partner's checkout, or the host, chose it:
/// moving the form off it would only end in a refusal).
pub fn alternate_pool(pools: &[PoolView], current: &str, pool_locked: bool) -> Option<PoolView> {
    if pool_locked {
        return None;
    }
    pools.iter().find(|p| p.available && p.pool_id != current).cloned()
}

/// A firm quote as the widget holds it (and keeps across a reload while accepting).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FirmQuote {
    pub quote_id: String,
    pub terms: QuoteTerms,
    pub expires_at_ms: i64,
    /// `server clock − device clock`, measured on the answer that brought the quote.
    pub offset_ms: i64,
    /// The terms of the quote this one replaced, to show what changed.
    pub replaced: Option<QuoteTerms>,
}

impl FirmQuote {
    /// From a firm answer, sent and received at the given device times.
    pub fn from_answer(view: &QuoteView, sent_ms: i64, received_ms: i64, replaced: Option<QuoteTerms>) -> Option<FirmQuote> {
        let terms = view.terms.clone()?;
        let expires_at_ms = crate::time::parse_rfc3339_ms(terms.expires_at.as_deref()?)?;
        let server_ms = crate::time::parse_rfc3339_ms(&view.server_time)?;
        Some(FirmQuote {
            quote_id: view.quote_id.clone()?,
            terms,
            expires_at_ms,
            offset_ms: countdown::clock_offset_ms(server_ms, sent_ms, received_ms),
            replaced,
        })
    }

    pub fn seconds_left(&self, now_ms: i64) -> u64 {
        countdown::seconds_left(self.expires_at_ms, now_ms, self.offset_ms)
    }
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        countdown::remaining_ms(self.expires_at_ms, now_ms, self.offset_ms)
    }
    /// Active, expiring soon or expired, by the corrected clock.
    pub fn display(&self, now_ms: i64) -> Display {
        let remaining = self.remaining_ms(now_ms);
        if remaining <= 0 {
            Display::Expired
        } else if remaining <= EXPIRING_SOON_MS {
            Display::ExpiringSoon
        } else {
            Display::Active
        }
    }
    pub fn can_accept(&self, now_ms: i64) -> bool {
        self.terms.executable && countdown::can_accept(self.expires_at_ms, now_ms, self.offset_ms)
    }
}

/// Why the flow stopped short of a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No answer from the server.
    Network,
    /// The server answered with an error that has no better state.
    Server { code: ErrorCode },
    /// The quote can no longer be accepted (rejected, used, not found).
    QuoteGone,
    /// The accept ended for good without a conversion; support needs this id.
    AcceptFailed { support_id: String },
    /// An earlier accept of this checkout is still being confirmed: no new quote yet.
    StillConfirming,
    /// The checkout the partner minted is over.
    CheckoutExpired,
}

impl Problem {
    /// The problem a refused request stands for, by the server's error code.
    pub fn from_code(code: &ErrorCode, support_id: Option<&str>) -> Problem {
        match code {
            ErrorCode::Network => Problem::Network,
            ErrorCode::AcceptFailed => Problem::AcceptFailed { support_id: support_id.unwrap_or_default().to_owned() },
            ErrorCode::AcceptInProgress => Problem::StillConfirming,
            ErrorCode::CheckoutExpired => Problem::CheckoutExpired,
            ErrorCode::QuoteRejected | ErrorCode::QuoteNotExecutable | ErrorCode::QuoteNotFound => Problem::QuoteGone,
            other => Problem::Server { code: other.clone() },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub reason: crate::vocab::UnavailableReason,
    pub retry_after_ms: u64,
    /// How many retries have been made for this intent.
    pub attempt: u32,
    /// Device time the answer arrived.
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Form,
    Locking { replacing: Option<QuoteTerms> },
    Quoted(FirmQuote),
    Accepting(FirmQuote),
    Pending(TradeView),
    Finished(TradeView),
    Unavailable(Unavailable),
    Problem(Problem),
}

/// What the person sees, derived from the stage and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    Form,
    Locking,
    Active,
    ExpiringSoon,
    Expired,
    Accepting,
    Pending,
    Settled,
    Failed,
    Unavailable,
    Problem,
}

impl Display {
    /// A trade's display by its status: pending until it is terminal.
    pub fn of_trade(status: TradeStatus) -> Display {
        match status {
            TradeStatus::Reserved => Display::Pending,
            TradeStatus::Settled => Display::Settled,
            TradeStatus::Failed | TradeStatus::Released => Display::Failed,
        }
    }
    /// The name panels carry as `data-state` (stable for tests and host CSS).
    pub fn name(self) -> &'static str {
        match self {
            Display::Form => "form",
            Display::Locking => "locking",
            Display::Active => "active",
            Display::ExpiringSoon => "expiring-soon",
            Display::Expired => "expired",
            Display::Accepting => "accepting",
            Display::Pending => "pending",
            Display::Settled => "settled",
            Display::Failed => "failed",
            Display::Unavailable => "unavailable",
            Display::Problem => "problem",
        }
    }
}

impl Stage {
    pub fn display(&self, now_ms: i64) -> Display {
        match self {
            Stage::Form => Display::Form,
            Stage::Locking { .. } => Display::Locking,
            Stage::Quoted(q) => q.display(now_ms),
            Stage::Accepting(_) => Display::Accepting,
            Stage::Pending(t) | Stage::Finished(t) => Display::of_trade(t.status),
            Stage::Unavailable(_) => Display::Unavailable,
            Stage::Problem(_) => Display::Problem,
        }
    }

    /// Accept is offered only for a quoted, unexpired, executable quote.
    pub fn accept_enabled(&self, now_ms: i64) -> bool {
        matches!(self, Stage::Quoted(q) if q.can_accept(now_ms))
    }

    /// The user asks to lock a firm quote (from the form, or to refresh one).
    pub fn lock(&mut self) -> bool {
        let replacing = match self {
            Stage::Quoted(q) => Some(q.terms.clone()),
            Stage::Form | Stage::Unavailable(_) | Stage::Problem(_) => None,
            _ => return false,
        };
        *self = Stage::Locking { replacing };
        true
    }

    /// The firm answer arrived.
    pub fn locked(&mut self, view: &QuoteView, sent_ms: i64, received_ms: i64) {
        let Stage::Locking { replacing } = self else { return };
        let replacing = replacing.take();
        *self = if view.available {
            match FirmQuote::from_answer(view, sent_ms, received_ms, replacing) {
                Some(q) => Stage::Quoted(q),
                None => Stage::Problem(Problem::Server { code: ErrorCode::Unexpected }),
            }
        } else {
            Stage::Unavailable(Unavailable {
                reason: view.unavailable_reason.clone().unwrap_or_default(),
                retry_after_ms: view.retry_after_ms.unwrap_or(10_000),
                attempt: 0,
                at_ms: received_ms,
            })
        };
    }

    /// The server refused the intent because the pool is unavailable: the same product
    /// state as an unavailable answer (its copy, a retry that backs off), with a
    /// longer first pause; `previous_attempt` when this was a retry.
    pub fn pool_unavailable(&mut self, received_ms: i64, previous_attempt: Option<u32>) {
        if !matches!(self, Stage::Locking { .. }) {
            return;
        }
        *self = Stage::Unavailable(Unavailable {
            reason: UnavailableReason::Other(ErrorCode::PoolUnavailable.as_str().to_owned()),
            retry_after_ms: POOL_UNAVAILABLE_RETRY_MS,
            attempt: previous_attempt.map_or(0, |a| a + 1),
            at_ms: received_ms,
        });
    }

    /// An unavailable answer again, after a retry: the backoff grows.
    pub fn still_unavailable(&mut self, previous_attempt: u32) {
        if let Stage::Unavailable(u) = self {
            u.attempt = previous_attempt + 1;
        }
    }

    /// The user clicks Accept. True only the first time, and only before expiry:
    /// however often it is clicked, one request is sent.
    pub fn accept(&mut self, now_ms: i64) -> Option<String> {
        match self {
            Stage::Quoted(q) if q.can_accept(now_ms) => {
                let id = q.quote_id.clone();
                *self = Stage::Accepting(q.clone());
                Some(id)
            }
            _ => None,
        }
    }

    /// The accept answered with a trade, or a status update came: only forward.
    /// The trade on screen, if any.
    pub fn trade_id(&self) -> Option<&str> {
        match self {
            Stage::Pending(t) | Stage::Finished(t) => Some(&t.trade_id),
            _ => None,
        }
    }

    pub fn trade(&mut self, trade: TradeView) {
        let forward = match self {
            Stage::Accepting(_) | Stage::Form | Stage::Locking { .. } | Stage::Problem(_) => true,
            Stage::Pending(current) => current.trade_id == trade.trade_id,
            _ => false,
        };
        if forward {
            *self = if trade.is_terminal() { Stage::Finished(trade) } else { Stage::Pending(trade) };
        }
    }

    /// The checkout converted in another tab of this browser: its trade replaces
    /// whatever this tab showed (a form, a live quote, an unavailable answer), since a
    /// checkout converts once and nothing here may be accepted any more. News of the
    /// trade this tab already follows moves only forward, as [`Stage::trade`] does.
    pub fn converted_elsewhere(&mut self, trade: TradeView) {
        match self {
            Stage::Pending(current) | Stage::Finished(current) if current.trade_id == trade.trade_id => {
                if matches!(self, Stage::Pending(_)) {
                    self.trade(trade);
                }
            }
            _ => *self = if trade.is_terminal() { Stage::Finished(trade) } else { Stage::Pending(trade) },
        }
    }

    /// Whether an accept's failure is a definite answer. Anything else (no answer,
    /// a timeout, "not confirmed yet") leaves the outcome unknown: the same quote is
    /// accepted again, never a new one, because the first may have executed.
    pub fn is_definite_refusal(code: &ErrorCode) -> bool {
        use ErrorCode::*;
        matches!(code, QuoteExpired | QuoteRejected | QuoteNotExecutable | QuoteNotFound | AcceptFailed | CheckoutExpired)
    }

    /// The accept was refused. An unknown outcome keeps the stage at Accepting.
    /// (`support_id` comes with `accept_failed`.)
    pub fn accept_refused(&mut self, code: &ErrorCode, support_id: Option<&str>) {
        let Stage::Accepting(q) = self else { return };
        if !Self::is_definite_refusal(code) {
            return;
        }
        *self = match code {
            // The server's clock says it expired: show it expired, offer a refresh.
            ErrorCode::QuoteExpired => {
                let mut expired = q.clone();
                expired.expires_at_ms = i64::MIN / 2;
                Stage::Quoted(expired)
            }
            other => Stage::Problem(Problem::from_code(other, support_id)),
        };
    }

    pub fn failed(&mut self, problem: Problem) {
        *self = Stage::Problem(problem);
    }

    /// Back to the form, keeping what the user typed (it lives outside the stage).
    pub fn back_to_form(&mut self) {
        if !matches!(self, Stage::Accepting(_) | Stage::Pending(_)) {
            *self = Stage::Form;
        }
    }
}

/// The seconds-left mark crossed between two ticks of the same quote, if any, for
/// the live region. A quote that just appeared (`previous` is `None`) crossed
/// nothing: its arrival is announced by itself. When ticks skip several marks (a tab
/// that was hidden), only the lowest is spoken: it is the one still true.
pub fn crossed_mark(previous: Option<u64>, seconds: u64) -> Option<u64> {
    let previous = previous?;
    ANNOUNCE_AT_SECONDS.into_iter().filter(|&mark| previous > mark && seconds <= mark).min()
}

/// One term that differs between a replaced quote and its replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermChange {
    /// The term's label in the copy deck.
    pub label: Copy,
    pub before: Decimal,
    pub after: Decimal,
}

/// What differs between a replaced quote and its replacement, in the order the quote
/// shows its terms. Values are compared, not their text: `1.0` and `1.00` are the same.
pub fn changes(old: &QuoteTerms, new: &QuoteTerms) -> Vec<TermChange> {
    [
        (Copy::YouReceive, old.target_amount, new.target_amount),
        (Copy::YouPay, old.source_amount, new.source_amount),
        (Copy::Rate, old.rate, new.rate),
        (Copy::Spread, old.spread_bps, new.spread_bps),
        (Copy::Fee, old.fee_bps, new.fee_bps),
    ]
    .into_iter()
    .filter(|(_, before, after)| before != after)
    .map(|(label, before, after)| TermChange { label, before, after })
    .collect()
}

#[cfg(test)]
mod tests;
