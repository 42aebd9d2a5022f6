//! A quote's status as the store keeps it. The words are the `quotes.status` column's
//! (both migrations' CHECK lists them); in Rust they are this enum, so a misspelt
//! status is a compile error, not a branch that never matches.

use std::fmt;

/// Where a stored quote is. `Active` until an accept begins (`Accepting`) and ends
/// in a trade (`Accepted`) or without one (`Rejected`, `Unavailable`,
/// `AcceptFailed`), or its window passes (`Expired`). An unavailable answer is
/// stored as `Unavailable` from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QuoteStatus {
    #[default]
    Active,
    Accepting,
    Accepted,
    Expired,
    Rejected,
    Unavailable,
    AcceptFailed,
}

impl QuoteStatus {
    pub const ALL: [QuoteStatus; 7] = [
        QuoteStatus::Active,
        QuoteStatus::Accepting,
        QuoteStatus::Accepted,
        QuoteStatus::Expired,
        QuoteStatus::Rejected,
        QuoteStatus::Unavailable,
        QuoteStatus::AcceptFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Active => "active",
            QuoteStatus::Accepting => "accepting",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Expired => "expired",
            QuoteStatus::Rejected => "rejected",
            QuoteStatus::Unavailable => "unavailable",
            QuoteStatus::AcceptFailed => "accept_failed",
        }
    }

    pub fn parse(word: &str) -> Option<QuoteStatus> {
        QuoteStatus::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// An accept of it began (and may have ended in a trade).
    pub fn accept_began(self) -> bool {
        matches!(self, QuoteStatus::Accepting | QuoteStatus::Accepted)
    }
}

impl fmt::Display for QuoteStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read from the column (`#[sqlx(try_from = "String")]`): a word the CHECK would not
/// have let in is a decode error, never a silent default.
impl TryFrom<String> for QuoteStatus {
    type Error = String;
    fn try_from(word: String) -> Result<Self, Self::Error> {
        QuoteStatus::parse(&word).ok_or_else(|| format!("unknown quote status {word:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words between the parentheses of `CHECK (status IN (…))` in a migration.
    fn checked_words(migration: &str) -> Vec<String> {
        let at = migration.find("CHECK (status IN (").expect("the quotes' status CHECK");
        let list = &migration[at + "CHECK (status IN (".len()..];
        list[..list.find(')').unwrap()].split(',').map(|w| w.trim().trim_matches('\'').to_owned()).collect()
    }

    #[test]
    fn the_words_are_exactly_those_both_stores_allow() {
        for migration in [include_str!("../../migrations/0003_checkouts.sql"), include_str!("../../migrations-postgres/0003_checkouts.sql")] {
            let mut allowed = checked_words(migration);
            allowed.sort();
            let mut ours: Vec<String> = QuoteStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect();
            ours.sort();
            assert_eq!(ours, allowed);
        }
        for status in QuoteStatus::ALL {
            assert_eq!(QuoteStatus::try_from(status.to_string()), Ok(status));
        }
        assert!(QuoteStatus::try_from("Active".to_owned()).is_err());
    }
}
