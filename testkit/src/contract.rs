//! What the contract tests share: a firm quote request, a quote, a trade awaited
//! in a status.

use quote_server::zeropools::types::*;
use quote_server::zeropools::UpstreamClient;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::time::{Duration, Instant};

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn firm(amount: &str) -> QuoteRequest {
    QuoteRequest {
        pool_id: "EUR-USDT".into(),
        quote_type: QuoteType::Firm,
        side: Side::Buy,
        amount: d(amount),
        currency: "EUR".into(),
        network: Some("tron".into()),
        destination_address: Some("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE".into()),
        partner_reference: Some("order_123".into()),
    }
}

pub async fn firm_quote(client: &UpstreamClient, request: &QuoteRequest) -> Quote {
    match client.create_quote(request).await.unwrap().value {
        QuoteOutcome::Available(q) => q,
        other => panic!("expected an available quote, got {other:?}"),
    }
}

pub async fn wait_for_status(client: &UpstreamClient, id: &str, want: TradeStatus) -> Trade {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let trade = client.get_trade(id).await.unwrap().value;
        if trade.status == want {
            return trade;
        }
        assert!(Instant::now() < deadline, "trade {id} stuck at {:?}", trade.status);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
