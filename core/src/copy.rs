//! The copy deck: every user-facing string of the widget, keyed by state, in one
//! place. Defaults are the approved copy of 0Pools' reference pages ("Product copy
//! examples"); product teams override any key by name.

use std::collections::HashMap;

macro_rules! deck {
    ($( $variant:ident => $key:literal : $text:literal ),* $(,)?) => {
        /// A copy key. Its `name()` is the stable string product teams override.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Copy { $( $variant ),* }

        impl Copy {
            pub const ALL: &'static [Copy] = &[$( Copy::$variant ),*];
            pub fn name(self) -> &'static str {
                match self { $( Copy::$variant => $key ),* }
            }
            /// The approved English text.
            pub fn default_text(self) -> &'static str {
                match self { $( Copy::$variant => $text ),* }
            }
            pub fn from_name(name: &str) -> Option<Copy> {
                match name { $( $key => Some(Copy::$variant), )* _ => None }
            }
        }
    };
}

deck! {
    Title => "title": "Convert",
    LoadingPools => "loading_pools": "Loading available conversions…",
    PoolsError => "pools_error": "We could not load the available conversions. Check your connection and try again.",
    LabelPool => "label_pool": "Conversion",
    LabelSide => "label_side": "Direction",
    SideBuy => "side_buy": "Buy {target} with {source}",
    SideSell => "side_sell": "Sell {target} for {source}",
    LabelAmount => "label_amount": "You pay ({currency})",
    LimitsHint => "limits_hint": "Orders from {min} to {max} USDT",
    LimitsHintNoMax => "limits_hint_no_max": "Orders from {min} USDT",
    LabelNetwork => "label_network": "Network",
    LabelDestination => "label_destination": "Destination address",
    DestinationHint => "destination_hint": "The wallet that receives the funds. It cannot change after you confirm.",
    PreviewLabel => "preview_label": "Estimate only. This price is not locked and cannot be accepted.",
    PreviewLoading => "preview_loading": "Updating estimate…",
    YouReceive => "you_receive": "You receive",
    YouPay => "you_pay": "You pay",
    Rate => "rate": "Rate",
    Spread => "spread": "Spread",
    Fee => "fee": "Fee",
    Network => "network": "Network",
    Destination => "destination": "Destination",
    Bps => "bps": "{bps} bps",
    GetFirmQuote => "get_firm_quote": "Review firm quote",
    Locking => "locking": "Locking your quote…",
    FirmQuoteTitle => "firm_quote_title": "Your quote",
    FirmActive => "firm_active": "This quote is valid until the timer expires.",
    FirmExpiringSoon => "firm_expiring_soon": "Quote expiring soon. Refresh if you need more time.",
    FirmExpired => "firm_expired": "This quote expired. Refresh to continue.",
    SecondsLeft => "seconds_left": "{seconds} s left",
    SecondsLeftAnnouncement => "seconds_left_announcement": "{seconds} seconds left to accept this quote.",
    Accept => "accept": "Accept quote",
    Accepting => "accepting": "Accepting…",
    Refresh => "refresh": "Get a new quote",
    Back => "back": "Change details",
    WhatChanged => "what_changed": "The new quote changed: {changes}.",
    NothingChanged => "nothing_changed": "The new quote has the same terms.",
    TradePending => "trade_pending": "Your conversion is pending settlement.",
    TradeSettled => "trade_settled": "Your conversion completed.",
    TradeFailed => "trade_failed": "We could not complete this conversion. No final credit was posted.",
    TradeReference => "trade_reference": "Reference",
    NewConversion => "new_conversion": "Start a new conversion",
    UnavailablePoolDry => "unavailable_pool_dry": "This conversion is temporarily unavailable. Try again shortly.",
    UnavailableRate => "unavailable_rate_unavailable": "We cannot get a price for this conversion right now. Try again shortly.",
    UnavailableNetwork => "unavailable_network_unavailable": "This network is temporarily unavailable. Try another network or try again shortly.",
    UnavailableMaintenance => "unavailable_maintenance": "This conversion is paused for maintenance. Try again later.",
    UnavailableGeneric => "unavailable_generic": "This conversion is not available right now. Try again later.",
    RetryIn => "retry_in": "Try again in {seconds} s",
    Retry => "retry": "Try again",
    TryAlternate => "try_alternate": "Try {pool} instead",
    ErrorNetwork => "error_network": "We could not reach the server. Check your connection and try again.",
    ErrorServer => "error_server": "Something went wrong on our side. Try again in a moment.",
    ErrorLimits => "error_limits": "Enter an amount worth between {min} and {max} USDT.",
    ErrorLimitsNoMax => "error_limits_no_max": "Enter an amount worth at least {min} USDT.",
    ErrorAmountRequired => "error_amount_required": "Enter an amount.",
    ErrorAmountInvalid => "error_amount_invalid": "Enter the amount as digits, with a dot before any decimals (for example 100.50).",
    ErrorAmountNotPositive => "error_amount_not_positive": "Enter an amount greater than zero.",
    ErrorAmountTooPrecise => "error_amount_too_precise": "Use at most {places} digits after the decimal point.",
    ErrorAmountTooLarge => "error_amount_too_large": "That amount is too large.",
    ErrorDestinationRequired => "error_destination_required": "Enter the destination address.",
    ErrorNetworkRequired => "error_network_required": "Choose a network.",
    ErrorQuoteGone => "error_quote_gone": "This quote can no longer be accepted. Get a new quote to continue.",
}

/// The deck in use: defaults, with the host's overrides winning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyDeck {
    overrides: HashMap<Copy, String>,
}

impl CopyDeck {
    /// Unknown override keys are returned, so a typo is reported, not silently ignored.
    pub fn with_overrides<'a>(overrides: impl IntoIterator<Item = (&'a str, &'a str)>) -> (CopyDeck, Vec<String>) {
        let mut deck = CopyDeck::default();
        let mut unknown = Vec::new();
        for (name, text) in overrides {
            match Copy::from_name(name) {
                Some(key) => {
                    deck.overrides.insert(key, text.to_owned());
                }
                None => unknown.push(name.to_owned()),
            }
        }
        (deck, unknown)
    }

    pub fn text(&self, key: Copy) -> String {
        self.overrides.get(&key).cloned().unwrap_or_else(|| key.default_text().to_owned())
    }

    /// The text with `{name}` placeholders filled.
    pub fn fill(&self, key: Copy, args: &[(&str, &str)]) -> String {
        let mut text = self.text(key);
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approved_copy_is_the_default() {
        let deck = CopyDeck::default();
        assert_eq!(deck.text(Copy::FirmExpiringSoon), "Quote expiring soon. Refresh if you need more time.");
        assert_eq!(deck.text(Copy::FirmExpired), "This quote expired. Refresh to continue.");
        assert_eq!(deck.text(Copy::TradePending), "Your conversion is pending settlement.");
        assert_eq!(deck.text(Copy::TradeSettled), "Your conversion completed.");
        assert_eq!(deck.text(Copy::TradeFailed), "We could not complete this conversion. No final credit was posted.");
        assert_eq!(deck.text(Copy::FirmActive), "This quote is valid until the timer expires.");
    }

    #[test]
    fn overrides_win_and_unknown_keys_are_reported() {
        let (deck, unknown) = CopyDeck::with_overrides([("accept", "Confirm"), ("acept", "typo")]);
        assert_eq!(deck.text(Copy::Accept), "Confirm");
        assert_eq!(unknown, ["acept"]);
    }

    #[test]
    fn placeholders_fill() {
        let deck = CopyDeck::default();
        assert_eq!(deck.fill(Copy::ErrorLimits, &[("min", "10.00"), ("max", "5000.00")]), "Enter an amount worth between 10.00 and 5000.00 USDT.");
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for key in Copy::ALL {
            assert!(seen.insert(key.name()), "duplicate key {}", key.name());
            assert_eq!(Copy::from_name(key.name()), Some(*key));
        }
    }

    #[test]
    fn no_copy_implies_funds_arrived_while_pending() {
        let pending = CopyDeck::default().text(Copy::TradePending).to_lowercase();
        for word in ["completed", "received", "credited", "arrived", "done"] {
            assert!(!pending.contains(word));
        }
    }
}
