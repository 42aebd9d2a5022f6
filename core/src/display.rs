//! Showing decimals to people: only separators change, never a digit. Works on the
//! decimal's own string, with no float anywhere.

use rust_decimal::Decimal;

/// A language the widget speaks, with its number format. English is built in;
/// every other locale's copy is data (`crate::locales`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
    Es,
    It,
    Nl,
    PtBr,
    Pl,
}

/// How a locale writes a number and where a currency code goes, from CLDR
/// (`numbers/latn`, `minimumGroupingDigits`, the currency pattern with
/// `currencySpacing`): checked against Chromium's `Intl.NumberFormat` (its ICU) for
/// every locale in the in-browser tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    pub group: &'static str,
    pub decimal: char,
    /// A number's integer part is grouped only from this many digits past the first
    /// group (CLDR `minimumGroupingDigits`): 2 keeps `1000` whole in Spanish and Polish.
    pub min_grouping: usize,
    /// The currency code before the number (`USD 1.00`) or after it (`1,00 USD`).
    pub currency_first: bool,
}

const NBSP: &str = "\u{a0}";
const NNBSP: &str = "\u{202f}";

impl Locale {
    pub const ALL: [Locale; 8] = [Locale::En, Locale::De, Locale::Fr, Locale::Es, Locale::It, Locale::Nl, Locale::PtBr, Locale::Pl];

    /// The BCP 47 tag (the locale file's name, `<html lang>`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::It => "it",
            Locale::Nl => "nl",
            Locale::PtBr => "pt-BR",
            Locale::Pl => "pl",
        }
    }

    /// The locale a host's tag asks for: by language (`fr-CA` is French, any `pt` is
    /// Brazilian Portuguese); one the widget does not speak is English.
    pub fn parse(tag: &str) -> Locale {
        match tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
            "de" => Locale::De,
            "fr" => Locale::Fr,
            "es" => Locale::Es,
            "it" => Locale::It,
            "nl" => Locale::Nl,
            "pt" => Locale::PtBr,
            "pl" => Locale::Pl,
            _ => Locale::En,
        }
    }

    pub fn number_format(self) -> NumberFormat {
        let format = |group, decimal, min_grouping, currency_first| NumberFormat { group, decimal, min_grouping, currency_first };
        match self {
            Locale::En => format(",", '.', 1, true),
            Locale::De => format(".", ',', 1, false),
            Locale::Fr => format(NNBSP, ',', 1, false),
            Locale::Es => format(".", ',', 2, false),
            Locale::It => format(".", ',', 2, false),
            Locale::Nl => format(".", ',', 1, true),
            Locale::PtBr => format(".", ',', 1, true),
            Locale::Pl => format(NBSP, ',', 2, false),
        }
    }
}

/// `1234567.50` → `1,234,567.50` (en), `1.234.567,50` (de), `1 234 567,50` (fr). Every
/// digit and the scale are kept exactly.
pub fn format_decimal(value: &Decimal, locale: Locale) -> String {
    format_decimal_str(&value.to_string(), locale)
}

/// As [`format_decimal`], on a plain decimal string (`-?digits(.digits)?`).
pub fn format_decimal_str(plain: &str, locale: Locale) -> String {
    let format = locale.number_format();
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let grouping = int_part.len() >= 3 + format.min_grouping;
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3 * 3);
    for (i, digit) in int_part.chars().enumerate() {
        if grouping && i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push_str(format.group);
        }
        grouped.push(digit);
    }
    match frac_part {
        Some(f) => format!("{sign}{grouped}{}{f}", format.decimal),
        None => format!("{sign}{grouped}"),
    }
}

/// A stablecoin amount for finance people: grouped, and with at least cents
/// (`25000` → `25,000.00`; `107.420001` keeps all six places). Adding zero places is
/// exact: never a digit dropped or rounded.
pub fn amount(value: &Decimal, locale: Locale) -> String {
    let mut shown = *value;
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    format_decimal(&shown, locale)
}

/// An amount with its asset's code where the locale puts a currency: `USDT 107.42`
/// (en), `107,42 USDT` (de), with a no-break space between.
pub fn money(value: &Decimal, asset: &str, locale: Locale) -> String {
    let number = format_decimal(value, locale);
    if locale.number_format().currency_first {
        format!("{asset}{NBSP}{number}")
    } else {
        format!("{number}{NBSP}{asset}")
    }
}

/// `1 EUR = 1.074060 USDT`.
pub fn rate_line(rate: &Decimal, source: &str, target: &str, locale: Locale) -> String {
    format!("1 {source} = {} {target}", format_decimal(rate, locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn separators_per_locale() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(format_decimal(&d("1234567.50"), Locale::En), "1,234,567.50");
        assert_eq!(format_decimal(&d("1234567.50"), Locale::De), "1.234.567,50");
        assert_eq!(format_decimal(&d("107.42"), Locale::En), "107.42");
        assert_eq!(format_decimal(&d("1.000000"), Locale::De), "1,000000");
        assert_eq!(amount(&d("25000"), Locale::En), "25,000.00");
        assert_eq!(amount(&d("0"), Locale::En), "0.00");
        assert_eq!(amount(&d("-15.08"), Locale::En), "-15.08");
        assert_eq!(amount(&d("107.420001"), Locale::De), "107,420001");
        assert_eq!(amount(&d("200000.5"), Locale::En), "200,000.50");
        assert_eq!(format_decimal(&d("0.10"), Locale::En), "0.10");
        assert_eq!(format_decimal(&d("-1000"), Locale::En), "-1,000");
        assert_eq!(format_decimal(&d("100"), Locale::En), "100");
        assert_eq!(Locale::parse("de-DE"), Locale::De);
        assert_eq!(Locale::parse("fr-CA"), Locale::Fr);
        assert_eq!(Locale::parse("pt"), Locale::PtBr);
        assert_eq!(Locale::parse("sv"), Locale::En);
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.tag()), locale);
        }
    }

    #[test]
    fn cldr_separators_grouping_and_the_currencys_place() {
        let d = |s| Decimal::from_str(s).unwrap();
        let cases = [
            (Locale::Fr, "1234567.50", "1\u{202f}234\u{202f}567,50"),
            (Locale::Es, "1234.50", "1234,50"),
            (Locale::Es, "12345.50", "12.345,50"),
            (Locale::Pl, "1234.50", "1234,50"),
            (Locale::Pl, "12345.50", "12\u{a0}345,50"),
            (Locale::It, "1234.5", "1234,5"),
            (Locale::It, "12345.5", "12.345,5"),
            (Locale::Nl, "1234.5", "1.234,5"),
            (Locale::PtBr, "1234.5", "1.234,5"),
        ];
        for (locale, plain, shown) in cases {
            assert_eq!(format_decimal(&d(plain), locale), shown, "{locale:?} {plain}");
        }
        assert_eq!(money(&d("107.42"), "USDT", Locale::En), "USDT\u{a0}107.42");
        assert_eq!(money(&d("107.42"), "USDT", Locale::De), "107,42\u{a0}USDT");
        assert_eq!(money(&d("1234.42"), "USDT", Locale::Nl), "USDT\u{a0}1.234,42");
    }

    proptest! {
        #[test]
        fn never_changes_a_digit(int in 0u64..u64::MAX, frac in 0u32..1_000_000, scale in 0u32..7) {
            let text = if scale == 0 { int.to_string() } else { format!("{int}.{:0width$}", frac % 10u32.pow(scale), width = scale as usize) };
            let value = Decimal::from_str(&text).unwrap();
            for locale in Locale::ALL {
                let shown = format_decimal(&value, locale);
                let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
                let original: String = text.chars().filter(char::is_ascii_digit).collect();
                prop_assert_eq!(digits, original);
            }
        }
    }
}
