//! The widget's copy in every locale but English, as data: `core/locales/<tag>.json`,
//! one flat object of key name → text per locale. The build ships each file with a
//! content hash in its name (cached for good) and the widget fetches only the one in
//! use; English stays built in. The gallery and the tests have them built in
//! (feature `bundled-locales`): the widget's wasm never does.
//!
//! Every file translates every key, with the same placeholders as English: a test
//! here says which key a locale lacks (it would show in English).

#[cfg(any(test, feature = "bundled-locales"))]
use crate::copy::Translations;
use crate::display::Locale;

/// The locales that are data (every one but English).
pub const FETCHED: [Locale; 7] = [Locale::De, Locale::Fr, Locale::Es, Locale::It, Locale::Nl, Locale::PtBr, Locale::Pl];

/// A locale's file as this build ships it.
#[cfg(any(test, feature = "bundled-locales"))]
pub fn bundled(locale: Locale) -> Option<&'static str> {
    Some(match locale {
        Locale::En => return None,
        Locale::De => include_str!("../locales/de.json"),
        Locale::Fr => include_str!("../locales/fr.json"),
        Locale::Es => include_str!("../locales/es.json"),
        Locale::It => include_str!("../locales/it.json"),
        Locale::Nl => include_str!("../locales/nl.json"),
        Locale::PtBr => include_str!("../locales/pt-BR.json"),
        Locale::Pl => include_str!("../locales/pl.json"),
    })
}

/// A locale's translations, from its bundled file.
#[cfg(any(test, feature = "bundled-locales"))]
pub fn bundled_translations(locale: Locale) -> Option<Translations> {
    let entries: std::collections::BTreeMap<String, String> = serde_json::from_str(bundled(locale)?).ok()?;
    Some(Translations::from_entries(entries).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copy::Copy;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn every_locale_translates_every_key_with_the_same_placeholders() {
        for locale in FETCHED {
            let text = bundled(locale).unwrap();
            let entries: std::collections::BTreeMap<String, String> = serde_json::from_str(text).unwrap();
            let (translations, unknown) = Translations::from_entries(entries.clone());
            assert!(unknown.is_empty(), "{}: keys this build does not have: {unknown:?}", locale.tag());
            let missing: Vec<&str> = translations.missing().iter().map(|k| k.name()).collect();
            assert!(missing.is_empty(), "{} shows these keys in English: {missing:?}", locale.tag());
            for key in Copy::ALL {
                let translated = translations.get(*key).unwrap();
                assert!(!translated.trim().is_empty(), "{} {}", locale.tag(), key.name());
                assert_eq!(placeholders(translated), placeholders(key.default_text()), "{} {}", locale.tag(), key.name());
                assert_eq!(translated.matches('{').count(), translated.matches('}').count(), "{} {}", locale.tag(), key.name());
            }
        }
    }

    #[test]
    fn the_money_words_keep_their_meaning() {
        // A pending trade never reads as done, in any language (the words each
        // language would use for "completed" or "credited").
        let done = [
            ("de", &["abgeschlossen", "gutgeschrieben"][..]),
            ("fr", &["terminé", "crédité"]),
            ("es", &["completad", "abonad"]),
            ("it", &["completat", "accreditat"]),
            ("nl", &["voltooid", "bijgeschreven"]),
            ("pt-BR", &["concluíd", "creditad"]),
            ("pl", &["zakończon", "zaksięgowan"]),
        ];
        for locale in FETCHED {
            let pending = bundled_translations(locale).unwrap().get(Copy::TradePending).unwrap().to_lowercase();
            let words = done.iter().find(|(tag, _)| *tag == locale.tag()).unwrap().1;
            assert!(words.iter().all(|w| !pending.contains(w)), "{}: {pending}", locale.tag());
        }
    }
}
