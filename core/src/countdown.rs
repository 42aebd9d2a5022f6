//! Countdown maths for a firm quote. The remaining time is always recomputed from
//! the clock (never a decremented counter), corrected by the offset between the
//! server's clock and the device's, so it is right after sleep or a hidden tab.

/// Estimated `server_clock - device_clock`, in milliseconds, from one answer:
/// the server's stated time and the device times the request was sent and received.
/// The server stamped its time somewhere inside the round trip; the midpoint is the
/// best single guess.
pub fn clock_offset_ms(server_time_ms: i64, sent_at_ms: i64, received_at_ms: i64) -> i64 {
    let midpoint = sent_at_ms + (received_at_ms - sent_at_ms) / 2;
    server_time_ms - midpoint
}

/// Whole seconds to show: rounded down, so the display never promises more time
/// than there is. Zero once expired.
pub fn seconds_left(expires_at_ms: i64, device_now_ms: i64, offset_ms: i64) -> u64 {
    let remaining = remaining_ms(expires_at_ms, device_now_ms, offset_ms);
    (remaining.max(0) / 1000) as u64
}

/// Milliseconds until expiry by the server's clock (negative once past).
pub fn remaining_ms(expires_at_ms: i64, device_now_ms: i64, offset_ms: i64) -> i64 {
    expires_at_ms - (device_now_ms + offset_ms)
}

/// Accept is allowed only strictly before expiry by the server's clock.
pub fn can_accept(expires_at_ms: i64, device_now_ms: i64, offset_ms: i64) -> bool {
    remaining_ms(expires_at_ms, device_now_ms, offset_ms) > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn offset_is_measured_against_the_round_trip_midpoint() {
        assert_eq!(clock_offset_ms(10_500, 1_000, 2_000), 9_000);
        assert_eq!(clock_offset_ms(1_000, 1_000, 1_000), 0);
    }

    #[test]
    fn seconds_round_down_and_stop_at_zero() {
        assert_eq!(seconds_left(15_000, 0, 0), 15);
        assert_eq!(seconds_left(15_000, 1, 0), 14);
        assert_eq!(seconds_left(15_000, 15_000, 0), 0);
        assert_eq!(seconds_left(15_000, 99_000, 0), 0);
        // A device clock 5 minutes slow: the server's clock decides.
        assert_eq!(seconds_left(15_000, -300_000, 300_000), 15);
    }

    proptest! {
        #[test]
        fn never_shows_more_than_the_true_remaining_time(
            expires in -1_000_000i64..1_000_000, now in -1_000_000i64..1_000_000, offset in -600_000i64..600_000
        ) {
            let true_remaining = expires - (now + offset);
            let shown_ms = seconds_left(expires, now, offset) as i64 * 1000;
            prop_assert!(shown_ms <= true_remaining.max(0));
            prop_assert_eq!(can_accept(expires, now, offset), true_remaining > 0);
        }
    }
}
