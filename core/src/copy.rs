//! The copy deck: every user-facing string of the widget, keyed by state, in one
//! place. Defaults are the approved copy of 0Pools' reference pages ("Product copy
//! examples"); product teams override any key by name.

use crate::display::Locale;
use std::collections::HashMap;

macro_rules! deck {
    ($( $variant:ident => $key:literal : $en:literal / $de:literal ),* $(,)?) => {
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
                self.text_in(Locale::En)
            }
            /// The approved text in a locale.
            pub fn text_in(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $( (Copy::$variant, Locale::En) => $en, (Copy::$variant, Locale::De) => $de, )*
                }
            }
            pub fn from_name(name: &str) -> Option<Copy> {
                match name { $( $key => Some(Copy::$variant), )* _ => None }
            }
        }
    };
}

deck! {
    Title => "title": "Convert" / "Umtauschen",
    LoadingPools => "loading_pools": "Loading available conversions…" / "Verfügbare Umtauschpaare werden geladen…",
    PoolsError => "pools_error": "We could not load the available conversions. Check your connection and try again." / "Die verfügbaren Umtauschpaare konnten nicht geladen werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    NoPools => "no_pools": "No conversions are available for this checkout right now. Try again later." / "Für diesen Bezahlvorgang sind gerade keine Umtauschpaare verfügbar. Versuchen Sie es später erneut.",
    LabelPool => "label_pool": "Conversion" / "Umtausch",
    LabelSide => "label_side": "Direction" / "Richtung",
    SideBuy => "side_buy": "Buy {target} with {source}" / "{target} mit {source} kaufen",
    SideSell => "side_sell": "Sell {target} for {source}" / "{target} gegen {source} verkaufen",
    LabelAmount => "label_amount": "You pay ({currency})" / "Sie zahlen ({currency})",
    LimitsHint => "limits_hint": "Orders worth {min} to {max} USDT" / "Aufträge im Wert von {min} bis {max} USDT",
    LimitsHintNoMax => "limits_hint_no_max": "Orders worth at least {min} USDT" / "Aufträge im Wert ab {min} USDT",
    LimitsHintFirstOrder => "limits_hint_first_order": "Your first order: {min} to {max} USDT" / "Ihr erster Auftrag: {min} bis {max} USDT",
    LimitsHintCapped => "limits_hint_capped": "For now, orders worth {min} to {max} USDT" / "Derzeit Aufträge im Wert von {min} bis {max} USDT",
    LabelNetwork => "label_network": "Network" / "Netzwerk",
    LabelDestination => "label_destination": "Destination address" / "Zieladresse",
    DestinationHint => "destination_hint": "The wallet that receives the funds. It cannot change after you confirm." / "Die Wallet, die den Betrag erhält. Sie kann nach der Bestätigung nicht mehr geändert werden.",
    PreviewLabel => "preview_label": "Estimate only. This price is not locked and cannot be accepted." / "Nur eine Schätzung. Dieser Preis ist nicht fixiert und kann nicht angenommen werden.",
    PreviewLoading => "preview_loading": "Updating estimate…" / "Schätzung wird aktualisiert…",
    YouReceive => "you_receive": "You receive" / "Sie erhalten",
    YouPay => "you_pay": "You pay" / "Sie zahlen",
    Rate => "rate": "Rate" / "Kurs",
    Spread => "spread": "Spread" / "Spread",
    Fee => "fee": "Fee" / "Gebühr",
    Network => "network": "Network" / "Netzwerk",
    Destination => "destination": "Destination" / "Ziel",
    Bps => "bps": "{bps} bps" / "{bps} Bp.",
    GetFirmQuote => "get_firm_quote": "Review firm quote" / "Verbindliches Angebot ansehen",
    Locking => "locking": "Locking your quote…" / "Ihr Angebot wird fixiert…",
    FirmQuoteTitle => "firm_quote_title": "Your quote" / "Ihr Angebot",
    FirmActive => "firm_active": "This quote is valid until the timer expires." / "Dieses Angebot gilt, bis der Timer abläuft.",
    FirmExpiringSoon => "firm_expiring_soon": "Quote expiring soon. Refresh if you need more time." / "Das Angebot läuft bald ab. Aktualisieren Sie es, wenn Sie mehr Zeit brauchen.",
    FirmExpired => "firm_expired": "This quote expired. Refresh to continue." / "Dieses Angebot ist abgelaufen. Aktualisieren Sie es, um fortzufahren.",
    SecondsLeft => "seconds_left": "{seconds} s left" / "noch {seconds} s",
    SecondsLeftAnnouncement => "seconds_left_announcement": "{seconds} seconds left to accept this quote." / "Noch {seconds} Sekunden, um dieses Angebot anzunehmen.",
    Accept => "accept": "Accept quote" / "Angebot annehmen",
    Accepting => "accepting": "Accepting…" / "Wird angenommen…",
    AcceptUnconfirmed => "accept_unconfirmed": "We could not confirm your conversion yet. We are trying again; it will not be made twice." / "Wir konnten Ihren Umtausch noch nicht bestätigen. Wir versuchen es erneut; er wird nicht doppelt ausgeführt.",
    Refresh => "refresh": "Get a new quote" / "Neues Angebot holen",
    Back => "back": "Change details" / "Angaben ändern",
    WhatChanged => "what_changed": "The new quote changed: {changes}." / "Das neue Angebot hat sich geändert: {changes}.",
    NothingChanged => "nothing_changed": "The new quote has the same terms." / "Das neue Angebot hat dieselben Konditionen.",
    TradePending => "trade_pending": "Your conversion is pending settlement." / "Ihr Umtausch wartet auf die Abwicklung.",
    TradeSettled => "trade_settled": "Your conversion completed." / "Ihr Umtausch ist abgeschlossen.",
    TradeFailed => "trade_failed": "We could not complete this conversion. No final credit was posted." / "Wir konnten diesen Umtausch nicht abschließen. Es wurde keine endgültige Gutschrift gebucht.",
    TradeReference => "trade_reference": "Reference" / "Referenz",
    NewConversion => "new_conversion": "Start a new conversion" / "Neuen Umtausch starten",
    UnavailablePoolDry => "unavailable_pool_dry": "This conversion is temporarily unavailable. Try again shortly." / "Dieser Umtausch ist vorübergehend nicht verfügbar. Versuchen Sie es in Kürze erneut.",
    UnavailableRate => "unavailable_rate_unavailable": "We cannot get a price for this conversion right now. Try again shortly." / "Für diesen Umtausch ist gerade kein Kurs verfügbar. Versuchen Sie es in Kürze erneut.",
    UnavailableNetwork => "unavailable_network_unavailable": "This network is temporarily unavailable. Try another network or try again shortly." / "Dieses Netzwerk ist vorübergehend nicht verfügbar. Wählen Sie ein anderes Netzwerk oder versuchen Sie es in Kürze erneut.",
    UnavailableMaintenance => "unavailable_maintenance": "This conversion is paused for maintenance. Try again later." / "Dieser Umtausch ist wegen Wartung pausiert. Versuchen Sie es später erneut.",
    UnavailableGeneric => "unavailable_generic": "This conversion is not available right now. Try again later." / "Dieser Umtausch ist gerade nicht verfügbar. Versuchen Sie es später erneut.",
    RetryIn => "retry_in": "Try again in {seconds} s" / "Erneut versuchen in {seconds} s",
    Retry => "retry": "Try again" / "Erneut versuchen",
    TryAlternate => "try_alternate": "Try {pool} instead" / "Stattdessen {pool} versuchen",
    ErrorNetwork => "error_network": "We could not reach the server. Check your connection and try again." / "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    ErrorServer => "error_server": "Something went wrong on our side. Try again in a moment." / "Bei uns ist etwas schiefgelaufen. Versuchen Sie es gleich noch einmal.",
    ErrorLimits => "error_limits": "Enter an amount worth between {min} and {max} USDT." / "Geben Sie einen Betrag im Wert von {min} bis {max} USDT ein.",
    ErrorLimitsNoMax => "error_limits_no_max": "Enter an amount worth at least {min} USDT." / "Geben Sie einen Betrag im Wert von mindestens {min} USDT ein.",
    ErrorFirstOrderLimit => "error_first_order_limit": "Your first order can be worth up to {max} USDT. Enter a smaller amount." / "Ihr erster Auftrag darf höchstens {max} USDT wert sein. Geben Sie einen kleineren Betrag ein.",
    ErrorOrderLimit => "error_order_limit": "For now, orders can be worth up to {max} USDT. Enter a smaller amount." / "Derzeit dürfen Aufträge höchstens {max} USDT wert sein. Geben Sie einen kleineren Betrag ein.",
    ErrorAmountRequired => "error_amount_required": "Enter an amount." / "Geben Sie einen Betrag ein.",
    ErrorAmountInvalid => "error_amount_invalid": "Enter the amount as digits, with a dot before any decimals (for example 100.50)." / "Geben Sie den Betrag in Ziffern ein, mit einem Punkt vor den Nachkommastellen (zum Beispiel 100.50).",
    ErrorAmountNotPositive => "error_amount_not_positive": "Enter an amount greater than zero." / "Geben Sie einen Betrag größer als null ein.",
    ErrorAmountTooPrecise => "error_amount_too_precise": "Use at most {places} digits after the decimal point." / "Verwenden Sie höchstens {places} Nachkommastellen.",
    ErrorAmountTooLarge => "error_amount_too_large": "That amount is too large." / "Dieser Betrag ist zu groß.",
    ErrorDestinationRequired => "error_destination_required": "Enter the destination address." / "Geben Sie die Zieladresse ein.",
    ErrorNetworkRequired => "error_network_required": "Choose a network." / "Wählen Sie ein Netzwerk.",
    ErrorAcceptFailed => "error_accept_failed": "This conversion could not be completed and nothing was converted. Contact support with this reference: {support_id}." / "Dieser Umtausch konnte nicht abgeschlossen werden; es wurde nichts umgetauscht. Wenden Sie sich mit dieser Referenz an den Support: {support_id}.",
    ErrorStillConfirming => "error_still_confirming": "We are still confirming your earlier conversion. Wait a moment before you ask for a new quote." / "Wir bestätigen noch Ihren vorherigen Umtausch. Warten Sie einen Moment, bevor Sie ein neues Angebot anfordern.",
    ErrorCheckoutExpired => "error_checkout_expired": "This checkout has expired. Return to the shop and start the payment again." / "Dieser Bezahlvorgang ist abgelaufen. Kehren Sie zum Shop zurück und starten Sie die Zahlung erneut.",
    UnavailableHeadroom => "unavailable_headroom": "We cannot convert this much right now. Try a smaller amount, or try again later." / "Diesen Betrag können wir gerade nicht umtauschen. Versuchen Sie einen kleineren Betrag oder später erneut.",
    UnavailableBusy => "unavailable_busy": "We are handling many requests right now. Try again in a moment." / "Wir bearbeiten gerade sehr viele Anfragen. Versuchen Sie es gleich noch einmal.",
    TradeTermsMismatch => "trade_terms_mismatch": "The executed conversion differs from your quote ({fields}). It has been flagged for review; keep your reference." / "Der ausgeführte Umtausch weicht von Ihrem Angebot ab ({fields}). Er wurde zur Prüfung markiert; bewahren Sie Ihre Referenz auf.",
    ErrorQuoteGone => "error_quote_gone": "This quote can no longer be accepted. Get a new quote to continue." / "Dieses Angebot kann nicht mehr angenommen werden. Holen Sie ein neues Angebot, um fortzufahren.",
}

/// The deck in use: the locale's approved copy, with the host's overrides winning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyDeck {
    locale: Locale,
    overrides: HashMap<Copy, String>,
}

impl CopyDeck {
    /// Unknown override keys are returned, so a typo is reported, not silently ignored.
    pub fn with_overrides<'a>(overrides: impl IntoIterator<Item = (&'a str, &'a str)>) -> (CopyDeck, Vec<String>) {
        CopyDeck::for_locale(Locale::En, overrides)
    }

    /// The deck of `locale`, with `overrides` (by key name) on top.
    pub fn for_locale<'a>(locale: Locale, overrides: impl IntoIterator<Item = (&'a str, &'a str)>) -> (CopyDeck, Vec<String>) {
        let mut deck = CopyDeck { locale, overrides: HashMap::new() };
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
        self.overrides.get(&key).cloned().unwrap_or_else(|| key.text_in(self.locale).to_owned())
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
    fn overrides_win_and_unknown_keys_are_reported() {
        let (deck, unknown) = CopyDeck::with_overrides([("accept", "Confirm"), ("acept", "typo")]);
        assert_eq!(deck.text(Copy::Accept), "Confirm");
        assert_eq!(unknown, ["acept"]);
    }

    #[test]
    fn german_is_complete_and_overrides_still_win() {
        let (de, _) = CopyDeck::for_locale(Locale::De, [("accept", "Jetzt tauschen")]);
        assert_eq!(de.text(Copy::TradeSettled), "Ihr Umtausch ist abgeschlossen.");
        assert_eq!(de.text(Copy::Accept), "Jetzt tauschen");
        for key in Copy::ALL {
            assert_ne!(key.text_in(Locale::De), "", "{}", key.name());
            let placeholders = |t: &str| t.matches('{').count();
            assert_eq!(placeholders(key.text_in(Locale::De)), placeholders(key.text_in(Locale::En)), "{}", key.name());
        }
    }

    #[test]
    fn placeholders_fill() {
        let deck = CopyDeck::default();
        assert_eq!(
            deck.fill(Copy::ErrorLimits, &[("min", "10.00"), ("max", "5000.00")]),
            "Enter an amount worth between 10.00 and 5000.00 USDT."
        );
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
