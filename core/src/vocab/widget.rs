//! The widget API's words: what the browser sends (side, quote type) and reads
//! (trade and checkout status, unavailable reason, error code).

vocabulary! {
    /// The direction of a conversion: `buy` pays fiat for the stablecoin, `sell` the reverse.
    closed Side { Buy = "buy", Sell = "sell" }
}

vocabulary! {
    /// An indicative estimate (never executable) or a firm, executable quote.
    closed QuoteType { Firm = "firm", Indicative = "indicative" }
}

vocabulary! {
    /// Where a trade is: reserved until it settles, fails or is released.
    closed TradeStatus { Reserved = "reserved", Settled = "settled", Failed = "failed", Released = "released" }
}

impl TradeStatus {
    /// Settled, failed and released are final.
    pub fn is_terminal(self) -> bool {
        !matches!(self, TradeStatus::Reserved)
    }
    /// Statuses only move forward: reserved → one terminal status, never back.
    pub fn can_move_to(self, next: TradeStatus) -> bool {
        self == TradeStatus::Reserved && next.is_terminal()
    }
    /// The webhook event type that announces this status (`trade.settled`), as
    /// 0Pools names its events and the partner's webhooks name theirs.
    pub fn event_type(self) -> String {
        format!("trade.{}", self.as_str())
    }
}

vocabulary! {
    /// Where a checkout is: open for quotes, accepting (an accept's outcome is being
    /// confirmed), converted into its one trade, or expired.
    closed CheckoutStatus { Open = "open", Accepting = "accepting", Converted = "converted", Expired = "expired" }
}

vocabulary! {
    /// Why 0Pools could not quote.
    open UnavailableReason {
        PoolDry = "pool_dry",
        RateUnavailable = "rate_unavailable",
        NetworkUnavailable = "network_unavailable",
        Maintenance = "maintenance",
        /// The companion server's own: its share of 0Pools' quota is spent for now.
        Busy = "busy",
        /// The companion server's own: the order is more than the partner's available
        /// balance or today's band can take now (asked before 0Pools would say `pool_dry`).
        Headroom = "headroom",
    }
}

vocabulary! {
    /// Every stable code the widget API answers with (and the widget's own codes for
    /// requests that got no API answer). Clients choose their copy from these.
    open ErrorCode {
        // Bodies and fields.
        InvalidJson = "invalid_json",
        InvalidField = "invalid_field",
        PayloadTooLarge = "payload_too_large",
        FieldLocked = "field_locked",
        /// A field that reads well but does not fit with another or with what is
        /// stored (a period backwards, a range upside down, a cursor naming no row): 422.
        FieldConflict = "field_conflict",
        // Pools and amounts.
        AmountRequired = "amount_required",
        AmountInvalid = "amount_invalid",
        AmountNotPositive = "amount_not_positive",
        AmountTooPrecise = "amount_too_precise",
        AmountTooLarge = "amount_too_large",
        UnknownPool = "unknown_pool",
        PoolUnavailable = "pool_unavailable",
        UnsupportedSide = "unsupported_side",
        UnsupportedNetwork = "unsupported_network",
        UnsupportedCurrency = "unsupported_currency",
        DestinationRequired = "destination_required",
        AmountOutOfLimits = "amount_out_of_limits",
        /// The program's cap on a user's first order (with `max_order_usdt`).
        FirstOrderLimit = "first_order_limit",
        /// The program's cap on any one order during a pilot (with `max_order_usdt`).
        OrderLimit = "order_limit",
        // Sessions, checkouts and credentials.
        SessionRequired = "session_required",
        SessionInvalid = "session_invalid",
        SessionExpired = "session_expired",
        AnonymousSessionsDisabled = "anonymous_sessions_disabled",
        PartnerKeyInvalid = "partner_key_invalid",
        MetricsTokenInvalid = "metrics_token_invalid",
        ConsoleCredentialsInvalid = "console_credentials_invalid",
        ConsoleSignInRequired = "console_sign_in_required",
        CheckoutNotFound = "checkout_not_found",
        CheckoutExpired = "checkout_expired",
        CheckoutConverted = "checkout_converted",
        PartnerReferenceConflict = "partner_reference_conflict",
        // Quotes and accepts.
        QuoteNotFound = "quote_not_found",
        QuoteExpired = "quote_expired",
        QuoteRejected = "quote_rejected",
        QuoteNotExecutable = "quote_not_executable",
        QuoteAlreadyAccepted = "quote_already_accepted",
        AcceptInProgress = "accept_in_progress",
        AcceptPending = "accept_pending",
        AcceptFailed = "accept_failed",
        TradeNotFound = "trade_not_found",
        // Lookups, streams and webhooks.
        EvidenceNotFound = "evidence_not_found",
        IncidentNotFound = "incident_not_found",
        /// The incident was resolved already: nothing to acknowledge or resolve.
        IncidentResolved = "incident_resolved",
        NotFound = "not_found",
        MethodNotAllowed = "method_not_allowed",
        TooManyStreams = "too_many_streams",
        InvalidEvent = "invalid_event",
        SignatureMissing = "signature_missing",
        SignatureMalformed = "signature_malformed",
        SignatureStale = "signature_stale",
        SignatureMismatch = "signature_mismatch",
        // Capacity and dependencies.
        RateLimited = "rate_limited",
        NotReady = "not_ready",
        UpstreamBusy = "upstream_busy",
        UpstreamUnavailable = "upstream_unavailable",
        StorageUnavailable = "storage_unavailable",
        InternalError = "internal_error",
        // The widget's own: no API answer at all.
        Network = "network",
        Aborted = "aborted",
        Unexpected = "unexpected",
        /// The pools could not be loaded (told to the host; the widget shows a retry).
        PoolsUnavailable = "pools_unavailable",
    }
}

impl ErrorCode {
    /// A session code: the widget renews its token and asks again.
    pub fn is_session(&self) -> bool {
        matches!(self, ErrorCode::SessionRequired | ErrorCode::SessionInvalid | ErrorCode::SessionExpired)
    }
}

vocabulary! {
    /// Which launch limit caps an order: the first order of a user, or every order.
    closed CapKind {
        FirstOrder = "first_order",
        Order = "order",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_json_unchanged() {
        for side in Side::ALL {
            let json = serde_json::to_string(side).unwrap();
            assert_eq!(json, format!("\"{}\"", side.as_str()));
            assert_eq!(&serde_json::from_str::<Side>(&json).unwrap(), side);
        }
        for status in TradeStatus::ALL {
            assert_eq!(serde_json::from_str::<TradeStatus>(&format!("\"{status}\"")).unwrap(), *status);
        }
        for status in CheckoutStatus::ALL {
            assert_eq!(serde_json::from_str::<CheckoutStatus>(&format!("\"{status}\"")).unwrap(), *status);
        }
        assert_eq!(CheckoutStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["open", "accepting", "converted", "expired"]);
        assert_eq!(serde_json::to_string(&QuoteType::Indicative).unwrap(), "\"indicative\"");
    }

    #[test]
    fn closed_vocabularies_refuse_unknown_words() {
        let err = serde_json::from_str::<TradeStatus>("\"lost\"").unwrap_err().to_string();
        assert!(err.contains("lost") && err.contains("settled"), "{err}");
        assert_eq!(TradeStatus::try_from("settled".to_owned()), Ok(TradeStatus::Settled));
        assert!(TradeStatus::try_from("lost".to_owned()).unwrap_err().contains("lost"));
        assert_eq!(Side::parse("BUY"), None);
    }

    #[test]
    fn open_vocabularies_keep_unknown_words() {
        let reason: UnavailableReason = serde_json::from_str("\"solar_flare\"").unwrap();
        assert_eq!(reason, UnavailableReason::Other("solar_flare".into()));
        assert_eq!(serde_json::to_string(&reason).unwrap(), "\"solar_flare\"");
        let code: ErrorCode = serde_json::from_str("\"quote_expired\"").unwrap();
        assert_eq!(code, ErrorCode::QuoteExpired);
        assert_eq!(ErrorCode::parse("brand_new"), ErrorCode::Other("brand_new".into()));
    }

    #[test]
    fn each_status_is_announced_by_its_own_event_type() {
        assert_eq!(TradeStatus::Settled.event_type(), "trade.settled");
        let types: std::collections::HashSet<_> = TradeStatus::ALL.iter().map(|s| s.event_type()).collect();
        assert_eq!(types.len(), TradeStatus::ALL.len());
    }

    #[test]
    fn only_reserved_is_not_terminal_and_statuses_only_move_forward() {
        assert_eq!(TradeStatus::ALL.iter().filter(|s| !s.is_terminal()).collect::<Vec<_>>(), [&TradeStatus::Reserved]);
        assert!(TradeStatus::Reserved.can_move_to(TradeStatus::Settled));
        assert!(!TradeStatus::Settled.can_move_to(TradeStatus::Failed));
        assert!(!TradeStatus::Released.can_move_to(TradeStatus::Reserved));
    }
}
