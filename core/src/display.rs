//! Showing decimals to people: only separators change, never a digit. Works on the
//! decimal's own string, with no float anywhere.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    pub fn parse(tag: &str) -> Locale {
        match tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
            "de" => Locale::De,
            _ => Locale::En,
        }
    }
    fn separators(self) -> (char, char) {
        match self {
            Locale::En => (',', '.'),
            Locale::De => ('.', ','),
        }
    }
}

/// `1234567.50` → `1,234,567.50` (en) or `1.234.567,50` (de). Every digit and the
/// scale are kept exactly.
pub fn format_decimal(value: &Decimal, locale: Locale) -> String {
    format_decimal_str(&value.to_string(), locale)
}

/// As [`format_decimal`], on a plain decimal string (`-?digits(.digits)?`).
pub fn format_decimal_str(plain: &str, locale: Locale) -> String {
    let (group, point) = locale.separators();
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, digit) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    match frac_part {
        Some(f) => format!("{sign}{grouped}{point}{f}"),
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

/// `amount ASSET`, e.g. `107.42 USDT`.
pub fn money(value: &Decimal, asset: &str, locale: Locale) -> String {
    format!("{} {asset}", format_decimal(value, locale))
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
        assert_eq!(Locale::parse("fr"), Locale::En);
    }

    proptest! {
        #[test]
        fn never_changes_a_digit(int in 0u64..u64::MAX, frac in 0u32..1_000_000, scale in 0u32..7) {
            let text = if scale == 0 { int.to_string() } else { format!("{int}.{:0width$}", frac % 10u32.pow(scale), width = scale as usize) };
            let value = Decimal::from_str(&text).unwrap();
            for locale in [Locale::En, Locale::De] {
                let shown = format_decimal(&value, locale);
                let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
                let original: String = text.chars().filter(char::is_ascii_digit).collect();
                prop_assert_eq!(digits, original);
            }
        }
    }
}
