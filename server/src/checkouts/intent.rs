//! An intent checked against what its checkout bound, and whether the checkout still
//! takes quotes. Pure: the rules are tested alone.

use super::{bindings, status, CheckoutError};
use crate::store::CheckoutRow;
use quote_core::wire::{CheckoutStatus, Side};
use rust_decimal::Decimal;

/// An intent's fields, as the browser sent them, for [`check_intent`].
pub(crate) struct IntentFields<'a> {
    pub(crate) pool_id: &'a str,
    /// `None` when the browser sent no known side (refused later as unsupported;
    /// on a checkout bound to a side, refused here as locked).
    pub(crate) side: Option<Side>,
    pub(crate) amount: Decimal,
    pub(crate) currency: &'a str,
    pub(crate) network: Option<&'a str>,
    pub(crate) destination_address: Option<&'a str>,
    pub(crate) partner_reference: Option<&'a str>,
    /// Whether the intent may name a reference the checkout has none of (demo mode).
    pub(crate) reference_settable: bool,
}

fn locked(field: &'static str, message: String) -> CheckoutError {
    CheckoutError::FieldLocked { field, message }
}

/// Refuses an intent that differs from what the checkout bound. Pure: tested alone.
pub(crate) fn check_intent(c: &CheckoutRow, i: &IntentFields<'_>) -> Result<(), CheckoutError> {
    let b = bindings(c);
    // A bound amount this server cannot read (only a damaged row holds one) binds
    // everything rather than nothing: the partner's order, not the browser, decides.
    let unreadable = [(&c.amount, b.amount), (&c.amount_min, b.amount_min), (&c.amount_max, b.amount_max)]
        .into_iter()
        .any(|(stored, read)| stored.is_some() && read.is_none());
    if unreadable {
        tracing::error!(checkout_id = %c.checkout_id, "a stored amount binding could not be read; refusing quotes for this checkout");
        return Err(locked("amount", "This checkout's amount could not be read: ask the shop to start the payment again.".into()));
    }
    if let Some(pool) = &b.pool_id {
        if pool != i.pool_id {
            return Err(locked("pool_id", format!("This checkout is for {pool}.")));
        }
    }
    if let Some(side) = b.side {
        if Some(side) != i.side {
            return Err(locked("side", format!("This checkout is a {side}.")));
        }
    }
    if let Some(currency) = &b.currency {
        if currency != i.currency {
            return Err(locked("currency", format!("This checkout's amount is in {currency}.")));
        }
    }
    if let Some(amount) = b.amount {
        if amount != i.amount {
            return Err(locked("amount", format!("This checkout is for {amount} {}.", b.currency.unwrap_or_default())));
        }
    }
    if let Some(min) = b.amount_min {
        if i.amount < min {
            return Err(locked("amount", format!("This checkout allows at least {min} {}.", b.currency.clone().unwrap_or_default())));
        }
    }
    if let Some(max) = b.amount_max {
        if i.amount > max {
            return Err(locked("amount", format!("This checkout allows at most {max} {}.", b.currency.clone().unwrap_or_default())));
        }
    }
    if let Some(network) = &b.network {
        if i.network.is_some_and(|n| n != network) {
            return Err(locked("network", format!("This checkout pays out on {network}.")));
        }
    }
    if let Some(destination) = &b.destination_address {
        if i.destination_address.is_some_and(|d| d != destination) {
            return Err(locked("destination_address", "This checkout pays out to the address the partner set.".into()));
        }
    }
    match (&c.partner_reference, i.partner_reference) {
        (Some(bound), Some(sent)) if bound != sent => {
            return Err(locked("partner_reference", "This checkout belongs to another order.".into()));
        }
        // Only the partner's backend writes the order (when it mints the checkout); a
        // demo checkout, whose "backend" is the page, may name its own.
        (None, Some(_)) if !i.reference_settable => {
            return Err(locked(
                "partner_reference",
                "The order reference is set by the partner's backend when it creates the checkout; leave it out.".into(),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Whether the checkout still takes quotes: never after it converted, no firm ones
/// while an accept's outcome is being confirmed, none after it expired.
pub(crate) fn admit_quote(c: &CheckoutRow, firm: bool) -> Result<(), CheckoutError> {
    match (status(c), &c.trade_id, &c.accept_quote_id) {
        (CheckoutStatus::Converted, Some(trade_id), _) => Err(CheckoutError::Converted { trade_id: trade_id.clone() }),
        (CheckoutStatus::Accepting, _, Some(quote_id)) if firm => Err(CheckoutError::AcceptInProgress { quote_id: quote_id.clone() }),
        (CheckoutStatus::Expired, _, _) => Err(CheckoutError::Expired),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn intent(amount: &str) -> IntentFields<'static> {
        IntentFields {
            pool_id: "EUR-USDT",
            side: Some(Side::Buy),
            amount: Decimal::from_str(amount).unwrap(),
            currency: "EUR",
            network: Some("tron"),
            destination_address: Some("T1"),
            partner_reference: None,
            reference_settable: false,
        }
    }

    #[test]
    fn an_intent_must_match_every_binding() {
        let c = CheckoutRow {
            pool_id: Some("EUR-USDT".into()),
            amount: Some("500.00".into()),
            currency: Some("EUR".into()),
            destination_address: Some("T1".into()),
            partner_reference: Some("order_1".into()),
            expires_at: "9999".into(),
            ..CheckoutRow::default()
        };
        assert!(check_intent(&c, &intent("500")).is_ok(), "500 equals 500.00");
        let field = |r: Result<(), CheckoutError>| match r {
            Err(CheckoutError::FieldLocked { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(check_intent(&c, &intent("10"))), "amount");
        let sided = CheckoutRow { side: Some("buy".into()), ..c.clone() };
        assert!(check_intent(&sided, &intent("500")).is_ok());
        assert_eq!(field(check_intent(&sided, &IntentFields { side: Some(Side::Sell), ..intent("500") })), "side");
        assert_eq!(
            field(check_intent(&sided, &IntentFields { side: None, ..intent("500") })),
            "side",
            "an unknown word is not the bound side"
        );
        assert_eq!(field(check_intent(&c, &IntentFields { destination_address: Some("T2"), ..intent("500") })), "destination_address");
        assert_eq!(field(check_intent(&c, &IntentFields { pool_id: "USD-USDC", ..intent("500") })), "pool_id");
        assert_eq!(field(check_intent(&c, &IntentFields { currency: "USDT", ..intent("500") })), "currency");
        assert_eq!(field(check_intent(&c, &IntentFields { partner_reference: Some("order_2"), ..intent("500") })), "partner_reference");
        assert!(check_intent(&c, &IntentFields { partner_reference: Some("order_1"), ..intent("500") }).is_ok(), "its own reference");
    }

    #[test]
    fn only_a_demo_intent_may_name_a_reference_its_checkout_lacks() {
        let unreferenced = CheckoutRow { expires_at: "9999".into(), ..CheckoutRow::default() };
        let naming = IntentFields { partner_reference: Some("order_9"), ..intent("500") };
        match check_intent(&unreferenced, &naming) {
            Err(CheckoutError::FieldLocked { field, .. }) => assert_eq!(field, "partner_reference"),
            other => panic!("{other:?}"),
        }
        assert!(check_intent(&unreferenced, &IntentFields { reference_settable: true, ..naming }).is_ok());
        assert!(check_intent(&unreferenced, &intent("500")).is_ok(), "naming none is fine");
    }

    #[test]
    fn a_bound_amount_that_cannot_be_read_binds_everything_not_nothing() {
        for damaged in [
            CheckoutRow { amount: Some("five hundred".into()), ..CheckoutRow::default() },
            CheckoutRow { amount_min: Some("10".into()), amount_max: Some("".into()), ..CheckoutRow::default() },
        ] {
            match check_intent(&damaged, &intent("500")) {
                Err(CheckoutError::FieldLocked { field, .. }) => assert_eq!(field, "amount"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_range_binds_both_ends_inclusively() {
        let c = CheckoutRow {
            amount_min: Some("10".into()),
            amount_max: Some("100".into()),
            currency: Some("EUR".into()),
            ..CheckoutRow::default()
        };
        assert!(check_intent(&c, &intent("10")).is_ok());
        assert!(check_intent(&c, &intent("100.000")).is_ok());
        assert!(check_intent(&c, &intent("9.99")).is_err());
        assert!(check_intent(&c, &intent("100.01")).is_err());
    }

    #[test]
    fn a_converted_checkout_takes_no_quote_and_an_accepting_one_no_firm_quote() {
        let open = CheckoutRow { expires_at: "9999".into(), ..CheckoutRow::default() };
        assert!(admit_quote(&open, true).is_ok());
        let accepting = CheckoutRow { accept_quote_id: Some("pq_1".into()), ..open.clone() };
        assert!(admit_quote(&accepting, false).is_ok());
        assert!(matches!(admit_quote(&accepting, true), Err(CheckoutError::AcceptInProgress { .. })));
        let converted = CheckoutRow { trade_id: Some("pt_1".into()), ..accepting };
        assert!(matches!(admit_quote(&converted, false), Err(CheckoutError::Converted { .. })));
        let expired = CheckoutRow { expires_at: "2000-01-01T00:00:00.000Z".into(), ..CheckoutRow::default() };
        assert!(matches!(admit_quote(&expired, false), Err(CheckoutError::Expired)));
    }
}
