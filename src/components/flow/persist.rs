//! What the flow keeps in the page's storage so a reload (or a second tab) carries
//! on: the accept whose outcome is not known yet, and the trade being followed. The
//! storage keys live here and nowhere else.

use crate::api::Api;
use leptos::prelude::*;
use quote_core::flow::FirmQuote;

const PENDING_ACCEPT: &str = "pending_accept";
const PENDING_TRADE: &str = "pending_trade";

#[derive(Clone, Copy)]
pub struct Persisted {
    api: StoredValue<Api, LocalStorage>,
}

impl Persisted {
    pub fn new(api: StoredValue<Api, LocalStorage>) -> Self {
        Persisted { api }
    }

    /// The quote being accepted, until the accept's answer is definite.
    pub fn pending_accept(&self) -> Option<FirmQuote> {
        self.api.with_value(|a| a.recall_json(PENDING_ACCEPT))
    }
    pub fn set_pending_accept(&self, quote: Option<&FirmQuote>) {
        self.api.with_value(|a| a.remember_json(PENDING_ACCEPT, quote));
    }
    pub fn has_pending_accept(&self) -> bool {
        self.api.with_value(|a| a.recall(PENDING_ACCEPT).is_some())
    }

    /// The trade being followed, until it is terminal.
    pub fn pending_trade(&self) -> Option<String> {
        self.api.with_value(|a| a.recall(PENDING_TRADE))
    }
    pub fn set_pending_trade(&self, trade_id: Option<&str>) {
        self.api.with_value(|a| a.remember(PENDING_TRADE, trade_id));
    }
    /// The storage key another tab of this checkout writes the trade it follows to.
    pub fn pending_trade_key(&self) -> String {
        self.api.with_value(|a| a.storage_key(PENDING_TRADE))
    }

    /// A checkout converts once: a new conversion needs a new (demo) checkout.
    pub fn forget_conversion(&self) {
        self.api.with_value(|a| {
            a.remember(PENDING_TRADE, None);
            a.forget_session();
        });
    }
}
