//! RFC 3339 timestamps (as the server and 0Pools write them) to Unix milliseconds.
//! Small on purpose: the widget needs only this one conversion, and a date-time
//! library would ship tens of kilobytes of wasm for it. Checked against `chrono`
//! by a property test.

/// `2026-06-28T20:14:15.123Z` or `…+02:00` → milliseconds since the Unix epoch.
/// Fractions beyond milliseconds are truncated; anything malformed is `None`.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = s.get(from..to)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b[i] == b'.' {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for k in 0..3 {
            millis = millis * 10 + if k < digits { i64::from(b[i + 1 + k] - b'0') } else { 0 };
        }
        i += 1 + digits;
    }
    let offset_minutes = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
            let _ = (h1, h2, m1, m2);
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'-' {
                -(h * 60 + m)
            } else {
                h * 60 + m
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2026-06-28T20:14:15.000Z"), Some(1_782_677_655_000));
        assert_eq!(parse_rfc3339_ms("2026-06-28T22:14:15.5+02:00"), Some(1_782_677_655_500));
        assert_eq!(parse_rfc3339_ms("2026-06-28T20:14:15.123456789Z"), Some(1_782_677_655_123));
        assert_eq!(parse_rfc3339_ms("2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
    }

    #[test]
    fn malformed_is_none() {
        for bad in [
            "",
            "2026-06-28",
            "2026-06-28T20:14:15",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-06-28T24:00:00Z",
            "2026-06-28T20:14:15.Z",
            "2026-06-28T20:14:15+0200",
            "2026-06-28T20:14:15Zjunk",
            "+026-06-28T20:14:15Z",
            "2026-06-28T20:14:1xZ",
            "2026-06-28T20:14:15+24:00",
            "２０２６-06-28T20:14:15Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    proptest! {
        /// Agrees with chrono on every instant it can write, in any offset and precision.
        #[test]
        fn agrees_with_chrono(ms in -2_000_000_000_000i64..8_000_000_000_000, offset_min in -1_439i32..1_439, precision in 0usize..3) {
            use chrono::{FixedOffset, SecondsFormat, TimeZone};
            let zone = FixedOffset::east_opt(offset_min * 60).unwrap();
            let at = zone.timestamp_millis_opt(ms).unwrap();
            let format = [SecondsFormat::Secs, SecondsFormat::Millis, SecondsFormat::Nanos][precision];
            let text = at.to_rfc3339_opts(format, offset_min == 0);
            let expected = if precision == 0 { ms.div_euclid(1000) * 1000 } else { ms };
            prop_assert_eq!(parse_rfc3339_ms(&text), Some(expected), "{}", text);
        }
    }
}
