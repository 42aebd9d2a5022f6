//! What the companion server records and shows partners: quote statuses, what moved
//! a trade, ledger entry types, lookup id kinds, outcome rows, recorded and active
//! alerts, and reconciliation states.

use super::widget::QuoteType;

vocabulary! {
    /// Where a stored quote is: `active` until an accept begins (`accepting`) and ends
    /// in a trade (`accepted`) or without one (`rejected`, `unavailable`,
    /// `accept_failed`), or its window passes (`expired`). An unavailable answer is
    /// `unavailable` from the start. The companion server's `quotes.status` column
    /// holds these words (both migrations' CHECK lists them); partners see them in
    /// evidence and in the answer to a reject.
    closed QuoteStatus {
        Active = "active",
        Accepting = "accepting",
        Accepted = "accepted",
        Expired = "expired",
        Rejected = "rejected",
        Unavailable = "unavailable",
        AcceptFailed = "accept_failed",
    }
}

impl QuoteStatus {
    /// An accept of it began (and may have ended in a trade).
    pub fn accept_began(self) -> bool {
        matches!(self, QuoteStatus::Accepting | QuoteStatus::Accepted)
    }
}

vocabulary! {
    /// What moved a trade's status, as its history records: 0Pools' answer to the
    /// accept (`transact`), its signed event (`webhook`), or the reconciler's read of
    /// the trade (`reconcile`).
    /// Open: a source a newer replica records still reads.
    open StatusSource { Transact = "transact", Webhook = "webhook", Reconcile = "reconcile" }
}

vocabulary! {
    /// A movement of the partner's balance in 0Pools' ledger: a top-up, a trade's
    /// reserve, and its one settle, release or fail.
    closed LedgerEntryType { TopUp = "top_up", Reserve = "reserve", Settle = "settle", Release = "release", Fail = "fail" }
}

impl LedgerEntryType {
    /// What a person reads (the console's ledger).
    pub fn label(self) -> &'static str {
        match self {
            LedgerEntryType::TopUp => "Top-up",
            LedgerEntryType::Reserve => "Reserve",
            LedgerEntryType::Settle => "Settle",
            LedgerEntryType::Release => "Release",
            LedgerEntryType::Fail => "Fail",
        }
    }
}

vocabulary! {
    /// Which kind of id a support lookup matched (the evidence packet's `matched.kind`).
    closed IdKind {
        Checkout = "checkout_id",
        Session = "session_id",
        Quote = "quote_id",
        Trade = "transact_id",
        RequestId = "request_id",
        WebhookEvent = "webhook_event_id",
        LedgerEntry = "ledger_id",
        PartnerReference = "partner_reference",
        PartnerEvent = "partner_event_id",
    }
}

vocabulary! {
    /// What an outcome row (the companion server's `quote_outcomes`, which utilization
    /// counts) is about: a quote request of either type, or an accept. Open: a word
    /// a newer replica stored is counted as nothing, not refused.
    open OutcomeSubject { Indicative = "indicative", Firm = "firm", Accept = "accept" }
}

vocabulary! {
    /// How a quote request or an accept ended, as utilization counts it.
    open Outcome {
        Available = "available",
        Unavailable = "unavailable",
        LimitError = "limit_error",
        /// Refused by rate: the client's limit, or this server's share of 0Pools' quota.
        RateLimited = "rate_limited",
        /// Refused for any other reason (the row's reason is the error code).
        Refused = "refused",
        /// A firm quote whose window passed unaccepted.
        Expired = "expired",
        Accepted = "accepted",
        AcceptRefused = "accept_refused",
    }
}

impl From<QuoteType> for OutcomeSubject {
    fn from(quote_type: QuoteType) -> Self {
        match quote_type {
            QuoteType::Firm => OutcomeSubject::Firm,
            QuoteType::Indicative => OutcomeSubject::Indicative,
        }
    }
}

vocabulary! {
    /// Something the companion server recorded when it happened (its `alerts` table,
    /// once per kind and subject): the console's recorded alerts and evidence list them.
    /// Open: a word a newer replica recorded still reads.
    open RecordedAlertKind {
        AcceptStuck = "accept_stuck",
        AcceptFailed = "accept_failed",
        AcceptRefusedByCredentials = "accept_refused_by_credentials",
        AcceptWithoutClaim = "accept_without_claim",
        TermsMismatch = "terms_mismatch",
        SecondTrade = "second_trade",
        LedgerException = "ledger_exception",
        UpstreamClock = "upstream_clock",
        PartnerWebhookUndelivered = "partner_webhook_undelivered",
    }
}

impl RecordedAlertKind {
    /// What a person reads.
    pub fn label(&self) -> &str {
        match self {
            // The words an active alert also has read as it does.
            RecordedAlertKind::AcceptStuck => AlertKind::AcceptStuck.label(),
            RecordedAlertKind::AcceptFailed => "Accept refused by 0Pools",
            RecordedAlertKind::AcceptRefusedByCredentials => "Accept refused: check the secret key",
            RecordedAlertKind::AcceptWithoutClaim => "Accept without its checkout's claim",
            RecordedAlertKind::TermsMismatch => "Executed terms differ from the quote",
            RecordedAlertKind::SecondTrade => "Second trade for one checkout",
            RecordedAlertKind::LedgerException => AlertKind::LedgerException.label(),
            RecordedAlertKind::UpstreamClock => "0Pools' clock is off",
            RecordedAlertKind::PartnerWebhookUndelivered => AlertKind::PartnerWebhookUndelivered.label(),
            RecordedAlertKind::Other(word) => word,
        }
    }
}

/// How fast a person acts (the runbook's severity table): `critical` pages whoever
/// is on call now; `warning` is for the program's owner within the business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(word: &str) -> Option<Severity> {
        match word {
            "warning" => Some(Severity::Warning),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl TryFrom<String> for Severity {
    type Error = String;
    fn try_from(word: String) -> Result<Self, String> {
        Severity::parse(&word).ok_or_else(|| format!("unknown severity {word:?}"))
    }
}

impl RecordedAlertKind {
    /// How fast a person acts on it (the runbook's severity table).
    pub fn severity(&self) -> Severity {
        match self {
            RecordedAlertKind::UpstreamClock | RecordedAlertKind::PartnerWebhookUndelivered => Severity::Warning,
            _ => Severity::Critical,
        }
    }
}

vocabulary! {
    /// What an active alert is about (computed live from the store and 0Pools' balance,
    /// never stored): the console picks its badge and copy by it.
    closed AlertKind {
        TradeReservedTooLong = "trade_reserved_too_long",
        UnavailableSpike = "unavailable_spike",
        WebhookVerificationFailures = "webhook_verification_failures",
        BalanceLow = "balance_low",
        LedgerException = "ledger_exception",
        AcceptStuck = "accept_stuck",
        BalanceUnknown = "balance_unknown",
        PartnerWebhookUndelivered = "partner_webhook_undelivered",
        LimitErrorsRising = "limit_errors_rising",
        AcceptanceFalling = "acceptance_falling",
        ReservedUtilizationHigh = "reserved_utilization_high",
    }
}

impl AlertKind {
    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::TradeReservedTooLong => "Trade reserved too long",
            AlertKind::UnavailableSpike => "Unavailable answers rising",
            AlertKind::WebhookVerificationFailures => "Webhook signature failures",
            AlertKind::BalanceLow => "Balance low",
            AlertKind::LedgerException => "Ledger exception",
            AlertKind::AcceptStuck => "Accept unconfirmed",
            AlertKind::BalanceUnknown => "Balance unknown",
            AlertKind::PartnerWebhookUndelivered => "Partner webhook undelivered",
            AlertKind::LimitErrorsRising => "Limit errors rising",
            AlertKind::AcceptanceFalling => "Accepted-quote rate falling",
            AlertKind::ReservedUtilizationHigh => "Reserved utilization high",
        }
    }
}

vocabulary! {
    /// How a trade stands against 0Pools' ledger (`trades.reconciliation_state`): only
    /// the ledger pass writes it.
    closed ReconciliationState {
        /// Not (yet) all of its rows are in the ledger.
        Open = "open",
        Matched = "matched",
        /// A row is missing or disagrees; the reason says which.
        Exception = "exception",
    }
}

impl ReconciliationState {
    /// What a person reads (the console's ledger).
    pub fn label(self) -> &'static str {
        match self {
            ReconciliationState::Open => "Open",
            ReconciliationState::Matched => "Matched",
            ReconciliationState::Exception => "Exception",
        }
    }
}

vocabulary! {
    /// How a partner program's draws are backed (`PROGRAM_FUNDING_MODEL`).
    closed FundingModel {
        Prefunded = "prefunded",
        SettlementCycle = "settlement_cycle",
    }
}

vocabulary! {
    /// One item of the go-live checklist: the launch readiness record's four flags and
    /// the go-live list of 0Pools' partner-liquidity-programs page.
    closed ChecklistItem {
        Funding = "funding",
        Webhooks = "webhooks",
        Monitoring = "monitoring",
        Support = "support",
        Entitlements = "entitlements",
        Limits = "limits",
        SignedWebhooks = "signed_webhooks",
        IdempotentAccepts = "idempotent_accepts",
        LedgerReconciles = "ledger_reconciles",
        Runbook = "runbook",
        ApprovedMessaging = "approved_messaging",
    }
}

impl ChecklistItem {
    /// What a person reads: the page's own words for its go-live list.
    pub fn label(self) -> &'static str {
        match self {
            ChecklistItem::Funding => "Funding is ready",
            ChecklistItem::Webhooks => "Your backend receives outcomes",
            ChecklistItem::Monitoring => "Someone is watching",
            ChecklistItem::Support => "Support can investigate",
            ChecklistItem::Entitlements => "Entitlements are correct",
            ChecklistItem::Limits => "Limits prevent oversized orders",
            ChecklistItem::SignedWebhooks => "Webhooks verify signatures",
            ChecklistItem::IdempotentAccepts => "Duplicate accepts collapse idempotently",
            ChecklistItem::LedgerReconciles => "Balance ledger reconciles",
            ChecklistItem::Runbook => "Returned/failed cases have a runbook",
            ChecklistItem::ApprovedMessaging => "User messaging is approved",
        }
    }
}

vocabulary! {
    /// Where a checklist item stands: proven by evidence the server holds, not (yet),
    /// or for a person to confirm (the evidence says where to look).
    closed ReadinessState {
        Ready = "ready",
        NotReady = "not_ready",
        ToReview = "to_review",
    }
}

vocabulary! {
    /// Where an incident stands: open, acknowledged by a person, or resolved with a note.
    closed IncidentState {
        Open = "open",
        Acknowledged = "acknowledged",
        Resolved = "resolved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_words_are_these() {
        assert_eq!(
            QuoteStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["active", "accepting", "accepted", "expired", "rejected", "unavailable", "accept_failed"]
        );
        assert_eq!(StatusSource::KNOWN, ["transact", "webhook", "reconcile"]);
        assert_eq!(LedgerEntryType::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["top_up", "reserve", "settle", "release", "fail"]);
        assert_eq!(ReconciliationState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["open", "matched", "exception"]);
        assert_eq!(serde_json::to_string(&AlertKind::TradeReservedTooLong).unwrap(), "\"trade_reserved_too_long\"");
        assert_eq!(ReconciliationState::try_from("settled".to_owned()), Err("unknown ReconciliationState \"settled\"".to_owned()));
        assert_eq!(serde_json::to_string(&QuoteStatus::AcceptFailed).unwrap(), "\"accept_failed\"");
    }

    #[test]
    fn open_record_words_keep_unknown_ones() {
        assert_eq!(RecordedAlertKind::from("terms_mismatch".to_owned()), RecordedAlertKind::TermsMismatch);
        let newer = RecordedAlertKind::from("solar_flare".to_owned());
        assert_eq!((newer.as_str(), newer.label()), ("solar_flare", "solar_flare"));
    }

    #[test]
    fn an_accept_began_only_for_accepting_and_accepted_quotes() {
        let began: Vec<_> = QuoteStatus::ALL.iter().filter(|s| s.accept_began()).collect();
        assert_eq!(began, [&QuoteStatus::Accepting, &QuoteStatus::Accepted]);
    }
}
