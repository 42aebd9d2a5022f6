//! Turning the trade 0Pools executed into our stored one: compared with the quote's
//! terms (a difference is stored and alerted), stored with its first history entry,
//! any terminal webhook that arrived first applied, and — when 0Pools says the quote
//! was consumed under our own key — found from the webhook that named it.

use super::{idempotency_key, TradeError, Trading};
use crate::store::{self, QuoteRow, TradeRow};
use crate::zeropools::types::{StatusSource, Trade, TradeStatus};
use crate::zeropools::UpstreamError;
use quote_core::vocab::RecordedAlertKind;
use rust_decimal::Decimal;
use sqlx::Connection;
use std::str::FromStr;

impl Trading {
    pub(crate) async fn resolve_consumed(&self, quote: &QuoteRow, e: UpstreamError) -> Result<TradeRow, TradeError> {
        if let Some(transact_id) = store::webhook_transact_for_quote(&self.store.db, &quote.quote_id).await? {
            let answer = self.upstream.get_trade(&transact_id).await?;
            if answer.value.quote_id == quote.quote_id {
                let key = idempotency_key(&quote.quote_id);
                return self.record_trade(&answer.value, quote, &key, answer.request_id, StatusSource::Reconcile).await;
            }
        }
        tracing::warn!(quote_id = %quote.quote_id, "quote consumed upstream; waiting for the trade's webhook to name it");
        Err(TradeError::AcceptPending(e))
    }

    /// Stores the trade 0Pools reserved (comparing it with the quote's terms) with its
    /// `accepted` outcome row, then applies any terminal webhook that arrived before it
    /// was stored.
    pub(crate) async fn record_trade(
        &self,
        t: &Trade,
        quote: &QuoteRow,
        key: &str,
        request_id: Option<String>,
        source: StatusSource,
    ) -> Result<TradeRow, TradeError> {
        let row = trade_row(t, quote, key, request_id);
        if let Some(mismatch) = &row.terms_mismatch {
            tracing::error!(trade_id = %row.trade_id, quote_id = %quote.quote_id, mismatch, "executed trade differs from the accepted quote");
            self.store
                .raise_alert(
                    RecordedAlertKind::TermsMismatch,
                    &row.trade_id,
                    &format!("trade {} differs from quote {} in {mismatch}", row.trade_id, quote.quote_id),
                )
                .await;
        }
        let accepted = self.outcomes.accepted_row(quote, &row).await;
        let (stored, outbox) = (row.clone(), self.outbox.clone());
        // The trade and the partner's event for its status as stored, in one transaction.
        let written = self
            .store
            .writes
            .run(move |c| {
                Box::pin(async move {
                    let mut tx = c.begin().await?;
                    let written = store::insert_trade(&mut tx, &stored, &source, &accepted).await?;
                    if let Some(trade) = store::trade_on(&mut tx, &stored.trade_id).await? {
                        outbox.queue_in(&mut tx, &trade).await?;
                    }
                    tx.commit().await?;
                    Ok(written)
                })
            })
            .await?;
        if !written.owns_checkout {
            let checkout = quote.checkout_id.as_str();
            tracing::error!(trade_id = %row.trade_id, checkout_id = checkout, "a second trade for a checkout that had already converted");
            self.store
                .raise_alert(
                    RecordedAlertKind::SecondTrade,
                    &row.trade_id,
                    &format!("checkout {checkout} already converted; trade {} came from quote {}", row.trade_id, quote.quote_id),
                )
                .await;
        }
        // Announced as stored now (a webhook may already have moved it: the partner must
        // never hear `reserved` after a terminal status).
        let Some((stored, early)) = store::trade_with_early_event(&self.store.db, &row.trade_id).await? else { return Ok(row) };
        self.announce_row(&stored);
        match early {
            // A terminal webhook came before the trade was stored: applied now (or by
            // whoever moves it meanwhile), and answered as it is then.
            Some((event_id, status)) if stored.status == TradeStatus::Reserved => {
                self.advance(&row.trade_id, status, StatusSource::Webhook, Some(&event_id), None).await?;
                Ok(store::trade(&self.store.db, &row.trade_id).await?.unwrap_or(stored))
            }
            _ => Ok(stored),
        }
    }
}

/// The terms of the executed trade that differ from the quote the user accepted.
fn mismatched_terms(t: &Trade, q: &QuoteRow) -> Vec<&'static str> {
    let same_decimal = |stored: &Option<String>, actual: Decimal| stored.as_deref().and_then(|s| Decimal::from_str(s).ok()) == Some(actual);
    let mut fields = Vec::new();
    if t.quote_id != q.quote_id {
        fields.push("quote_id");
    }
    if t.pool_id != q.pool_id {
        fields.push("pool_id");
    }
    if t.side != q.side {
        fields.push("side");
    }
    if q.source_asset.as_deref() != Some(t.source_asset.as_str()) {
        fields.push("source_asset");
    }
    if !same_decimal(&q.source_amount, t.source_amount) {
        fields.push("source_amount");
    }
    if q.target_asset.as_deref() != Some(t.target_asset.as_str()) {
        fields.push("target_asset");
    }
    if !same_decimal(&q.target_amount, t.target_amount) {
        fields.push("target_amount");
    }
    if q.network.as_deref() != Some(t.network.as_str()) {
        fields.push("network");
    }
    if q.destination_address.as_deref() != Some(t.destination_address.as_str()) {
        fields.push("destination_address");
    }
    fields
}

fn trade_row(t: &Trade, quote: &QuoteRow, key: &str, request_id: Option<String>) -> TradeRow {
    let mismatch = mismatched_terms(t, quote);
    TradeRow {
        trade_id: t.transact_id.clone(),
        quote_id: quote.quote_id.clone(),
        session_id: quote.session_id.clone(),
        idempotency_key: key.to_owned(),
        status: t.status,
        request_id,
        pool_id: t.pool_id.clone(),
        side: t.side,
        source_asset: t.source_asset.clone(),
        source_amount: t.source_amount.to_string(),
        target_asset: t.target_asset.clone(),
        target_amount: t.target_amount.to_string(),
        network: t.network.clone(),
        destination_address: t.destination_address.clone(),
        created_at: store::timestamp(t.created_at),
        updated_at: store::timestamp(t.updated_at),
        partner_reference: quote.partner_reference.clone(),
        checkout_id: Some(quote.checkout_id.clone()),
        terms_mismatch: (!mismatch.is_empty()).then(|| mismatch.join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zeropools::types::{Side, TradeStatus};

    fn quote() -> QuoteRow {
        QuoteRow {
            quote_id: "pq_1".into(),
            pool_id: "EUR-USDT".into(),
            side: Side::Buy,
            source_asset: Some("EUR".into()),
            source_amount: Some("100.00".into()),
            target_asset: Some("USDT".into()),
            target_amount: Some("107.42".into()),
            network: Some("tron".into()),
            destination_address: Some("T1".into()),
            ..QuoteRow::default()
        }
    }

    fn trade() -> Trade {
        let at = chrono::Utc::now();
        Trade {
            transact_id: "pt_1".into(),
            quote_id: "pq_1".into(),
            status: TradeStatus::Reserved,
            pool_id: "EUR-USDT".into(),
            side: Side::Buy,
            source_asset: "EUR".into(),
            source_amount: Decimal::from_str("100.0").unwrap(),
            target_asset: "USDT".into(),
            target_amount: Decimal::from_str("107.42").unwrap(),
            network: "tron".into(),
            destination_address: "T1".into(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_executed_trade_is_compared_with_every_term_of_the_quote() {
        assert!(mismatched_terms(&trade(), &quote()).is_empty(), "100.0 equals 100.00");
        let t = Trade { target_amount: Decimal::from_str("107.41").unwrap(), destination_address: "T9".into(), ..trade() };
        assert_eq!(mismatched_terms(&t, &quote()), vec!["target_amount", "destination_address"]);
        let t = Trade { network: "ethereum".into(), target_asset: "USDC".into(), ..trade() };
        assert_eq!(mismatched_terms(&t, &quote()), vec!["target_asset", "network"]);
    }
}
