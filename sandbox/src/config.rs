//! What the sandbox offers: keys, pools, timings. Defaults give two entitled pools
//! and one that exists but the default key is not entitled to.

use rust_decimal::Decimal;
use secrecy::SecretString;
use std::str::FromStr;
use std::time::Duration;
use zeropools_wire::types::Side;

#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub pool_id: String,
    pub source_asset: String,
    pub target_asset: String,
    pub sides: Vec<Side>,
    pub networks: Vec<String>,
    pub min_order_usdt: Decimal,
    pub max_order_usdt: Option<Decimal>,
    /// Target asset per source asset at step zero of the walk.
    pub base_mid: Decimal,
    pub spread_bps: Decimal,
    pub fee_bps: Decimal,
    /// Largest price move per walk step, in tenths of a basis point.
    pub volatility_tenth_bps: u32,
    /// Whether the sandbox's key may use this pool (403 otherwise).
    pub entitled: bool,
    /// The partner's approved daily band for this pool, in USDT.
    pub daily_band_usdt: Decimal,
}

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub secret_key: SecretString,
    pub webhook_secret: SecretString,
    /// Where signed webhooks go; none means they are not sent.
    pub webhook_url: Option<String>,
    pub quote_window: Duration,
    pub settle_delay: Duration,
    pub seed: u64,
    /// How often the price walk takes a step.
    pub price_tick: Duration,
    /// How far the sandbox's clock is from the real one (its timestamps and its
    /// `Date` header), to test clients against a 0Pools whose clock is off.
    pub clock_skew: chrono::Duration,
    pub webhook_max_attempts: u32,
    pub webhook_retry_base: Duration,
    pub pools: Vec<PoolConfig>,
    /// The partner's prefunded balance per asset at start (a `top_up` row each).
    pub starting_balances: Vec<(String, Decimal)>,
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("default decimals are valid")
}

pub fn default_pools() -> Vec<PoolConfig> {
    vec![
        PoolConfig {
            pool_id: "EUR-USDT".into(),
            source_asset: "EUR".into(),
            target_asset: "USDT".into(),
            sides: vec![Side::Buy, Side::Sell],
            networks: vec!["ethereum".into(), "tron".into()],
            min_order_usdt: dec("10.00"),
            max_order_usdt: Some(dec("5000.00")),
            base_mid: dec("1.080000"),
            spread_bps: dec("35"),
            fee_bps: dec("20"),
            volatility_tenth_bps: 5,
            entitled: true,
            daily_band_usdt: dec("200000.00"),
        },
        PoolConfig {
            pool_id: "USD-USDC".into(),
            source_asset: "USD".into(),
            target_asset: "USDC".into(),
            sides: vec![Side::Buy, Side::Sell],
            networks: vec!["ethereum".into(), "solana".into()],
            min_order_usdt: dec("5.00"),
            max_order_usdt: Some(dec("10000.00")),
            base_mid: dec("0.999800"),
            spread_bps: dec("10"),
            fee_bps: dec("20"),
            volatility_tenth_bps: 1,
            entitled: true,
            daily_band_usdt: dec("200000.00"),
        },
        PoolConfig {
            pool_id: "GBP-USDT".into(),
            source_asset: "GBP".into(),
            target_asset: "USDT".into(),
            sides: vec![Side::Buy],
            networks: vec!["ethereum".into()],
            min_order_usdt: dec("10.00"),
            max_order_usdt: None,
            base_mid: dec("1.270000"),
            spread_bps: dec("40"),
            fee_bps: dec("20"),
            volatility_tenth_bps: 5,
            entitled: false,
            daily_band_usdt: dec("50000.00"),
        },
    ]
}

impl SandboxConfig {
    pub fn new(secret_key: SecretString, webhook_secret: SecretString) -> Self {
        SandboxConfig {
            secret_key,
            webhook_secret,
            webhook_url: None,
            quote_window: Duration::from_secs(15),
            settle_delay: Duration::from_secs(3),
            seed: 42,
            price_tick: Duration::from_secs(1),
            clock_skew: chrono::Duration::zero(),
            webhook_max_attempts: 8,
            webhook_retry_base: Duration::from_millis(500),
            pools: default_pools(),
            starting_balances: vec![("USDT".into(), dec("25000.00")), ("USDC".into(), dec("25000.00"))],
        }
    }
}
