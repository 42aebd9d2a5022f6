//! The wire's vocabulary as enums: sides, quote types, quote, trade and checkout
//! statuses, what moved a trade, ledger entry types, outcome, recorded-alert and
//! lookup-id kinds, unavailable reasons and the widget API's error codes. Each
//! serialises to exactly the string the JSON (or the stored column) has always
//! carried, so the wire is unchanged; in Rust a typo is a compile error instead of a
//! silently different branch.
//!
//! Closed vocabularies (side, quote type, the statuses, ledger entry type, id kind,
//! active alert kind, reconciliation state) refuse unknown words. Open ones (status
//! source, outcome subject and outcome, recorded alert kind, unavailable reason,
//! error code) keep an unknown word as `Other`, so a word added upstream or by a
//! newer replica degrades to generic handling instead of breaking a parse. The
//! server's stores refuse any other word in a column holding a closed vocabulary
//! (its migration 0008 and `tests/vocabulary_guards.rs`).
//!
//! - [`widget`]: the widget API's words (what the browser sends and reads).
//! - [`records`]: what the companion server records and shows partners.
//! - `declare`: the `vocabulary!` macro both are written with.

#[macro_use]
mod declare;
pub mod records;
pub mod widget;

pub use records::*;
pub use widget::*;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// An open vocabulary's words are unique, and each known word clones to itself
    /// (its `Clone` finds a known variant again by its word).
    fn check<T: Clone + PartialEq + std::fmt::Debug>(known: &[&str], parse: fn(&str) -> T, other: fn(String) -> T) {
        assert_eq!(known.iter().collect::<HashSet<_>>().len(), known.len(), "a word twice in {known:?}");
        for word in known {
            let value = parse(word);
            assert_ne!(value, other((*word).to_owned()), "{word} is known");
            assert_eq!(value.clone(), value);
        }
        // Even an `Other` that spells a known word stays an `Other`.
        let odd = other(known[0].to_owned());
        assert_eq!(odd.clone(), odd);
    }

    #[test]
    fn open_vocabularies_clone_to_themselves() {
        check(ErrorCode::KNOWN, ErrorCode::parse, ErrorCode::Other);
        check(UnavailableReason::KNOWN, UnavailableReason::parse, UnavailableReason::Other);
        check(StatusSource::KNOWN, StatusSource::parse, StatusSource::Other);
        check(OutcomeSubject::KNOWN, OutcomeSubject::parse, OutcomeSubject::Other);
        check(Outcome::KNOWN, Outcome::parse, Outcome::Other);
        check(RecordedAlertKind::KNOWN, RecordedAlertKind::parse, RecordedAlertKind::Other);
    }
}
