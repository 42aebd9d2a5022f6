//! In-browser component tests: wasm-bindgen-test in headless Chromium. Each state of
//! the flow is mounted from the real components and checked in the DOM.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use quote_core::flow::{FirmQuote, Unavailable};
use quote_core::form::FormInput;
use quote_core::wire::{Side, TradeStatus};
use quote_widget::components::{FirmQuotePanel, PreviewPanel, PreviewState, QuoteForm, TradePanel, UnavailablePanel, Widget};
use quote_widget::gallery::{fixture_pools, fixture_terms, fixture_trade, Gallery};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.dyn_into().unwrap()
}

fn find(root: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("{selector} is rendered")).dyn_into().unwrap()
}

fn text(root: &web_sys::HtmlElement, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

fn disabled(root: &web_sys::HtmlElement, selector: &str) -> bool {
    find(root, selector).has_attribute("disabled")
}

/// Lets the browser run timers and fetches, up to `ms`.
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

const T: i64 = 1_800_000_000_000;

fn firm(expires_in_ms: i64) -> FirmQuote {
    FirmQuote {
        quote_id: "pq_1".into(),
        terms: fixture_terms("107.40", "1.074060"),
        expires_at_ms: T + expires_in_ms,
        offset_ms: 0,
        replaced: None,
    }
}

#[wasm_bindgen_test]
async fn firm_quote_counts_down_and_disables_accept_at_expiry() {
    let root = container();
    let now = RwSignal::new(T);
    let accepted = Arc::new(AtomicU32::new(0));
    let counter = accepted.clone();
    let on_accept = Callback::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let noop = Callback::new(|_| {});
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <FirmQuotePanel quote=Memo::new(|_| firm(12_000)) now accepting=Signal::stored(false) on_accept on_refresh=noop on_back=noop />
        }
    });
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=seconds-left]"), "12 s left");
    assert_eq!(find(&root, "[data-testid=firm-quote]").get_attribute("data-state").as_deref(), Some("active"));
    // English puts a currency code first (CLDR), with a no-break space.
    assert_eq!(text(&root, "[data-testid=source-amount]"), "EUR\u{a0}1,250.00");
    assert_eq!(text(&root, "[data-testid=target-amount]"), "USDT\u{a0}107.40");
    assert_eq!(text(&root, "[data-testid=spread-bps]"), "35 bps");
    assert!(!disabled(&root, "[data-testid=accept]"));
    find(&root, "[data-testid=accept]").click();
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    now.set(T + 7_500);
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=seconds-left]"), "4 s left");
    assert_eq!(find(&root, "[data-testid=firm-quote]").get_attribute("data-state").as_deref(), Some("expiring-soon"));
    assert!(text(&root, "[data-testid=quote-status]").ends_with("Quote expiring soon. Refresh if you need more time."));

    now.set(T + 12_000);
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=seconds-left]"), "0 s left");
    assert!(disabled(&root, "[data-testid=accept]"), "Accept is disabled in the DOM at expiry");
    assert!(text(&root, "[data-testid=quote-status]").ends_with("This quote expired. Refresh to continue."));
}

#[wasm_bindgen_test]
async fn trade_panel_shows_pending_until_terminal() {
    let root = container();
    let trade = RwSignal::new(fixture_trade(TradeStatus::Reserved));
    let _h = leptos::mount::mount_to(
        root.clone(),
        move || view! { <TradePanel trade=Memo::new(move |_| trade.get()) on_new=Callback::new(|_| {}) /> },
    );
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=trade-status]"), "Your conversion is pending settlement.");
    assert!(root.query_selector("[data-testid=new-conversion]").unwrap().is_none(), "no way out while reserved");
    trade.set(fixture_trade(TradeStatus::Settled));
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=trade-status]"), "Your conversion completed.");
    assert!(root.query_selector("[data-testid=new-conversion]").unwrap().is_some());
    trade.set(fixture_trade(TradeStatus::Released));
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=trade-status]"), "We could not complete this conversion. No final credit was posted.");
}

#[wasm_bindgen_test]
async fn unavailable_retry_waits_and_alternate_offers_another_pool() {
    let root = container();
    let now = RwSignal::new(T);
    let chosen = Arc::new(Mutex::new(String::new()));
    let sink = chosen.clone();
    let unavailable = Memo::new(move |_| Unavailable {
        reason: quote_core::wire::UnavailableReason::Maintenance,
        retry_after_ms: 10_000,
        attempt: 1,
        at_ms: T,
    });
    let alternate = Signal::stored(fixture_pools().into_iter().nth(1));
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <UnavailablePanel unavailable now alternate on_retry=Callback::new(|_| {})
                on_alternate=Callback::new(move |id: String| *sink.lock().unwrap() = id) on_back=Callback::new(|_| {}) />
        }
    });
    leptos::task::tick().await;
    assert!(text(&root, "h3").ends_with("This conversion is paused for maintenance. Try again later."));
    // Second attempt: 10 s doubled.
    assert_eq!(text(&root, "[data-testid=retry]"), "Try again in 20 s");
    assert!(disabled(&root, "[data-testid=retry]"));
    now.set(T + 20_000);
    leptos::task::tick().await;
    assert!(!disabled(&root, "[data-testid=retry]"));
    find(&root, "[data-testid=alternate]").click();
    assert_eq!(chosen.lock().unwrap().as_str(), "USD-USDC");
}

#[wasm_bindgen_test]
async fn preview_is_labelled_as_an_estimate_only_when_shown() {
    let root = container();
    let state = RwSignal::new(PreviewState::Idle);
    let _h = leptos::mount::mount_to(root.clone(), move || view! { <PreviewPanel state /> });
    leptos::task::tick().await;
    assert_eq!(text(&root, "[data-testid=preview]"), "");
    state.set(PreviewState::Ready(fixture_terms("107.40", "1.074060")));
    leptos::task::tick().await;
    let shown = text(&root, "[data-testid=preview]");
    assert!(shown.contains("Estimate only. This price is not locked and cannot be accepted."), "{shown}");
    assert_eq!(text(&root, "[data-testid=preview-amount]"), "USDT\u{a0}107.40");
    assert!(root.query_selector("button").unwrap().is_none(), "nothing to accept in a preview");
}

#[wasm_bindgen_test]
async fn form_shows_problems_next_to_fields_and_respects_locks() {
    let root = container();
    let submitted = Arc::new(AtomicBool::new(false));
    let flag = submitted.clone();
    let input = RwSignal::new(FormInput { side: Side::Buy, amount: "1".into(), network: "tron".into(), destination: String::new() });
    let errors = RwSignal::new(vec![("amount".to_owned(), "Enter an amount worth between 10.00 and 5,000.00 USDT.".to_owned())]);
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <QuoteForm pools=RwSignal::new(fixture_pools()) pool_id=RwSignal::new("EUR-USDT".to_owned()) input errors preview=RwSignal::new(PreviewState::Idle)
                locked=Signal::stored(vec!["destination".to_owned()]) on_submit=Callback::new(move |_| flag.store(true, Ordering::SeqCst)) />
        }
    });
    leptos::task::tick().await;
    assert_eq!(find(&root, "[data-testid=amount]").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(text(&root, "[data-testid=amount-error]").ends_with("Enter an amount worth between 10.00 and 5,000.00 USDT."));
    assert!(find(&root, "[data-testid=destination]").has_attribute("readonly"));
    // Labels point at their controls.
    let amount_id = find(&root, "[data-testid=amount]").id();
    assert_eq!(text(&root, &format!("label[for='{amount_id}']")), "You pay (EUR)");
    errors.set(vec![]);
    leptos::task::tick().await;
    assert_eq!(find(&root, "[data-testid=amount]").get_attribute("aria-invalid").as_deref(), Some("false"));
    find(&root, "[data-testid=get-firm-quote]").click();
    assert!(submitted.load(Ordering::SeqCst));
}

#[wasm_bindgen_test]
async fn the_gallery_renders_every_state() {
    let root = container();
    let _h = leptos::mount::mount_to(root.clone(), Gallery);
    leptos::task::tick().await;
    let states = root.query_selector_all("[data-gallery-state]").unwrap();
    assert_eq!(states.length(), 39, "every gallery item (the dead-end and program-limit states included)");
    assert!(disabled(&root, "[data-gallery-state=firm-expired] [data-testid=accept]"));
    assert!(!disabled(&root, "[data-gallery-state=firm-active] [data-testid=accept]"));
    assert!(disabled(&root, "[data-gallery-state=accepting] [data-testid=accept]"));
    assert!(text(&root, "[data-gallery-state=firm-refreshed] [data-testid=what-changed]")
        .starts_with("The new quote changed: You receive 1,343.02 → 1,342.57"));
}

#[wasm_bindgen_test]
async fn the_widget_shows_an_error_state_when_the_server_is_not_there() {
    // The test runner's own server has no /api/pools: the widget must say so, not go blank.
    let root = container();
    let _h = leptos::mount::mount_to(root.clone(), || view! { <Widget /> });
    let mut error = None;
    for _ in 0..100 {
        leptos::task::tick().await;
        error = root.query_selector("[data-testid=pools-error]").unwrap();
        if error.is_some() {
            break;
        }
        pause(20).await;
    }
    let error = error.expect("the error state appears");
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
}

/// Chromium's own formatting (ICU, CLDR) of a decimal string, exactly to its scale:
/// as a number, or with a currency code.
fn intl(tag: &str, plain: &str, currency: Option<&str>) -> String {
    let scale = plain.split_once('.').map_or(0, |(_, f)| f.len());
    let options = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&options, &k.into(), &v).unwrap();
    set("minimumFractionDigits", (scale as f64).into());
    set("maximumFractionDigits", (scale as f64).into());
    if let Some(code) = currency {
        set("style", "currency".into());
        set("currency", code.into());
        set("currencyDisplay", "code".into());
    }
    let locales = js_sys::Array::of1(&tag.into());
    let format = js_sys::Intl::NumberFormat::new(&locales, &options);
    // A string is formatted as the exact decimal it spells (Intl.NumberFormat v3).
    format.format().call1(&format, &plain.into()).unwrap().as_string().unwrap()
}

use wasm_bindgen::JsValue;

#[wasm_bindgen_test]
fn every_locales_numbers_and_currency_place_are_chromiums() {
    use quote_core::display::{format_decimal, money, Locale};
    use rust_decimal::Decimal;
    let values = ["0", "7", "107.42", "999.5", "1000", "1234.56", "12345.678901", "999999.99", "1234567.50", "-1234.5", "-12345.01"];
    for locale in Locale::ALL {
        for plain in values {
            let value: Decimal = plain.parse().unwrap();
            assert_eq!(format_decimal(&value, locale), intl(locale.tag(), plain, None), "{} {plain}", locale.tag());
            if !plain.starts_with('-') {
                assert_eq!(money(&value, "EUR", locale), intl(locale.tag(), plain, Some("EUR")), "{} {plain} EUR", locale.tag());
            }
        }
    }
}

#[wasm_bindgen_test]
async fn widgets_loading_one_locale_at_once_share_one_copy() {
    use quote_core::display::Locale;
    use quote_widget::locales;
    // The copy file, as the loader would name it (a data: URL: no server needed).
    let file = r#"data:application/json,{"title":"Omzetten"}"#;
    let widget = js_sys::Object::new();
    let files = js_sys::Object::new();
    js_sys::Reflect::set(&files, &"nl".into(), &file.into()).unwrap();
    js_sys::Reflect::set(&widget, &"locales".into(), &files).unwrap();
    js_sys::Reflect::set(&js_sys::global(), &"QuoteWidget".into(), &widget).unwrap();
    assert!(locales::ready(Locale::Nl).is_none(), "no test before this one loads Dutch");

    let (first, second) = futures::future::join(locales::load(Locale::Nl, ""), locales::load(Locale::Nl, "")).await;
    let (first, second) = (first.expect("Dutch arrives"), second.expect("Dutch arrives"));
    assert!(Arc::ptr_eq(&first, &second), "both widgets hold the page's one copy");
    let kept = locales::ready(Locale::Nl).flatten().expect("Dutch is kept for the page");
    assert!(Arc::ptr_eq(&first, &kept));
}
