//! Every DOM event the widget dispatches on its host element, with its `detail`.
//! This is the one list: the widget emits only these, `docs/embedding.md` and
//! `embed/embed.d.ts` document exactly these, and tests hold the three together.

use crate::vocab::{ErrorCode, Side, TradeStatus, UnavailableReason};
use crate::wire::QuoteTerms;
use serde::Serialize;

/// `quote-widget:<name>` with this `detail` (the variant's fields, as JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum HostEvent {
    /// An indicative estimate arrived.
    Preview { pool_id: String, side: Side, amount: String, terms: QuoteTerms },
    /// A firm quote was locked.
    Quote { quote_id: String, expires_at: Option<String>, terms: QuoteTerms },
    /// 0Pools could not quote now.
    Unavailable { reason: UnavailableReason, retry_after_ms: u64 },
    /// The firm quote on screen expired.
    Expired { quote_id: String, expires_at: Option<String> },
    /// The user accepted; the trade exists.
    Accepted { quote_id: String, trade_id: String, status: TradeStatus },
    /// The trade's status changed (the first is `reserved`).
    Status { trade_id: String, quote_id: String, status: TradeStatus },
    /// The trade ended: `settled`, `failed` or `released`.
    Terminal { trade_id: String, quote_id: String, status: TradeStatus },
    /// Something went wrong that the user is told about.
    Error { code: ErrorCode, message: String },
}

impl HostEvent {
    /// Every event name, in the order of the documentation.
    pub const NAMES: [&'static str; 8] = ["preview", "quote", "unavailable", "expired", "accepted", "status", "terminal", "error"];

    /// The name after `quote-widget:`.
    pub fn name(&self) -> &'static str {
        match self {
            HostEvent::Preview { .. } => "preview",
            HostEvent::Quote { .. } => "quote",
            HostEvent::Unavailable { .. } => "unavailable",
            HostEvent::Expired { .. } => "expired",
            HostEvent::Accepted { .. } => "accepted",
            HostEvent::Status { .. } => "status",
            HostEvent::Terminal { .. } => "terminal",
            HostEvent::Error { .. } => "error",
        }
    }

    /// The fields of each event's `detail`, in order (what the documentation lists).
    pub fn documented_fields(name: &str) -> &'static [&'static str] {
        match name {
            "preview" => &["pool_id", "side", "amount", "terms"],
            "quote" => &["quote_id", "expires_at", "terms"],
            "unavailable" => &["reason", "retry_after_ms"],
            "expired" => &["quote_id", "expires_at"],
            "accepted" => &["quote_id", "trade_id", "status"],
            "status" | "terminal" => &["trade_id", "quote_id", "status"],
            "error" => &["code", "message"],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn terms() -> QuoteTerms {
        QuoteTerms {
            pool_id: "EUR-USDT".into(),
            side: crate::vocab::Side::Buy,
            source_asset: "EUR".into(),
            source_amount: Decimal::new(10_000, 2),
            target_asset: "USDT".into(),
            target_amount: Decimal::new(10_742, 2),
            rate: Decimal::new(1_074_200, 6),
            spread_bps: Decimal::new(35, 0),
            fee_bps: Decimal::new(20, 0),
            network: Some("tron".into()),
            destination_address: None,
            created_at: "2026-06-28T20:14:15.000Z".into(),
            expires_at: Some("2026-06-28T20:14:30.000Z".into()),
            executable: true,
        }
    }

    pub(crate) fn one_of_each() -> Vec<HostEvent> {
        let s = |v: &str| v.to_owned();
        vec![
            HostEvent::Preview { pool_id: s("EUR-USDT"), side: Side::Buy, amount: s("100"), terms: terms() },
            HostEvent::Quote { quote_id: s("pq_1"), expires_at: terms().expires_at, terms: terms() },
            HostEvent::Unavailable { reason: UnavailableReason::PoolDry, retry_after_ms: 10_000 },
            HostEvent::Expired { quote_id: s("pq_1"), expires_at: terms().expires_at },
            HostEvent::Accepted { quote_id: s("pq_1"), trade_id: s("pt_1"), status: TradeStatus::Reserved },
            HostEvent::Status { trade_id: s("pt_1"), quote_id: s("pq_1"), status: TradeStatus::Reserved },
            HostEvent::Terminal { trade_id: s("pt_1"), quote_id: s("pq_1"), status: TradeStatus::Settled },
            HostEvent::Error { code: ErrorCode::Network, message: s("the server could not be reached") },
        ]
    }

    #[test]
    fn every_payload_has_exactly_its_documented_fields() {
        let events = one_of_each();
        let names: Vec<_> = events.iter().map(HostEvent::name).collect();
        assert_eq!(names, HostEvent::NAMES, "one example of each event, in order");
        for event in events {
            let json = serde_json::to_value(&event).unwrap();
            let fields: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
            let mut documented = HostEvent::documented_fields(event.name()).to_vec();
            documented.sort_unstable();
            let mut fields = fields;
            fields.sort_unstable();
            assert_eq!(fields, documented, "{}", event.name());
        }
    }

    #[test]
    fn money_stays_a_decimal_string() {
        let json = serde_json::to_value(&one_of_each()[0]).unwrap();
        assert_eq!(json["terms"]["target_amount"], "107.42");
        assert_eq!(json["terms"]["rate"], "1.074200");
    }

    #[test]
    fn the_embedding_guide_documents_every_event_and_field() {
        let guide = include_str!("../../docs/embedding.md");
        for name in HostEvent::NAMES {
            let fields = HostEvent::documented_fields(name).join(", ");
            let row = format!("| `quote-widget:{name}` |");
            let line = guide.lines().find(|l| l.starts_with(&row)).unwrap_or_else(|| panic!("the guide lists quote-widget:{name}"));
            assert!(line.ends_with(&format!("| `{{{fields}}}` |")), "the guide's fields for {name}: {line}");
        }
    }

    #[test]
    fn the_typescript_declarations_type_every_event_and_field() {
        let declarations = include_str!("../../embed/embed.d.ts");
        for name in HostEvent::NAMES {
            let key = format!("'quote-widget:{name}': CustomEvent<");
            let at = declarations.find(&key).unwrap_or_else(|| panic!("embed.d.ts maps quote-widget:{name}")) + key.len();
            let detail = &declarations[at..at + declarations[at..].find('>').unwrap()];
            let open = format!("export interface {detail} {{");
            let body_at = declarations.find(&open).unwrap_or_else(|| panic!("embed.d.ts declares {detail}")) + open.len();
            let body = &declarations[body_at..body_at + declarations[body_at..].find('}').unwrap()];
            let fields: Vec<&str> =
                body.lines().filter_map(|l| l.trim().split_once(':')).map(|(field, _)| field.trim_end_matches('?')).collect();
            assert_eq!(fields, HostEvent::documented_fields(name), "{detail} in embed.d.ts");
        }
    }

    /// The words of `export type <name> = 'a' | 'b' …;` in embed.d.ts.
    fn declared_words(name: &str) -> Vec<String> {
        let declarations = include_str!("../../embed/embed.d.ts");
        let start = format!("export type {name} = ");
        let line = declarations.lines().find(|l| l.starts_with(&start)).unwrap_or_else(|| panic!("embed.d.ts declares {name}"));
        line[start.len()..]
            .split('|')
            .filter_map(|w| w.trim().trim_end_matches(';').strip_prefix('\'')?.strip_suffix('\'').map(str::to_owned))
            .collect()
    }

    #[test]
    fn the_typescript_unions_are_the_vocabulary() {
        use crate::vocab::{Side, TradeStatus, UnavailableReason};
        let words = |all: &[&str]| all.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        assert_eq!(declared_words("Side"), words(&Side::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        assert_eq!(declared_words("TradeStatus"), words(&TradeStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        let terminal: Vec<&str> = TradeStatus::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.as_str()).collect();
        assert_eq!(declared_words("TerminalStatus"), words(&terminal));
        assert_eq!(declared_words("UnavailableReason"), words(UnavailableReason::KNOWN));
    }
}
