//! Where each string of the deck comes from, for designers: approved copy from
//! 0Pools' documentation word for word (its "Product copy examples" in
//! `slippage-limits`), that documentation's alternative "Product language" lines (a
//! selectable preset), or the team's own writing (every other English string, and
//! every string of every other locale).

use crate::copy::{Copy, CopyDeck};
use crate::display::Locale;

/// 0Pools' documented "Product copy examples", exactly as published. The deck's English
/// defaults for these keys must stay these strings to the character.
pub const APPROVED: [(Copy, &str); 6] = [
    (Copy::FirmActive, "This quote is valid until the timer expires."),
    (Copy::FirmExpiringSoon, "Quote expiring soon. Refresh if you need more time."),
    (Copy::FirmExpired, "This quote expired. Refresh to continue."),
    (Copy::TradePending, "Your conversion is pending settlement."),
    (Copy::TradeSettled, "Your conversion completed."),
    (Copy::TradeFailed, "We could not complete this conversion. No final credit was posted."),
];

/// 0Pools' documented "Product language" table: suggested alternatives for four states.
pub const PRODUCT_LANGUAGE: [(Copy, &str); 4] = [
    (Copy::FirmActive, "This amount is locked until the timer expires."),
    (Copy::FirmExpired, "The quote expired. Get a new quote to continue."),
    (Copy::TradePending, "Your accepted quote is processing."),
    (Copy::TradeFailed, "The quote could not be completed. No new price was accepted."),
];

/// A choice of wording a designer can preview (and a host can ship as overrides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// The approved copy (the deck's defaults).
    #[default]
    Approved,
    /// The documented "Product language" lines in place of their approved counterparts.
    ProductLanguage,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::Approved, Preset::ProductLanguage];
    pub fn name(self) -> &'static str {
        match self {
            Preset::Approved => "approved",
            Preset::ProductLanguage => "product-language",
        }
    }
    pub fn parse(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }
    /// The overrides (by key name) that make this preset; none for the approved copy.
    /// 0Pools' documentation has its lines in English only: other locales keep their deck.
    pub fn overrides(self, locale: Locale) -> Vec<(&'static str, &'static str)> {
        match (self, locale) {
            (Preset::ProductLanguage, Locale::En) => PRODUCT_LANGUAGE.iter().map(|(k, t)| (k.name(), *t)).collect(),
            _ => Vec::new(),
        }
    }
    /// The deck of `locale` (its `translations`) with this preset applied.
    pub fn deck(self, locale: Locale, translations: Option<std::sync::Arc<crate::copy::Translations>>) -> CopyDeck {
        CopyDeck::for_locale(locale, translations, self.overrides(locale)).0
    }
}

/// Who wrote a string as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Approved copy from 0Pools' documentation, word for word.
    Approved,
    /// 0Pools' documented alternative "Product language" line.
    ProductLanguage,
    /// Written by the team (no seed line exists for it, or it is a translation).
    Team,
}

impl Provenance {
    pub fn label(self) -> &'static str {
        match self {
            Provenance::Approved => "Approved copy",
            Provenance::ProductLanguage => "Product language",
            Provenance::Team => "Team-written",
        }
    }
    /// Stable name for styling and tests.
    pub fn name(self) -> &'static str {
        match self {
            Provenance::Approved => "approved",
            Provenance::ProductLanguage => "product-language",
            Provenance::Team => "team",
        }
    }
}

/// Where `key`'s text comes from in `locale` under `preset`.
pub fn provenance(key: Copy, locale: Locale, preset: Preset) -> Provenance {
    if locale != Locale::En {
        return Provenance::Team;
    }
    if preset == Preset::ProductLanguage && PRODUCT_LANGUAGE.iter().any(|(k, _)| *k == key) {
        return Provenance::ProductLanguage;
    }
    if APPROVED.iter().any(|(k, _)| *k == key) {
        Provenance::Approved
    } else {
        Provenance::Team
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approved_lines_are_the_decks_english_defaults_to_the_character() {
        for (key, line) in APPROVED {
            assert_eq!(key.default_text(), line, "{}", key.name());
        }
    }

    #[test]
    fn product_language_replaces_only_its_four_lines_and_only_in_english() {
        let deck = Preset::ProductLanguage.deck(Locale::En, None);
        for key in Copy::ALL {
            let expected = PRODUCT_LANGUAGE.iter().find(|(k, _)| k == key).map_or(key.default_text(), |(_, t)| t);
            assert_eq!(deck.text(*key), expected, "{}", key.name());
        }
        let translations = std::sync::Arc::new(crate::locales::bundled_translations(Locale::De).unwrap());
        let german = Preset::ProductLanguage.deck(Locale::De, Some(translations.clone()));
        assert!(Copy::ALL.iter().all(|k| Some(german.text(*k).as_str()) == translations.get(*k)));
    }

    #[test]
    fn every_german_string_and_every_unseeded_key_is_the_teams() {
        for key in Copy::ALL {
            assert_eq!(provenance(*key, Locale::De, Preset::Approved), Provenance::Team);
        }
        assert_eq!(provenance(Copy::Accept, Locale::En, Preset::Approved), Provenance::Team);
        assert_eq!(provenance(Copy::TradeSettled, Locale::En, Preset::ProductLanguage), Provenance::Approved);
        assert_eq!(provenance(Copy::TradePending, Locale::En, Preset::ProductLanguage), Provenance::ProductLanguage);
        let seeded = Copy::ALL.iter().filter(|k| provenance(**k, Locale::En, Preset::Approved) == Provenance::Approved).count();
        assert_eq!(seeded, APPROVED.len());
    }

    #[test]
    fn presets_round_trip_by_name() {
        for preset in Preset::ALL {
            assert_eq!(Preset::parse(preset.name()), Some(preset));
        }
    }
}
