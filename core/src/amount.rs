//! Parsing a user- or partner-supplied amount string into a `Decimal`, with the
//! rules both the widget (before asking for a quote) and the server (before
//! calling 0Pools) enforce, so the two can never disagree.

use rust_decimal::Decimal;

/// The most decimal places an amount may carry. Fiat uses 2, stablecoins up to 6.
pub const MAX_SCALE: u32 = 6;
/// The most digits before the decimal point; anything larger is a typo or an attack.
pub const MAX_INTEGER_DIGITS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    NotPositive,
    TooPrecise,
    TooLarge,
}

impl AmountError {
    /// Stable code, shared with the server's error bodies.
    pub fn code(self) -> crate::vocab::ErrorCode {
        use crate::vocab::ErrorCode;
        match self {
            AmountError::Empty => ErrorCode::AmountRequired,
            AmountError::NotANumber => ErrorCode::AmountInvalid,
            AmountError::NotPositive => ErrorCode::AmountNotPositive,
            AmountError::TooPrecise => ErrorCode::AmountTooPrecise,
            AmountError::TooLarge => ErrorCode::AmountTooLarge,
        }
    }

    pub fn message(self) -> String {
        match self {
            AmountError::Empty => "Enter an amount.".into(),
            AmountError::NotANumber => "Enter the amount as digits, with a dot before any decimals (for example 100.50).".into(),
            AmountError::NotPositive => "Enter an amount greater than zero.".into(),
            AmountError::TooPrecise => {
                format!("Use at most {MAX_SCALE} digits after the decimal point.")
            }
            AmountError::TooLarge => "That amount is too large.".into(),
        }
    }
}

/// Parses a plain decimal string: digits, optionally one `.` and more digits.
/// No sign, exponent, separators or whitespace inside, so what the user typed is
/// exactly what is sent upstream.
pub fn parse_amount(input: &str) -> Result<Decimal, AmountError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.strip_prefix('-').is_some_and(|rest| !rest.is_empty() && is_plain_decimal(rest)) {
        return Err(AmountError::NotPositive);
    }
    if !is_plain_decimal(s) {
        return Err(AmountError::NotANumber);
    }
    let (int_part, frac_part) = s.split_once('.').unwrap_or((s, ""));
    if frac_part.len() > MAX_SCALE as usize {
        return Err(AmountError::TooPrecise);
    }
    if int_part.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err(AmountError::TooLarge);
    }
    let value = plain_decimal(s).ok_or(AmountError::NotANumber)?;
    if value <= Decimal::ZERO {
        return Err(AmountError::NotPositive);
    }
    Ok(value)
}

/// A decimal string of the API's pattern, `^-?[0-9]+(\.[0-9]+)?$`, as its exact value
/// and scale (`"100.00"` keeps its two places); `None` for anything else or more than
/// `Decimal` holds (28 places, 96 bits).
///
/// Not `Decimal::from_str`: that also takes exponents and `_` separators, and its
/// scientific fallback was 3 KB of the widget's wasm (issue #26).
pub fn plain_decimal(s: &str) -> Option<Decimal> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if !is_plain_decimal(digits) {
        return None;
    }
    let mut mantissa: i128 = 0;
    for b in digits.bytes().filter(u8::is_ascii_digit) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    let scale = digits.split_once('.').map_or(0, |(_, fraction)| fraction.len());
    let value = Decimal::try_from_i128_with_scale(if negative { -mantissa } else { mantissa }, u32::try_from(scale).ok()?).ok()?;
    Some(value)
}

/// Digits, and at most one `.` with digits on both sides: no sign, exponent,
/// separator or space.
fn is_plain_decimal(s: &str) -> bool {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int_part) && frac_part.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_amounts_and_keeps_their_scale() {
        assert_eq!(parse_amount("100.00").unwrap().to_string(), "100.00");
        assert_eq!(parse_amount(" 0.10 ").unwrap().to_string(), "0.10");
        assert_eq!(parse_amount("1.000000").unwrap().to_string(), "1.000000");
        assert_eq!(parse_amount("007").unwrap().to_string(), "7");
    }

    #[test]
    fn refuses_what_a_person_must_fix() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("   "), Err(AmountError::Empty));
        assert_eq!(parse_amount("-5"), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("0"), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("0.000"), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("1.0000001"), Err(AmountError::TooPrecise));
        assert_eq!(parse_amount("1234567890123"), Err(AmountError::TooLarge));
        for bad in ["1e5", "1,000", "abc", "1.", ".5", "1.2.3", "+5", "NaN", "inf", "١٢"] {
            assert_eq!(parse_amount(bad), Err(AmountError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn plain_decimals_are_exact_to_the_digit_and_keep_their_scale() {
        for (text, shown) in
            [("100.00", "100.00"), ("007", "7"), ("-0.5", "-0.5"), ("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
        {
            assert_eq!(plain_decimal(text).map(|d| d.to_string()).as_deref(), Some(shown), "{text}");
        }
        assert_eq!(plain_decimal("79228162514264337593543950335"), Some(Decimal::MAX));
        for refused in [
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "1e3",
            "1_000",
            "+1",
            "--1",
            "-",
            "",
            " 1",
            "1.",
            ".5",
            "1.2.3",
        ] {
            assert_eq!(plain_decimal(refused), None, "{refused}");
        }
    }

    proptest::proptest! {
        /// The same value and scale as rust_decimal's own parser, for every plain string it takes.
        #[test]
        fn plain_decimals_read_as_rust_decimal_reads_them(text in "-?[0-9]{1,16}(\\.[0-9]{1,12})?") {
            let theirs = <Decimal as std::str::FromStr>::from_str(&text).unwrap();
            let ours = plain_decimal(&text).unwrap();
            proptest::prop_assert_eq!((ours, ours.scale()), (theirs, theirs.scale()));
        }
    }

    #[test]
    fn leading_zeros_do_not_count_towards_size() {
        assert!(parse_amount("000000000000001").is_ok());
    }
}
