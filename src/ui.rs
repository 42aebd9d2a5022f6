//! What every component reads from context: the copy deck and the locale, plus
//! small helpers for text and ids.

use leptos::prelude::*;
use quote_core::copy::{Copy, CopyDeck};
use quote_core::display::Locale;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

#[derive(Clone)]
pub struct Ui {
    pub deck: Arc<CopyDeck>,
    pub locale: Locale,
    /// Prefix making element ids unique when several widgets share a page.
    pub id_prefix: String,
}

static INSTANCES: AtomicU32 = AtomicU32::new(0);

impl Ui {
    pub fn new(deck: CopyDeck, locale: Locale) -> Self {
        let n = INSTANCES.fetch_add(1, Ordering::Relaxed) + 1;
        Ui { deck: Arc::new(deck), locale, id_prefix: format!("qw{n}") }
    }
    pub fn t(&self, key: Copy) -> String {
        self.deck.text(key)
    }
    pub fn fill(&self, key: Copy, args: &[(&str, &str)]) -> String {
        self.deck.fill(key, args)
    }
    pub fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.id_prefix)
    }
}

pub fn ui() -> Ui {
    use_context::<Ui>().unwrap_or_else(|| Ui::new(CopyDeck::default(), Locale::En))
}
