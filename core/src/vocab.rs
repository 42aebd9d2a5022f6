//! The wire's vocabulary as enums: sides, quote types, quote, trade and checkout
//! statuses, what moved a trade, ledger entry types, outcome, recorded-alert and
//! lookup-id kinds, unavailable reasons and the widget API's error codes. Each
//! serialises to exactly the string the JSON (or the stored column) has always
//! carried, so the wire is unchanged; in Rust a typo is a compile error instead of a
//! silently different branch.
//!
//! Closed vocabularies (side, quote type, the statuses, ledger entry type, id kind)
//! refuse unknown words. Open ones (status source, outcome subject and outcome,
//! recorded alert kind, unavailable reason, error code) keep an unknown word as
//! `Other`, so a word added upstream or by a newer replica degrades to generic
//! handling instead of breaking a parse.

use std::fmt;

/// Declares a string-valued enum: `as_str`, `parse`, `Display`, comparison with
/// `&str`, serde as the bare string and (with `openapi`) a string schema: an `enum`
/// of the words when closed, the words in its description when open. `open` enums
/// take an `Other(String)` fallback for words not listed (and default to an empty
/// one).
macro_rules! vocabulary {
    ($(#[$doc:meta])* closed $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name { #[default] $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every word, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(word: &str) -> Option<$name> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&word).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&word, &[$($word),+])
                })
            }
        }
        /// A stored word read back (a database column): an unknown word is an error.
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(word: String) -> Result<Self, String> {
                $name::parse(&word).ok_or_else(|| format!("unknown {} {word:?}", stringify!($name)))
            }
        }
        /// Exactly these words.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($word),+]))
                    .into()
            }
        }
        vocabulary!(@common $name, [$($word),+]);
    };
    ($(#[$doc:meta])* open $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A word this build does not know (from a newer peer).
            Other(String),
        }

        impl $name {
            /// Every word this build knows.
            pub const KNOWN: &'static [&'static str] = &[$($word),+];
            pub fn as_str(&self) -> &str {
                match self { $($name::$variant => $word,)+ $name::Other(word) => word }
            }
            /// Never fails: an unknown word is kept as `Other`.
            pub fn parse(word: &str) -> $name {
                match word { $($word => $name::$variant,)+ other => $name::Other(other.to_owned()) }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::parse(&<std::borrow::Cow<'de, str>>::deserialize(d)?))
            }
        }
        /// No word at all (a struct's `Default`): an empty `Other`.
        impl Default for $name {
            fn default() -> Self {
                $name::Other(String::new())
            }
        }
        /// A stored word read back (a database column): never fails.
        impl From<String> for $name {
            fn from(word: String) -> Self {
                $name::parse(&word)
            }
        }
        /// A string naming today's words, not an `enum`: a client generated from the
        /// document must keep working when a word is added.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let known = [$(concat!("`", $word, "`")),+].join(", ");
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(format!("Known words: {known}. Others may be added: treat an unknown word as a generic one.")))
                    .examples([$name::KNOWN[0]])
                    .into()
            }
        }
        vocabulary!(@common $name, [$($word),+]);
    };
    (@common $name:ident, [$($word:literal),+]) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool { self.as_str() == other }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool { self.as_str() == *other }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

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
}

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
    /// Where a checkout is: open for quotes, accepting (an accept's outcome is being
    /// confirmed), converted into its one trade, or expired.
    closed CheckoutStatus { Open = "open", Accepting = "accepting", Converted = "converted", Expired = "expired" }
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
    /// Why 0Pools could not quote.
    open UnavailableReason {
        PoolDry = "pool_dry",
        RateUnavailable = "rate_unavailable",
        NetworkUnavailable = "network_unavailable",
        Maintenance = "maintenance",
        /// The companion server's own: its share of 0Pools' quota is spent for now.
        Busy = "busy",
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
    }
}

impl RecordedAlertKind {
    /// What a person reads.
    pub fn label(&self) -> &str {
        match self {
            // As the active alert of the same word is labelled.
            RecordedAlertKind::AcceptStuck => "Accept unconfirmed",
            RecordedAlertKind::AcceptFailed => "Accept refused by 0Pools",
            RecordedAlertKind::AcceptRefusedByCredentials => "Accept refused: check the secret key",
            RecordedAlertKind::AcceptWithoutClaim => "Accept without its checkout's claim",
            RecordedAlertKind::TermsMismatch => "Executed terms differ from the quote",
            RecordedAlertKind::SecondTrade => "Second trade for one checkout",
            RecordedAlertKind::LedgerException => "Ledger exception",
            RecordedAlertKind::UpstreamClock => "0Pools' clock is off",
            RecordedAlertKind::Other(word) => word,
        }
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
        // Sessions, checkouts and credentials.
        SessionRequired = "session_required",
        SessionInvalid = "session_invalid",
        SessionExpired = "session_expired",
        AnonymousSessionsDisabled = "anonymous_sessions_disabled",
        PartnerKeyInvalid = "partner_key_invalid",
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
        NotFound = "not_found",
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
        assert_eq!(
            QuoteStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["active", "accepting", "accepted", "expired", "rejected", "unavailable", "accept_failed"]
        );
        assert_eq!(StatusSource::KNOWN, ["transact", "webhook", "reconcile"]);
        assert_eq!(LedgerEntryType::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["top_up", "reserve", "settle", "release", "fail"]);
        assert_eq!(serde_json::to_string(&QuoteStatus::AcceptFailed).unwrap(), "\"accept_failed\"");
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
        assert_eq!(RecordedAlertKind::from("terms_mismatch".to_owned()), RecordedAlertKind::TermsMismatch);
        let newer = RecordedAlertKind::from("solar_flare".to_owned());
        assert_eq!((newer.as_str(), newer.label()), ("solar_flare", "solar_flare"));
    }

    #[test]
    fn an_accept_began_only_for_accepting_and_accepted_quotes() {
        let began: Vec<_> = QuoteStatus::ALL.iter().filter(|s| s.accept_began()).collect();
        assert_eq!(began, [&QuoteStatus::Accepting, &QuoteStatus::Accepted]);
    }

    #[test]
    fn only_reserved_is_not_terminal_and_statuses_only_move_forward() {
        assert_eq!(TradeStatus::ALL.iter().filter(|s| !s.is_terminal()).collect::<Vec<_>>(), [&TradeStatus::Reserved]);
        assert!(TradeStatus::Reserved.can_move_to(TradeStatus::Settled));
        assert!(!TradeStatus::Settled.can_move_to(TradeStatus::Failed));
        assert!(!TradeStatus::Released.can_move_to(TradeStatus::Reserved));
    }
}
