//! Checks of the widget's form before any quote is asked for, with a message for
//! each field. Limits in USDT (the pool's, and the program's cap on this checkout's
//! next order when lower) can be checked only when the amount is in the stablecoin;
//! otherwise the server's answer (with the limit) is shown.

use crate::amount::{parse_amount, AmountError, MAX_SCALE};
use crate::copy::{Copy, CopyDeck};
use crate::display::format_decimal;
use crate::vocab::CapKind;
use crate::wire::{OrderCap, PoolView, Side};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    Amount(AmountError),
    OutOfLimits {
        min: Decimal,
        max: Option<Decimal>,
    },
    /// Over the program's cap on this order (a first order, or every order for now).
    OverCap {
        max: Decimal,
        kind: CapKind,
    },
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
            FieldProblem::OverCap { kind: CapKind::FirstOrder, .. } => Copy::ErrorFirstOrderLimit,
            FieldProblem::OverCap { kind: CapKind::Order, .. } => Copy::ErrorOrderLimit,
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
            FieldProblem::OverCap { max, .. } => deck.fill(key, &[("max", &shown(max))]),
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

/// The limits an order in a pool meets for this checkout, in USDT: the pool's, with
/// the program's cap as the maximum when it is lower (`cap` then says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLimits {
    pub min: Decimal,
    pub max: Option<Decimal>,
    pub cap: Option<CapKind>,
}

impl OrderLimits {
    pub fn of(pool: &PoolView, cap: Option<&OrderCap>) -> OrderLimits {
        match cap {
            Some(c) if pool.max_order_usdt.is_none_or(|max| c.limit_usdt < max) => {
                OrderLimits { min: pool.min_order_usdt, max: Some(c.limit_usdt), cap: Some(c.kind) }
            }
            _ => OrderLimits { min: pool.min_order_usdt, max: pool.max_order_usdt, cap: None },
        }
    }

    /// The hint under the amount, before the user types (the cap that applies,
    /// named): its key and its values in `locale`'s number format.
    pub fn hint_parts(&self, locale: crate::display::Locale) -> (Copy, Vec<(&'static str, String)>) {
        let min = ("min", format_decimal(&self.min, locale));
        match (self.max, self.cap) {
            (None, _) => (Copy::LimitsHintNoMax, vec![min]),
            (Some(max), cap) => {
                let key = match cap {
                    Some(CapKind::FirstOrder) => Copy::LimitsHintFirstOrder,
                    Some(CapKind::Order) => Copy::LimitsHintCapped,
                    None => Copy::LimitsHint,
                };
                (key, vec![min, ("max", format_decimal(&max, locale))])
            }
        }
    }

    /// The hint in the deck's words.
    pub fn hint(&self, deck: &CopyDeck) -> String {
        let (key, values) = self.hint_parts(deck.locale());
        let args: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        deck.fill(key, &args)
    }
}

/// Enough for an indicative preview: a valid amount within limits when checkable.
pub fn check_amount(pool: &PoolView, input: &FormInput, cap: Option<&OrderCap>) -> Result<Decimal, FieldProblem> {
    let amount = parse_amount(&input.amount).map_err(FieldProblem::Amount)?;
    let in_stablecoin = pay_currency(pool, input.side) == pool.target_asset;
    if !in_stablecoin {
        return Ok(amount);
    }
    let limits = OrderLimits::of(pool, cap);
    match (limits.max, limits.cap) {
        (Some(max), Some(kind)) if amount > max => Err(FieldProblem::OverCap { max, kind }),
        _ if amount < limits.min || limits.max.is_some_and(|m| amount > m) => {
            Err(FieldProblem::OutOfLimits { min: pool.min_order_usdt, max: pool.max_order_usdt })
        }
        _ => Ok(amount),
    }
}

/// Everything a firm quote needs, with every problem (one per field) at once.
pub fn check_firm(pool: &PoolView, input: &FormInput, cap: Option<&OrderCap>) -> Vec<(&'static str, FieldProblem)> {
    let mut problems = Vec::new();
    if let Err(p) = check_amount(pool, input, cap) {
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
        assert!(check_amount(&pool(), &input("sell", "9.99"), None).is_err());
        assert!(check_amount(&pool(), &input("sell", "5000.01"), None).is_err());
        assert!(check_amount(&pool(), &input("sell", "10"), None).is_ok());
        // Paying in EUR: only the server can tell.
        assert!(check_amount(&pool(), &input("buy", "1"), None).is_ok());
    }

    #[test]
    fn the_programs_cap_is_the_maximum_when_lower_and_says_so() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let first = OrderCap { limit_usdt: d("500.00"), kind: CapKind::FirstOrder };
        let limits = OrderLimits::of(&pool(), Some(&first));
        assert_eq!(limits, OrderLimits { min: d("10.00"), max: Some(d("500.00")), cap: Some(CapKind::FirstOrder) });
        let en = CopyDeck::default();
        assert_eq!(limits.hint(&en), "Your first order: 10.00 to 500.00 USDT");
        assert_eq!(OrderLimits::of(&pool(), None).hint(&en), "Orders worth 10.00 to 5,000.00 USDT");
        let pilot = OrderCap { limit_usdt: d("2000.00"), kind: CapKind::Order };
        assert_eq!(OrderLimits::of(&pool(), Some(&pilot)).hint(&en), "For now, orders worth 10.00 to 2,000.00 USDT");
        // A cap above the pool's own maximum changes nothing.
        let loose = OrderCap { limit_usdt: d("9000"), kind: CapKind::Order };
        assert_eq!(OrderLimits::of(&pool(), Some(&loose)).cap, None);

        let over = check_amount(&pool(), &input("sell", "500.01"), Some(&first)).unwrap_err();
        assert_eq!(over, FieldProblem::OverCap { max: d("500.00"), kind: CapKind::FirstOrder });
        assert_eq!(over.message(&en), "Your first order can be worth up to 500.00 USDT. Enter a smaller amount.");
        assert!(check_amount(&pool(), &input("sell", "500.00"), Some(&first)).is_ok());
        assert!(matches!(check_amount(&pool(), &input("sell", "9"), Some(&first)), Err(FieldProblem::OutOfLimits { .. })));
        assert!(check_amount(&pool(), &input("buy", "5000"), Some(&first)).is_ok(), "in EUR: the server decides");
    }

    #[test]
    fn firm_needs_every_field() {
        let mut i = input("buy", "");
        i.network.clear();
        i.destination = "  ".into();
        let fields: Vec<_> = check_firm(&pool(), &i, None).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["amount", "network", "destination"]);
        assert!(check_firm(&pool(), &input("buy", "100"), None).is_empty());
    }

    #[test]
    fn messages_come_from_the_deck() {
        let deck = CopyDeck::default();
        let p = FieldProblem::OutOfLimits { min: "10.00".parse().unwrap(), max: Some("5000.00".parse().unwrap()) };
        assert_eq!(p.message(&deck), "Enter an amount worth between 10.00 and 5,000.00 USDT.");
        let german = crate::locales::bundled_translations(crate::display::Locale::De).map(std::sync::Arc::new);
        let (de, _) = CopyDeck::for_locale(crate::display::Locale::De, german, []);
        assert_eq!(p.message(&de), "Geben Sie einen Betrag im Wert von 10,00 bis 5.000,00 USDT ein.");
    }
}
