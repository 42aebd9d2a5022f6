//! The one map from what the person sees to the copy that says it. The panels, the
//! live region and the gallery all ask here, so a state never has two wordings and a
//! designer can read every state's copy key in one place.

use crate::copy::Copy;
use crate::flow::{Display, Problem};
use crate::vocab::UnavailableReason;

/// How a status line reads at a glance (the widget maps it to colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something is under way (a spinner, no icon).
    Working,
    Neutral,
    Warning,
    Good,
    Bad,
}

/// A status line: its copy, its icon and its tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusLine {
    pub key: Copy,
    /// Decorative (hidden from assistive technology); empty only while working (a spinner shows).
    pub icon: &'static str,
    pub tone: Tone,
}

const fn line(key: Copy, icon: &'static str, tone: Tone) -> Option<StatusLine> {
    Some(StatusLine { key, icon, tone })
}

/// The status line of a display; the form, unavailable and problem states have
/// headings of their own instead.
pub fn status_line(display: Display) -> Option<StatusLine> {
    match display {
        Display::Locking => line(Copy::Locking, "", Tone::Working),
        Display::Active => line(Copy::FirmActive, "●", Tone::Neutral),
        Display::ExpiringSoon => line(Copy::FirmExpiringSoon, "⚠", Tone::Warning),
        Display::Expired => line(Copy::FirmExpired, "✕", Tone::Bad),
        Display::Accepting => line(Copy::Accepting, "…", Tone::Working),
        Display::Pending => line(Copy::TradePending, "", Tone::Working),
        Display::Settled => line(Copy::TradeSettled, "✓", Tone::Good),
        Display::Failed => line(Copy::TradeFailed, "✕", Tone::Bad),
        Display::Form | Display::Unavailable | Display::Problem => None,
    }
}

/// What the live region says when the display becomes this one: only the moments a
/// person must hear (time running out, the trade's news), never every change.
pub fn announcement(display: Display) -> Option<Copy> {
    match display {
        Display::ExpiringSoon | Display::Expired | Display::Pending | Display::Settled | Display::Failed => {
            status_line(display).map(|l| l.key)
        }
        _ => None,
    }
}

/// The heading of an unavailable answer; an unknown reason gets generic copy, never internals.
pub fn unavailable(reason: &UnavailableReason) -> Copy {
    match reason {
        UnavailableReason::PoolDry => Copy::UnavailablePoolDry,
        UnavailableReason::RateUnavailable => Copy::UnavailableRate,
        UnavailableReason::NetworkUnavailable => Copy::UnavailableNetwork,
        UnavailableReason::Maintenance => Copy::UnavailableMaintenance,
        UnavailableReason::Busy => Copy::UnavailableBusy,
        UnavailableReason::Headroom => Copy::UnavailableHeadroom,
        UnavailableReason::Other(_) => Copy::UnavailableGeneric,
    }
}

/// The message of a problem (`ErrorAcceptFailed` is filled with the support id).
pub fn problem(problem: &Problem) -> Copy {
    match problem {
        Problem::Network => Copy::ErrorNetwork,
        Problem::QuoteGone => Copy::ErrorQuoteGone,
        Problem::Server { .. } => Copy::ErrorServer,
        Problem::AcceptFailed { .. } => Copy::ErrorAcceptFailed,
        Problem::StillConfirming => Copy::ErrorStillConfirming,
        Problem::CheckoutExpired => Copy::ErrorCheckoutExpired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::ErrorCode;

    const ALL_DISPLAYS: [Display; 11] = [
        Display::Form,
        Display::Locking,
        Display::Active,
        Display::ExpiringSoon,
        Display::Expired,
        Display::Accepting,
        Display::Pending,
        Display::Settled,
        Display::Failed,
        Display::Unavailable,
        Display::Problem,
    ];

    #[test]
    fn an_unavailable_pool_reads_as_the_unavailable_copy() {
        let mut stage = crate::flow::Stage::Form;
        assert!(stage.lock());
        stage.pool_unavailable(0, None);
        let crate::flow::Stage::Unavailable(u) = &stage else { panic!("{stage:?}") };
        assert_eq!(unavailable(&u.reason), Copy::UnavailableGeneric);
    }

    #[test]
    fn every_quote_and_trade_display_has_its_own_status_copy() {
        let keys: Vec<Copy> = ALL_DISPLAYS.iter().filter_map(|d| status_line(*d)).map(|l| l.key).collect();
        assert_eq!(keys.len(), 8);
        let mut unique = keys.clone();
        unique.dedup();
        assert_eq!(unique, keys, "two displays share a wording");
    }

    #[test]
    fn only_working_lines_go_without_an_icon() {
        for line in ALL_DISPLAYS.iter().filter_map(|d| status_line(*d)) {
            assert!(!line.icon.is_empty() || line.tone == Tone::Working, "{line:?}");
        }
    }

    #[test]
    fn the_live_region_speaks_only_of_expiry_and_the_trade() {
        let spoken: Vec<Display> = ALL_DISPLAYS.into_iter().filter(|d| announcement(*d).is_some()).collect();
        assert_eq!(spoken, [Display::ExpiringSoon, Display::Expired, Display::Pending, Display::Settled, Display::Failed]);
        assert_eq!(announcement(Display::Settled), Some(Copy::TradeSettled));
    }

    #[test]
    fn unknown_reasons_and_codes_get_generic_copy() {
        assert_eq!(unavailable(&UnavailableReason::parse("solar_flare")), Copy::UnavailableGeneric);
        assert_eq!(unavailable(&UnavailableReason::Busy), Copy::UnavailableBusy);
        assert_eq!(problem(&Problem::from_code(&ErrorCode::parse("brand_new"), None)), Copy::ErrorServer);
        assert_eq!(problem(&Problem::from_code(&ErrorCode::AcceptFailed, Some("pq_1"))), Copy::ErrorAcceptFailed);
    }
}
