//! The designer gallery (`/gallery/`): every state of the widget side by side, from
//! the same components, with fixture data and a frozen clock. No server calls.
//! Its own build target (feature `gallery`, bin `quote-gallery`): none of this is in
//! the wasm a host downloads for the widget.

use crate::components::{FieldErrors, PreviewState};
use crate::components::{FirmQuotePanel, PoolsError, PreviewPanel, ProblemPanel, QuoteForm, TradePanel, UnavailablePanel};
use crate::ui::Ui;
use leptos::prelude::*;
use quote_core::copy::CopyDeck;
use quote_core::display::Locale;
use quote_core::flow::{FirmQuote, Problem, Unavailable};
use quote_core::form::FormInput;
use quote_core::wire::{PoolView, QuoteTerms, TradeView};

/// The frozen "now" of every fixture: 2026-06-28T20:14:15Z.
const NOW: i64 = 1_782_677_655_000;

fn d(s: &str) -> rust_decimal::Decimal {
    s.parse().expect("fixture decimals are valid")
}

pub fn fixture_pools() -> Vec<PoolView> {
    let pool = |id: &str, source: &str, target: &str, networks: &[&str], min: &str, max: Option<&str>, available: bool| PoolView {
        pool_id: id.into(),
        source_asset: source.into(),
        target_asset: target.into(),
        sides: vec!["buy".into(), "sell".into()],
        networks: networks.iter().map(|n| (*n).to_owned()).collect(),
        min_order_usdt: d(min),
        max_order_usdt: max.map(d),
        available,
    };
    vec![
        pool("EUR-USDT", "EUR", "USDT", &["tron", "ethereum"], "10.00", Some("5000.00"), true),
        pool("USD-USDC", "USD", "USDC", &["ethereum", "solana"], "5.00", Some("10000.00"), true),
    ]
}

pub fn fixture_terms(target: &str, rate: &str) -> QuoteTerms {
    QuoteTerms {
        pool_id: "EUR-USDT".into(),
        side: "buy".into(),
        source_asset: "EUR".into(),
        source_amount: d("1250.00"),
        target_asset: "USDT".into(),
        target_amount: d(target),
        rate: d(rate),
        spread_bps: d("35"),
        fee_bps: d("20"),
        network: Some("tron".into()),
        destination_address: Some("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE".into()),
        created_at: "2026-06-28T20:14:15.000Z".into(),
        expires_at: Some("2026-06-28T20:14:30.000Z".into()),
        executable: true,
    }
}

fn quote(seconds_left: i64, replaced: Option<QuoteTerms>) -> FirmQuote {
    FirmQuote {
        quote_id: "pq_test_01J4GALLERY".into(),
        terms: fixture_terms("1342.57", "1.074060"),
        expires_at_ms: NOW + seconds_left * 1000,
        offset_ms: 0,
        replaced,
    }
}

pub fn fixture_trade(status: &str) -> TradeView {
    TradeView {
        trade_id: "pt_test_456GALLERY".into(),
        quote_id: "pq_test_01J4GALLERY".into(),
        status: status.into(),
        pool_id: "EUR-USDT".into(),
        side: "buy".into(),
        source_asset: "EUR".into(),
        source_amount: d("1250.00"),
        target_asset: "USDT".into(),
        target_amount: d("1342.57"),
        network: "tron".into(),
        destination_address: "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE".into(),
        created_at: "2026-06-28T20:14:20.000Z".into(),
        updated_at: "2026-06-28T20:14:23.000Z".into(),
        partner_reference: Some("order_1042".into()),
        terms_mismatch: None,
        server_time: "2026-06-28T20:14:23.000Z".into(),
    }
}

/// One framed state, named as the screenshot will be.
#[component]
fn Item(
    /// Stable state name (also the screenshot's file name).
    name: &'static str,
    /// What a designer reads above it.
    caption: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <figure class="qw-gallery-item" data-gallery-state=name>
            <figcaption><h2 class="qw-gallery-caption"><code>{name}</code>" — "{caption}</h2></figcaption>
            <section class="qw" aria-label=caption>{children()}</section>
        </figure>
    }
}

fn form(amount: &str, destination: &str, errors: FieldErrors, preview: PreviewState) -> impl IntoView {
    bound_form(amount, destination, errors, preview, vec![])
}

/// A form whose `locked` fields the partner's checkout bound.
fn bound_form(amount: &str, destination: &str, errors: FieldErrors, preview: PreviewState, locked: Vec<String>) -> impl IntoView {
    let input = RwSignal::new(FormInput { side: "buy".into(), amount: amount.into(), network: "tron".into(), destination: destination.into() });
    view! {
        <QuoteForm pools=fixture_pools() pool_id=RwSignal::new("EUR-USDT".to_owned()) input
            errors=Signal::stored(errors) preview=Signal::stored(preview) locked=Signal::stored(locked) on_submit=Callback::new(|_| {}) />
    }
}

fn unavailable(reason: &str, attempt: u32) -> Signal<Unavailable> {
    Signal::stored(Unavailable { reason: reason.into(), retry_after_ms: 10_000, attempt, at_ms: NOW - 4_000 })
}

/// Every state of the widget.
#[component]
pub fn Gallery() -> impl IntoView {
    provide_context(Ui::new(CopyDeck::default(), Locale::En));
    let now = Signal::stored(NOW);
    let noop = Callback::new(|_: ()| {});
    let noop_pool = Callback::new(|_: String| {});
    let no = Signal::stored(false);
    let alternate = Signal::stored(fixture_pools().into_iter().nth(1));
    let firm = |seconds, replaced| Signal::stored(quote(seconds, replaced));
    let trade = |status: &str| Signal::stored(fixture_trade(status));
    let limits = vec![("amount".to_owned(), "Enter an amount worth between 10.00 and 5,000.00 USDT.".to_owned())];
    let missing = vec![("destination".to_owned(), "Enter the destination address.".to_owned())];
    let ready = || PreviewState::Ready(fixture_terms("1342.31", "1.073850"));

    view! {
        <div class="qw-gallery">
            <h1>"Quote widget — every state"</h1>
            <p>"Fixture data, frozen clock. Each frame is screenshotted by the test suite into tests/e2e/screenshots/gallery/."</p>
            <div class="qw-gallery-grid">
                <Item name="pools-loading" caption="Loading pools"><p class="qw-loading" role="status">"Loading available conversions…"</p></Item>
                <Item name="pools-error" caption="Pools could not be loaded"><PoolsError on_retry=noop /></Item>
                <Item name="form-empty" caption="Form, nothing typed">{form("", "", vec![], PreviewState::Idle)}</Item>
                <Item name="form-preview" caption="Indicative preview">{form("1250.00", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", vec![], ready())}</Item>
                <Item name="form-preview-updating" caption="Preview refreshing">{form("1250.00", "", vec![], PreviewState::Loading(Some(fixture_terms("1342.31", "1.073850"))))}</Item>
                <Item name="form-preview-unavailable" caption="Preview unavailable">{form("13.01", "", vec![], PreviewState::Unavailable("pool_dry".into()))}</Item>
                <Item name="form-out-of-limits" caption="Amount out of limits">{form("1.00", "", limits, PreviewState::Idle)}</Item>
                <Item name="form-missing-destination" caption="Firm quote asked without destination">{form("1250.00", "", missing, ready())}</Item>
                <Item name="form-bound" caption="Partner checkout: pool, amount, network and wallet bound">
                    {bound_form("1250.00", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", vec![], ready(), ["pool", "side", "amount", "network", "destination"].map(String::from).to_vec())}
                </Item>
                <Item name="firm-active" caption="Firm quote, timer running">
                    <FirmQuotePanel quote=firm(12, None) now accepting=no on_accept=noop on_refresh=noop on_back=noop />
                </Item>
                <Item name="firm-expiring-soon" caption="Firm quote, last seconds">
                    <FirmQuotePanel quote=firm(4, None) now accepting=no on_accept=noop on_refresh=noop on_back=noop />
                </Item>
                <Item name="firm-expired" caption="Firm quote expired: Accept disabled">
                    <FirmQuotePanel quote=firm(-1, None) now accepting=no on_accept=noop on_refresh=noop on_back=noop />
                </Item>
                <Item name="firm-refreshed" caption="Fresh quote after expiry, with what changed">
                    <FirmQuotePanel quote=firm(15, Some(fixture_terms("1343.02", "1.074416"))) now accepting=no on_accept=noop on_refresh=noop on_back=noop />
                </Item>
                <Item name="accepting" caption="Accept sent">
                    <FirmQuotePanel quote=firm(9, None) now accepting=Signal::stored(true) on_accept=noop on_refresh=noop on_back=noop />
                </Item>
                <Item name="accept-unconfirmed" caption="Accept not confirmed yet: retrying the same quote">
                    <FirmQuotePanel quote=firm(9, None) now accepting=Signal::stored(true) notice=Signal::stored(Some("We could not confirm your conversion yet. We are trying again; it will not be made twice.".to_owned())) on_accept=noop on_refresh=noop on_back=noop />
                </Item>
                <Item name="trade-pending" caption="Reserved: pending settlement"><TradePanel trade=trade("reserved") on_new=noop /></Item>
                <Item name="trade-settled" caption="Settled"><TradePanel trade=trade("settled") on_new=noop /></Item>
                <Item name="trade-failed" caption="Failed"><TradePanel trade=trade("failed") on_new=noop /></Item>
                <Item name="trade-released" caption="Released"><TradePanel trade=trade("released") on_new=noop /></Item>
                <Item name="trade-terms-mismatch" caption="Executed terms differ from the quote (exception)">
                    <TradePanel trade=Signal::stored(TradeView { terms_mismatch: Some(vec!["target_amount".into()]), ..fixture_trade("reserved") }) on_new=noop />
                </Item>
                <Item name="trade-settled-partner" caption="Settled in a partner checkout (no new conversion here)">
                    <TradePanel trade=trade("settled") on_new=noop can_start_new=false />
                </Item>
                <Item name="unavailable-pool-dry" caption="Unavailable: pool dry, with alternate pool">
                    <UnavailablePanel unavailable=unavailable("pool_dry", 0) now alternate on_retry=noop on_alternate=noop_pool on_back=noop />
                </Item>
                <Item name="unavailable-rate" caption="Unavailable: no rate (second retry backs off)">
                    <UnavailablePanel unavailable=unavailable("rate_unavailable", 1) now alternate=Signal::stored(None) on_retry=noop on_alternate=noop_pool on_back=noop />
                </Item>
                <Item name="unavailable-network" caption="Unavailable: network">
                    <UnavailablePanel unavailable=unavailable("network_unavailable", 0) now alternate on_retry=noop on_alternate=noop_pool on_back=noop />
                </Item>
                <Item name="unavailable-maintenance" caption="Unavailable: maintenance">
                    <UnavailablePanel unavailable=unavailable("maintenance", 0) now alternate=Signal::stored(None) on_retry=noop on_alternate=noop_pool on_back=noop />
                </Item>
                <Item name="unavailable-busy" caption="Unavailable: server busy (upstream budget)">
                    <UnavailablePanel unavailable=unavailable("busy", 0) now alternate=Signal::stored(None) on_retry=noop on_alternate=noop_pool on_back=noop />
                </Item>
                <Item name="unavailable-retry-ready" caption="Unavailable, retry allowed again">
                    <UnavailablePanel unavailable=Signal::stored(Unavailable { reason: "pool_dry".into(), retry_after_ms: 1_000, attempt: 0, at_ms: NOW - 60_000 }) now alternate on_retry=noop on_alternate=noop_pool on_back=noop />
                </Item>
                <Item name="error-network" caption="Server unreachable"><ProblemPanel problem=Signal::stored(Problem::Network) on_retry=noop on_back=noop /></Item>
                <Item name="error-server" caption="Server error"><ProblemPanel problem=Signal::stored(Problem::Server { code: "upstream_unavailable".into() }) on_retry=noop on_back=noop /></Item>
                <Item name="error-quote-gone" caption="Quote can no longer be accepted"><ProblemPanel problem=Signal::stored(Problem::QuoteGone) on_retry=noop on_back=noop /></Item>
                <Item name="error-accept-failed" caption="Accept ended without a conversion: support id">
                    <ProblemPanel problem=Signal::stored(Problem::AcceptFailed { support_id: "pq_test_01J4Q7ZK".into() }) on_retry=noop on_back=noop />
                </Item>
                <Item name="error-still-confirming" caption="Earlier accept still being confirmed">
                    <ProblemPanel problem=Signal::stored(Problem::StillConfirming) on_retry=noop on_back=noop />
                </Item>
                <Item name="error-checkout-expired" caption="Partner checkout expired">
                    <ProblemPanel problem=Signal::stored(Problem::CheckoutExpired) on_retry=noop on_back=noop />
                </Item>
                <Item name="preview-panel" caption="Preview panel alone"><PreviewPanel state=Signal::stored(ready()) /></Item>
            </div>
        </div>
    }
}

/// The gallery, in a shadow root with the widget's stylesheet like any widget, on `element`.
pub fn mount(element: &web_sys::HtmlElement) {
    if let Ok((_, root)) = crate::embed::shadow_root(element) {
        root.set_class_name("qw-root");
        leptos::mount::mount_to(root, Gallery).forget();
    }
}
