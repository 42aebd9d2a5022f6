//! Checks of the widget's form before any quote is asked for, with a message for
//! each field. Limits in USDT can be checked only when the amount is in the
//! stablecoin; otherwise the server's answer (with min and max) is shown.

use crate::amount::{parse_amount, AmountError, MAX_SCALE};
use crate::copy::{Copy, CopyDeck};
use crate::display::format_decimal;
use crate::wire::{PoolView, Side};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    Amount(AmountError),
    OutOfLimits { min: Decimal, max: Option<Decimal> },
    NetworkRequired,
    DestinationRequired,
}

impl FieldProblem {
    /// The copy key that says this problem.
    pub fn key(&self) -> Copy {
        match self {
            FieldProblem::Amount(AmountError::Empty) => Copy::ErrorAmountRequired,
            FieldProblem::Amount(AmountError::NotANumber) => Copy::ErrorAmountInvalid,
            FieldProblem::Amount(AmountError::NotPositive) => Copy::ErrorAmountNotPositive,
            FieldProblem::Amount(AmountError::TooPrecise) => Copy::ErrorAmountTooPrecise,
            FieldProblem::Amount(AmountError::TooLarge) => Copy::ErrorAmountTooLarge,
            FieldProblem::OutOfLimits { max: Some(_), .. } => Copy::ErrorLimits,
            FieldProblem::OutOfLimits { max: None, .. } => Copy::ErrorLimitsNoMax,
            FieldProblem::NetworkRequired => Copy::ErrorNetworkRequired,
            FieldProblem::DestinationRequired => Copy::ErrorDestinationRequired,
        }
    }

    /// The problem in the deck's words, with the limits in the deck's number format.
    pub fn message(&self, deck: &CopyDeck) -> String {
        let shown = |d: &Decimal| format_decimal(d, deck.locale());
        let key = self.key();
        match self {
            FieldProblem::Amount(AmountError::TooPrecise) => deck.fill(key, &[("places", &MAX_SCALE.to_string())]),
            FieldProblem::OutOfLimits { min, max: Some(max) } => deck.fill(key, &[("min", &shown(min)), ("max", &shown(max))]),
            FieldProblem::OutOfLimits { min, max: None } => deck.fill(key, &[("min", &shown(min))]),
            _ => deck.text(key),
        }
    }
}

/// What the user entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormInput {
    pub side: Side,
    pub amount: String,
    pub network: String,
    pub destination: String,
}

/// The currency the user pays in: the pool's source asset when buying, its target
/// (the stablecoin) when selling.
pub fn pay_currency(pool: &PoolView, side: Side) -> &str {
    if side == Side::Sell {
        &pool.target_asset
    } else {
        &pool.source_asset
    }
}

/// Enough for an indicative preview: a valid amount within limits when checkable.
pub fn check_amount(pool: &PoolView, input: &FormInput) -> Result<Decimal, FieldProblem> {
    let amount = parse_amount(&input.amount).map_err(FieldProblem::Amount)?;
    let in_stablecoin = pay_currency(pool, input.side) == pool.target_asset;
    if in_stablecoin && (amount < pool.min_order_usdt || pool.max_order_usdt.is_some_and(|m| amount > m)) {
        return Err(FieldProblem::OutOfLimits { min: pool.min_order_usdt, max: pool.max_order_usdt });
    }
    Ok(amount)
}

/// Everything a firm quote needs, with every problem (one per field) at once.
pub fn check_firm(pool: &PoolView, input: &FormInput) -> Vec<(&'static str, FieldProblem)> {
    let mut problems = Vec::new();
    if let Err(p) = check_amount(pool, input) {
        problems.push(("amount", p));
    }
    if !pool.networks.contains(&input.network) {
        problems.push(("network", FieldProblem::NetworkRequired));
    }
    if input.destination.trim().is_empty() {
        problems.push(("destination", FieldProblem::DestinationRequired));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> PoolView {
        PoolView {
            pool_id: "EUR-USDT".into(),
            source_asset: "EUR".into(),
            target_asset: "USDT".into(),
            sides: vec![Side::Buy, Side::Sell],
            networks: vec!["tron".into()],
            min_order_usdt: "10.00".parse().unwrap(),
            max_order_usdt: Some("5000.00".parse().unwrap()),
            available: true,
        }
    }

    fn input(side: &str, amount: &str) -> FormInput {
        FormInput { side: Side::parse(side).unwrap(), amount: amount.into(), network: "tron".into(), destination: "T1".into() }
    }

    #[test]
    fn limits_are_checked_when_paying_in_the_stablecoin() {
        assert!(check_amount(&pool(), &input("sell", "9.99")).is_err());
        assert!(check_amount(&pool(), &input("sell", "5000.01")).is_err());
        assert!(check_amount(&pool(), &input("sell", "10")).is_ok());
        // Paying in EUR: only the server can tell.
        assert!(check_amount(&pool(), &input("buy", "1")).is_ok());
    }

    #[test]
    fn firm_needs_every_field() {
        let mut i = input("buy", "");
        i.network.clear();
        i.destination = "  ".into();
        let fields: Vec<_> = check_firm(&pool(), &i).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["amount", "network", "destination"]);
        assert!(check_firm(&pool(), &input("buy", "100")).is_empty());
    }

    #[test]
    fn messages_come_from_the_deck() {
        let deck = CopyDeck::default();
        let p = FieldProblem::OutOfLimits { min: "10.00".parse().unwrap(), max: Some("5000.00".parse().unwrap()) };
        assert_eq!(p.message(&deck), "Enter an amount worth between 10.00 and 5,000.00 USDT.");
        let (de, _) = CopyDeck::for_locale(crate::display::Locale::De, []);
        assert_eq!(p.message(&de), "Geben Sie einen Betrag im Wert von 10,00 bis 5.000,00 USDT ein.");
    }
}
