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
    /// The designer gallery's record of which keys a frame rendered (gallery builds only).
    #[cfg(feature = "gallery")]
    pub trace: Option<Arc<std::sync::Mutex<Vec<Copy>>>>,
}

static INSTANCES: AtomicU32 = AtomicU32::new(0);

impl Ui {
    pub fn new(deck: CopyDeck, locale: Locale) -> Self {
        let n = INSTANCES.fetch_add(1, Ordering::Relaxed) + 1;
        Ui {
            deck: Arc::new(deck),
            locale,
            id_prefix: format!("qw{n}"),
            #[cfg(feature = "gallery")]
            trace: None,
        }
    }
    pub fn t(&self, key: Copy) -> String {
        self.note(key);
        self.deck.text(key)
    }
    pub fn fill(&self, key: Copy, args: &[(&str, &str)]) -> String {
        self.note(key);
        self.deck.fill(key, args)
    }
    /// Records that `key` was shown (in the gallery; nothing in the widget).
    pub fn note(&self, #[allow(unused_variables)] key: Copy) {
        #[cfg(feature = "gallery")]
        if let Some(trace) = &self.trace {
            if let Ok(mut keys) = trace.lock() {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    pub fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.id_prefix)
    }
}

pub fn ui() -> Ui {
    use_context::<Ui>().unwrap_or_else(|| Ui::new(CopyDeck::default(), Locale::En))
}
