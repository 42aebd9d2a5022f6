//! Contract tests of the partner balance and ledger: the upstream client against the
//! sandbox over real HTTP. Reservations, terminal rows, cursor paging, daily bands,
//! top-ups, fail-soft `pool_dry` when the balance cannot cover a stablecoin leg, and
//! the magic amounts that spoil a ledger row for reconciliation tests.

use quote_server::zeropools::balances::LedgerEntryType;
use quote_server::zeropools::types::*;
use quote_server::zeropools::{UpstreamClient, UpstreamErrorKind};
use quote_testkit::contract::{d, firm, firm_quote};
use quote_testkit::harness::*;
use std::time::{Duration, Instant};

/// A firm quote for `amount` EUR, with no order reference.
fn request(amount: &str) -> QuoteRequest {
    QuoteRequest { partner_reference: None, ..firm(amount) }
}

async fn quote(client: &UpstreamClient, amount: &str) -> QuoteOutcome {
    client.create_quote(&request(amount)).await.unwrap().value
}

async fn available_quote(client: &UpstreamClient, amount: &str) -> Quote {
    firm_quote(client, &request(amount)).await
}

async fn settled(client: &UpstreamClient, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.get_trade(id).await.unwrap().value.status != TradeStatus::Settled {
        assert!(Instant::now() < deadline, "trade {id} never settled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn top_up(url: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{url}/sandbox/top_up")).bearer_auth(KEY).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_trade_reserves_then_settles_in_the_ledger_to_the_digit_and_pages_follow_the_cursor() {
    let mut config = sandbox_config();
    // The reserved balance is read between transact and settlement: settle late enough for that.
    config.settle_delay = Duration::from_secs(2);
    let sb = start_sandbox(config).await;
    let start = sb.client.balances().await.unwrap().value;
    let usdt = start.balances.iter().find(|b| b.asset == "USDT").unwrap();
    assert_eq!((usdt.available.to_string(), usdt.reserved.to_string()), ("25000.00".into(), "0.00".into()));
    let band = start.daily_bands.iter().find(|b| b.pool_id == "EUR-USDT").unwrap();
    assert_eq!((band.approved_usdt.to_string(), band.used_usdt.to_string()), ("200000.00".into(), "0.00".into()));

    let q = available_quote(&sb.client, "100.00").await;
    let trade = sb.client.transact(q.quote_id.as_deref().unwrap(), "key-ledger-1").await.unwrap().value;
    let during = sb.client.balances().await.unwrap().value;
    let usdt = during.balances.iter().find(|b| b.asset == "USDT").unwrap();
    assert_eq!(usdt.available, d("25000.00") - q.target_amount);
    assert_eq!(usdt.reserved, q.target_amount);
    settled(&sb.client, &trade.transact_id).await;

    let page = sb.client.ledger(None, 500).await.unwrap().value;
    assert!(!page.has_more);
    let mine: Vec<_> = page.entries.iter().filter(|e| e.transact_id.as_deref() == Some(trade.transact_id.as_str())).collect();
    assert_eq!(mine.iter().map(|e| e.entry_type).collect::<Vec<_>>(), [LedgerEntryType::Reserve, LedgerEntryType::Settle]);
    assert_eq!(mine[0].amount, -q.target_amount, "the reserve moves exactly the stablecoin leg");
    assert_eq!(mine[1].amount, -q.target_amount);
    assert_eq!(mine[1].reserved_after, d("0.00"));
    let band = sb.client.balances().await.unwrap().value.daily_bands.into_iter().find(|b| b.pool_id == "EUR-USDT").unwrap();
    assert_eq!(band.used_usdt, q.target_amount);

    // Paging: one entry at a time, following the cursor, reaches every row once.
    let (mut after, mut seen) = (None::<String>, Vec::new());
    loop {
        let p = sb.client.ledger(after.as_deref(), 1).await.unwrap().value;
        seen.extend(p.entries.iter().map(|e| e.ledger_id.clone()));
        after = p.entries.last().map(|e| e.ledger_id.clone());
        if !p.has_more {
            break;
        }
    }
    assert_eq!(seen, page.entries.iter().map(|e| e.ledger_id.clone()).collect::<Vec<_>>());

    // A bad cursor or limit is the caller's mistake, named.
    for path in ["/v1/ledger?limit=0", "/v1/ledger?limit=501", "/v1/ledger?limit=x", "/v1/ledger?after=led_nope"] {
        let r = reqwest::Client::new().get(format!("{}{path}", sb.url)).bearer_auth(KEY).send().await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    let r = reqwest::Client::new().get(format!("{}/v1/balances", sb.url)).send().await.unwrap();
    assert_eq!(r.status(), 401, "the balance is the key holder's only");
}

#[tokio::test]
async fn a_dry_lane_answers_pool_dry_until_a_top_up() {
    let mut config = sandbox_config();
    config.starting_balances = vec![("USDT".into(), d("150.00"))];
    let sb = start_sandbox(config).await;
    // Two quotes fit the balance one at a time; executing both does not.
    let a = available_quote(&sb.client, "100.00").await;
    let b = available_quote(&sb.client, "100.00").await;
    sb.client.transact(a.quote_id.as_deref().unwrap(), "key-dry-a").await.unwrap();
    let err = sb.client.transact(b.quote_id.as_deref().unwrap(), "key-dry-b").await.unwrap_err();
    assert_eq!(err.kind, UpstreamErrorKind::Unavailable { reason: UnavailableReason::PoolDry });
    assert!(matches!(quote(&sb.client, "100.00").await, QuoteOutcome::Unavailable { reason: UnavailableReason::PoolDry }));

    let (status, body) = top_up(&sb.url, serde_json::json!({"asset": "USDT", "amount": "5000.00"})).await;
    assert_eq!(status, 200, "{body}");
    let trade = sb.client.transact(b.quote_id.as_deref().unwrap(), "key-dry-b").await.unwrap().value;
    assert_eq!(trade.status, TradeStatus::Reserved, "the same quote executes once the lane is funded");
    let page = sb.client.ledger(None, 500).await.unwrap().value;
    let top_ups: Vec<_> = page.entries.iter().filter(|e| e.entry_type == LedgerEntryType::TopUp).map(|e| e.amount.to_string()).collect();
    assert_eq!(top_ups, ["150.00", "5000.00"]);
    for bad in [
        serde_json::json!({"asset": "USDT", "amount": "-5"}),
        serde_json::json!({"asset": "", "amount": "5"}),
        serde_json::json!({"asset": "USDT"}),
    ] {
        assert_eq!(top_up(&sb.url, bad.clone()).await.0, 400, "{bad}");
    }
}

#[tokio::test]
async fn magic_amounts_give_a_mismatched_or_missing_settle_row() {
    let sb = start_sandbox(sandbox_config()).await;
    let mut ids = Vec::new();
    for (amount, key) in [("14.05", "key-spoil-a"), ("14.06", "key-spoil-b")] {
        let q = available_quote(&sb.client, amount).await;
        let t = sb.client.transact(q.quote_id.as_deref().unwrap(), key).await.unwrap().value;
        settled(&sb.client, &t.transact_id).await;
        ids.push((t.transact_id, q.target_amount));
    }
    let page = sb.client.ledger(None, 500).await.unwrap().value;
    let rows = |id: &str| {
        page.entries.iter().filter(|e| e.transact_id.as_deref() == Some(id)).map(|e| (e.entry_type, e.amount)).collect::<Vec<_>>()
    };
    let (a, a_leg) = &ids[0];
    assert_eq!(rows(a), [(LedgerEntryType::Reserve, -*a_leg), (LedgerEntryType::Settle, -(*a_leg - d("0.01")))]);
    let (b, b_leg) = &ids[1];
    assert_eq!(rows(b), [(LedgerEntryType::Reserve, -*b_leg)], "the settle row is missing");
}
