//! A quote's status as the store keeps it: core's [`QuoteStatus`], whose words are
//! the `quotes.status` column's. The test below holds them to both migrations' CHECK
//! lists, so neither side can change alone.

pub use quote_core::vocab::QuoteStatus;

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
        for migration in [include_str!("../../migrations/0003_checkouts.sql"), include_str!("../../migrations-postgres/0003_checkouts.sql")]
        {
            let mut allowed = checked_words(migration);
            allowed.sort();
            let mut ours: Vec<String> = QuoteStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect();
            ours.sort();
            assert_eq!(ours, allowed);
        }
        for status in QuoteStatus::ALL {
            assert_eq!(QuoteStatus::try_from(status.to_string()), Ok(*status));
        }
        assert!(QuoteStatus::try_from("Active".to_owned()).is_err());
    }
}
