//! The copy deck: every user-facing string of the widget, keyed by state, in one
//! place. English is built in (the approved copy of 0Pools' reference pages, "Product
//! copy examples", and the team's); every other locale is data (`crate::locales`),
//! fetched for the locale in use, with English as the fallback for any key it lacks.
//! Product teams override any key by name.

use crate::display::Locale;
use std::sync::Arc;

macro_rules! deck {
    ($( $variant:ident => $key:literal : $en:literal ),* $(,)?) => {
        /// A copy key. Its `name()` is the stable string product teams override.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Copy { $( $variant ),* }

        impl Copy {
            pub const ALL: &'static [Copy] = &[$( Copy::$variant ),*];
            pub fn name(self) -> &'static str {
                match self { $( Copy::$variant => $key ),* }
            }
            /// The English text, built in (every other locale's is data, fetched:
            /// `crate::locales`).
            pub fn default_text(self) -> &'static str {
                match self { $( Copy::$variant => $en ),* }
            }
            /// By a search of `ALL`, not a `match` on the names: read only when a
            /// locale file or a host's overrides arrive, and the `match` was 1.5 KB of
            /// the widget's wasm (issue #26).
            pub fn from_name(name: &str) -> Option<Copy> {
                Copy::ALL.iter().copied().find(|key| key.name() == name)
            }
        }
    };
}

deck! {
    Title => "title": "Convert",
    LoadingPools => "loading_pools": "Loading available conversions…",
    PoolsError => "pools_error": "We could not load the available conversions. Check your connection and try again.",
    NoPools => "no_pools": "No conversions are available for this checkout right now. Try again later.",
    LabelPool => "label_pool": "Conversion",
    LabelSide => "label_side": "Direction",
    SideBuy => "side_buy": "Buy {target} with {source}",
    SideSell => "side_sell": "Sell {target} for {source}",
    LabelAmount => "label_amount": "You pay ({currency})",
    LimitsHint => "limits_hint": "Orders worth {min} to {max} USDT",
    LimitsHintNoMax => "limits_hint_no_max": "Orders worth at least {min} USDT",
    LimitsHintFirstOrder => "limits_hint_first_order": "Your first order: {min} to {max} USDT",
    LimitsHintCapped => "limits_hint_capped": "For now, orders worth {min} to {max} USDT",
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
    AcceptUnconfirmed => "accept_unconfirmed": "We could not confirm your conversion yet. We are trying again; it will not be made twice.",
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
    ErrorFirstOrderLimit => "error_first_order_limit": "Your first order can be worth up to {max} USDT. Enter a smaller amount.",
    ErrorOrderLimit => "error_order_limit": "For now, orders can be worth up to {max} USDT. Enter a smaller amount.",
    ErrorAmountRequired => "error_amount_required": "Enter an amount.",
    ErrorAmountInvalid => "error_amount_invalid": "Enter the amount as digits, with a dot before any decimals (for example 100.50).",
    ErrorAmountNotPositive => "error_amount_not_positive": "Enter an amount greater than zero.",
    ErrorAmountTooPrecise => "error_amount_too_precise": "Use at most {places} digits after the decimal point.",
    ErrorAmountTooLarge => "error_amount_too_large": "That amount is too large.",
    ErrorDestinationRequired => "error_destination_required": "Enter the destination address.",
    ErrorNetworkRequired => "error_network_required": "Choose a network.",
    ErrorAcceptFailed => "error_accept_failed": "This conversion could not be completed and nothing was converted. Contact support with this reference: {support_id}.",
    ErrorStillConfirming => "error_still_confirming": "We are still confirming your earlier conversion. Wait a moment before you ask for a new quote.",
    ErrorCheckoutExpired => "error_checkout_expired": "This checkout has expired. Return to the shop and start the payment again.",
    UnavailableHeadroom => "unavailable_headroom": "We cannot convert this much right now. Try a smaller amount, or try again later.",
    UnavailableBusy => "unavailable_busy": "We are handling many requests right now. Try again in a moment.",
    TradeTermsMismatch => "trade_terms_mismatch": "The executed conversion differs from your quote ({fields}). It has been flagged for review; keep your reference.",
    ErrorQuoteGone => "error_quote_gone": "This quote can no longer be accepted. Get a new quote to continue.",
}

/// A locale's copy as data: the texts of the keys its file has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translations {
    texts: Texts,
}

/// Texts by key: a slot per key of the deck, found by the key's position. A hash map
/// did the same and brought its hashing and table code into the widget's wasm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Texts(Vec<Option<String>>);

impl Texts {
    fn insert(&mut self, key: Copy, text: String) {
        let at = key as usize;
        if self.0.len() <= at {
            self.0.resize(at + 1, None);
        }
        self.0[at] = Some(text);
    }
    fn get(&self, key: Copy) -> Option<&str> {
        self.0.get(key as usize)?.as_deref()
    }
}

impl Translations {
    /// From a locale file's entries (key name → text). Names this build does not know
    /// are returned (a newer file); keys the file lacks fall back to English.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, String)>) -> (Translations, Vec<String>) {
        let mut texts = Texts::default();
        let mut unknown = Vec::new();
        for (name, text) in entries {
            match Copy::from_name(&name) {
                Some(key) => {
                    texts.insert(key, text);
                }
                None => unknown.push(name),
            }
        }
        (Translations { texts }, unknown)
    }

    /// The keys this locale does not translate (shown in English).
    pub fn missing(&self) -> Vec<Copy> {
        Copy::ALL.iter().copied().filter(|k| self.texts.get(*k).is_none()).collect()
    }

    pub fn get(&self, key: Copy) -> Option<&str> {
        self.texts.get(key)
    }
}

/// The deck in use: the host's overrides, then the locale's translation, then English.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyDeck {
    locale: Locale,
    translations: Option<Arc<Translations>>,
    overrides: Texts,
}

impl CopyDeck {
    /// English with `overrides`. Unknown override keys are returned, so a typo is
    /// reported, not silently ignored.
    pub fn with_overrides<'a>(overrides: impl IntoIterator<Item = (&'a str, &'a str)>) -> (CopyDeck, Vec<String>) {
        CopyDeck::for_locale(Locale::En, None, overrides)
    }

    /// The deck of `locale` from its `translations` (none: English), with `overrides`
    /// (by key name) on top.
    pub fn for_locale<'a>(
        locale: Locale,
        translations: Option<Arc<Translations>>,
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (CopyDeck, Vec<String>) {
        let mut deck = CopyDeck { locale, translations, overrides: Texts::default() };
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

    pub fn locale(&self) -> Locale {
        self.locale
    }

    pub fn text(&self, key: Copy) -> String {
        if let Some(text) = self.overrides.get(key) {
            return text.to_owned();
        }
        self.translations.as_ref().and_then(|t| t.get(key)).unwrap_or(key.default_text()).to_owned()
    }

    /// Whether `key` shows the locale's own text (not an override, not the English fallback).
    pub fn translated(&self, key: Copy) -> bool {
        self.overrides.get(key).is_none() && self.translations.as_ref().is_some_and(|t| t.get(key).is_some())
    }

    /// The text with `{name}` placeholders filled, in one pass: a value is never read
    /// for placeholders itself, and a `{` that names no argument stays as written.
    pub fn fill(&self, key: Copy, args: &[(&str, &str)]) -> String {
        let text = self.text(key);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some((before, after)) = rest.split_once('{') {
            out.push_str(before);
            let filled =
                after.split_once('}').and_then(|(name, tail)| args.iter().find(|(n, _)| *n == name).map(|(_, value)| (*value, tail)));
            match filled {
                Some((value, tail)) => {
                    out.push_str(value);
                    rest = tail;
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_and_unknown_keys_are_reported() {
        let (deck, unknown) = CopyDeck::with_overrides([("accept", "Confirm"), ("acept", "typo")]);
        assert_eq!(deck.text(Copy::Accept), "Confirm");
        assert_eq!(unknown, ["acept"]);
    }

    #[test]
    fn a_locales_text_then_english_and_overrides_win() {
        let (german, unknown) = Translations::from_entries([
            ("trade_settled".to_owned(), "Ihr Umtausch ist abgeschlossen.".to_owned()),
            ("accept".to_owned(), "Angebot annehmen".to_owned()),
            ("from_a_newer_build".to_owned(), "…".to_owned()),
        ]);
        assert_eq!(unknown, ["from_a_newer_build"]);
        let (de, _) = CopyDeck::for_locale(Locale::De, Some(Arc::new(german)), [("accept", "Jetzt tauschen")]);
        assert_eq!(de.text(Copy::TradeSettled), "Ihr Umtausch ist abgeschlossen.");
        assert!(de.translated(Copy::TradeSettled));
        assert_eq!(de.text(Copy::Accept), "Jetzt tauschen", "the host's override wins");
        assert!(!de.translated(Copy::Accept));
        assert_eq!(de.text(Copy::Title), "Convert", "a key the file lacks is English");
        assert!(!de.translated(Copy::Title));
    }

    #[test]
    fn placeholders_fill() {
        let deck = CopyDeck::default();
        assert_eq!(
            deck.fill(Copy::ErrorLimits, &[("min", "10.00"), ("max", "5000.00")]),
            "Enter an amount worth between 10.00 and 5000.00 USDT."
        );
        // A value is not filled again, and what names no argument stays as written.
        let (deck, _) = CopyDeck::with_overrides([("error_limits", "{min} – {max} {unit} {max")]);
        assert_eq!(deck.fill(Copy::ErrorLimits, &[("min", "{max}"), ("max", "5")]), "{max} – 5 {unit} {max");
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
