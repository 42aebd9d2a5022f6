//! The designer gallery (`/gallery/`): every state of the widget side by side, from
//! the same components, with fixture data and a frozen clock. No server calls.
//! Its own build target (feature `gallery`, bin `quote-gallery`): none of this is in
//! the wasm a host downloads for the widget.
//!
//! A designer switches language, wording preset, theme and frame width from the
//! toolbar; under each frame, every string it shows is listed with its copy key and
//! whether it is approved copy from 0Pools' documentation word for word, its
//! documented alternative, or the team's writing.

use crate::components::{FieldErrors, PreviewState};
use crate::components::{FirmQuotePanel, NoPoolsPanel, PoolsError, PreviewPanel, ProblemPanel, QuoteForm, TradePanel, UnavailablePanel};
use crate::ui::{ui, Ui};
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::display::Locale;
use quote_core::flow::{FirmQuote, Problem, Unavailable};
use quote_core::form::{FieldProblem, FormInput};
use quote_core::provenance::{provenance, Preset};
use quote_core::wire::{ErrorCode, PoolView, QuoteTerms, Side, TradeStatus, TradeView, UnavailableReason};
use std::sync::{Arc, Mutex};

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
        sides: vec![Side::Buy, Side::Sell],
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
        side: Side::Buy,
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

pub fn fixture_trade(status: TradeStatus) -> TradeView {
    TradeView {
        trade_id: "pt_test_456GALLERY".into(),
        quote_id: "pq_test_01J4GALLERY".into(),
        status,
        pool_id: "EUR-USDT".into(),
        side: Side::Buy,
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

/// A theme the frames can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Theme {
    Light,
    Dark,
    /// A partner's brand on the documented `--qw-*` properties (the demo's Lumen).
    Partner,
}

impl Theme {
    const ALL: [(Theme, &'static str, &'static str); 3] =
        [(Theme::Light, "light", "Light"), (Theme::Dark, "dark", "Dark"), (Theme::Partner, "partner", "Partner (Lumen)")];
    fn class(self) -> &'static str {
        match self {
            Theme::Light | Theme::Partner => "qw-theme-light",
            Theme::Dark => "qw-theme-dark",
        }
    }
    fn style(self) -> &'static str {
        match self {
            Theme::Partner => {
                "--qw-accent:#0f766e;--qw-focus:#0f766e;--qw-radius:6px;--qw-space:.85rem;--qw-font:Georgia,'Times New Roman',serif"
            }
            _ => "",
        }
    }
}

/// The width a frame shows the widget at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Phone,
    Desktop,
}

impl Frame {
    const ALL: [(Frame, &'static str, &'static str); 2] =
        [(Frame::Phone, "phone", "Phone (360 px)"), (Frame::Desktop, "desktop", "Desktop (600 px)")];
}

/// Each locale by its own name, as a language menu shows it.
fn native_name(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "English",
        Locale::De => "Deutsch",
        Locale::Fr => "Français",
        Locale::Es => "Español",
        Locale::It => "Italiano",
        Locale::Nl => "Nederlands",
        Locale::PtBr => "Português (Brasil)",
        Locale::Pl => "Polski",
    }
}

const PRESETS: [(Preset, &str); 2] =
    [(Preset::Approved, "Approved copy"), (Preset::ProductLanguage, "Product language (0Pools' documented alternative)")];

/// A labelled `<select>` over `options` (value, label), bound to `choice`.
fn picker<T: std::marker::Copy + PartialEq + Send + Sync + 'static>(
    label: &'static str,
    testid: &'static str,
    options: Vec<(T, &'static str, &'static str)>,
    choice: RwSignal<T>,
) -> impl IntoView {
    let lookup = options.clone();
    view! {
        <label class="qw-gallery-picker">
            <span>{label}</span>
            <select data-testid=testid on:change=move |e| {
                let value = event_target_value(&e);
                if let Some((v, _, _)) = lookup.iter().find(|(_, name, _)| *name == value) {
                    choice.set(*v);
                }
            }>
                {options.into_iter().map(|(v, name, text)| view! {
                    <option value=name selected=move || choice.get() == v>{text}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// One framed state, named as the screenshot will be, with the copy it shows.
#[component]
fn Item(
    /// Stable state name (also the screenshot's file name).
    name: &'static str,
    /// What a designer reads above it.
    caption: &'static str,
    children: Children,
) -> impl IntoView {
    // The frame's components read this Ui, which notes every key they show.
    let parent = ui();
    let trace = Arc::new(Mutex::new(Vec::<Copy>::new()));
    provide_context(Ui { trace: Some(trace.clone()), ..parent.clone() });
    let body = children();
    let keys = RwSignal::new(Vec::<Copy>::new());
    // Read once the frame has rendered (its text is produced while mounting).
    request_animation_frame(move || keys.set(trace.lock().map(|k| k.clone()).unwrap_or_default()));
    let preset = use_context::<RwSignal<Preset>>().map_or(Preset::Approved, |p| p.get_untracked());
    let copy_list = move || {
        keys.get()
            .into_iter()
            .map(|key| {
                // A key the locale's file lacks shows in English: said as such.
                let fallback = parent.locale != Locale::En && !parent.deck.translated(key);
                let source = provenance(key, parent.locale, preset);
                let (name, label) = if fallback { ("english-fallback", "English fallback") } else { (source.name(), source.label()) };
                view! {
                    <li data-copy-key=key.name() data-provenance=name>
                        <span class=format!("qw-gallery-badge qw-gallery-badge--{name}")>{label}</span>
                        <code>{key.name()}</code>
                        <span class="qw-gallery-copy-text">{parent.deck.text(key)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <figure class="qw-gallery-item" data-gallery-state=name>
            <figcaption><h2 class="qw-gallery-caption"><code>{name}</code>" — "{caption}</h2></figcaption>
            <section class="qw" aria-label=caption>{body}</section>
            <details class="qw-gallery-copy">
                <summary>{move || format!("Copy in this state ({})", keys.with(Vec::len))}</summary>
                <ul>{copy_list}</ul>
            </details>
        </figure>
    }
}

/// A state that does not change, as the panels read the flow's stages.
fn fixed<T: Clone + PartialEq + Send + Sync + 'static>(value: T) -> Memo<T> {
    Memo::new(move |_| value.clone())
}

/// A form with fixture values; `problems` are shown in the deck's words.
#[component]
fn FixtureForm(
    amount: &'static str,
    destination: &'static str,
    #[prop(optional)] problems: Vec<(&'static str, FieldProblem)>,
    preview: PreviewState,
    /// Fields the partner's checkout bound.
    #[prop(optional)]
    locked: Vec<&'static str>,
    /// The program's cap on this checkout's next order.
    #[prop(default = None)]
    order_cap: Option<quote_core::wire::OrderCap>,
) -> impl IntoView {
    let ui = ui();
    let errors: FieldErrors = problems
        .iter()
        .map(|(field, problem)| {
            ui.note(problem.key());
            ((*field).to_owned(), problem.message(&ui.deck))
        })
        .collect();
    let input =
        RwSignal::new(FormInput { side: Side::Buy, amount: amount.into(), network: "tron".into(), destination: destination.into() });
    let locked = locked.into_iter().map(str::to_owned).collect::<Vec<_>>();
    view! {
        <QuoteForm pools=RwSignal::new(fixture_pools()) pool_id=RwSignal::new("EUR-USDT".to_owned()) input
            errors=RwSignal::new(errors) preview=RwSignal::new(preview) locked=Signal::stored(locked) order_cap on_submit=Callback::new(|_| {}) />
    }
}

/// The pools are loading (the widget's first state).
#[component]
fn PoolsLoading() -> impl IntoView {
    let ui = ui();
    view! { <p class="qw-loading" role="status"><span class="qw-spinner" aria-hidden="true"></span>{ui.t(Copy::LoadingPools)}</p> }
}

/// A quote whose accept is not confirmed yet (the notice is in the deck's words).
#[component]
fn UnconfirmedAccept(quote: Memo<FirmQuote>) -> impl IntoView {
    let ui = ui();
    let noop = Callback::new(|_: ()| {});
    let notice = RwSignal::new(Some(ui.t(Copy::AcceptUnconfirmed)));
    view! { <FirmQuotePanel quote now=RwSignal::new(NOW) accepting=Signal::stored(true) notice on_accept=noop on_refresh=noop on_back=noop /> }
}

fn unavailable(reason: &str, attempt: u32) -> Memo<Unavailable> {
    fixed(Unavailable { reason: UnavailableReason::parse(reason), retry_after_ms: 10_000, attempt, at_ms: NOW - 4_000 })
}

/// Every state of the widget, in the chosen language, wording, theme and width.
#[component]
pub fn Gallery() -> impl IntoView {
    let locale = RwSignal::new(Locale::En);
    let preset = RwSignal::new(Preset::Approved);
    let theme = RwSignal::new(Theme::Light);
    let frame = RwSignal::new(Frame::Desktop);
    provide_context(preset);
    let frames = move || {
        // Everything below re-renders in the new language and wording.
        let translations = quote_core::locales::bundled_translations(locale.get()).map(std::sync::Arc::new);
        provide_context(Ui::new(preset.get().deck(locale.get(), translations), locale.get()));
        view! { <States /> }
    };
    view! {
        <div class=move || format!("qw-root qw-gallery {}", theme.get().class()) style=move || theme.get().style()
            data-frame=move || if frame.get() == Frame::Phone { "phone" } else { "desktop" }>
            <h1>"Quote widget — every state"</h1>
            <p>"Fixture data, frozen clock. Each frame is screenshotted by the test suite into tests/e2e/screenshots/gallery/. "
               "Open “Copy in this state” under a frame for its copy keys: "
               <span class="qw-gallery-badge qw-gallery-badge--approved">"Approved copy"</span>" is the wording of 0Pools' documentation (its product copy examples), word for word; "
               <span class="qw-gallery-badge qw-gallery-badge--product-language">"Product language"</span>" is that documentation's alternative line; "
               <span class="qw-gallery-badge qw-gallery-badge--team">"Team-written"</span>" is ours (every string of a language other than English is)."</p>
            <div class="qw-gallery-toolbar" role="group" aria-label="Gallery view">
                {picker("Language", "gallery-locale", Locale::ALL.iter().map(|&l| (l, l.tag(), native_name(l))).collect(), locale)}
                {picker("Wording", "gallery-preset", PRESETS.iter().map(|(p, label)| (*p, p.name(), *label)).collect(), preset)}
                {picker("Theme", "gallery-theme", Theme::ALL.to_vec(), theme)}
                {picker("Frame", "gallery-frame", Frame::ALL.to_vec(), frame)}
            </div>
            {frames}
        </div>
    }
}

/// The frames themselves.
#[component]
fn States() -> impl IntoView {
    let now = RwSignal::new(NOW);
    let noop = Callback::new(|_: ()| {});
    let noop_pool = Callback::new(|_: String| {});
    let no = Signal::stored(false);
    let alternate = Signal::stored(fixture_pools().into_iter().nth(1));
    let firm = |seconds, replaced| fixed(quote(seconds, replaced));
    let trade = |status: TradeStatus| fixed(fixture_trade(status));
    let out_of_limits = vec![("amount", FieldProblem::OutOfLimits { min: d("10.00"), max: Some(d("5000.00")) })];
    let missing = vec![("destination", FieldProblem::DestinationRequired)];
    let first_order = quote_core::wire::OrderCap { limit_usdt: d("500.00"), kind: quote_core::vocab::CapKind::FirstOrder };
    let over_cap = vec![("amount", FieldProblem::OverCap { max: d("500.00"), kind: quote_core::vocab::CapKind::FirstOrder })];
    let ready = || PreviewState::Ready(fixture_terms("1342.31", "1.073850"));
    let wallet = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

    view! {
        <div class="qw-gallery-grid">
            <Item name="pools-loading" caption="Loading pools"><PoolsLoading /></Item>
            <Item name="pools-error" caption="Pools could not be loaded"><PoolsError on_retry=noop /></Item>
            <Item name="form-empty" caption="Form, nothing typed"><FixtureForm amount="" destination="" preview=PreviewState::Idle /></Item>
            <Item name="form-preview" caption="Indicative preview"><FixtureForm amount="1250.00" destination=wallet preview=ready() /></Item>
            <Item name="form-preview-updating" caption="Preview refreshing">
                <FixtureForm amount="1250.00" destination="" preview=PreviewState::Loading(Some(fixture_terms("1342.31", "1.073850"))) />
            </Item>
            <Item name="form-preview-unavailable" caption="Preview unavailable">
                <FixtureForm amount="13.01" destination="" preview=PreviewState::Unavailable(UnavailableReason::PoolDry) />
            </Item>
            <Item name="form-out-of-limits" caption="Amount out of limits"><FixtureForm amount="1.00" destination="" problems=out_of_limits preview=PreviewState::Idle /></Item>
            <Item name="form-first-order-cap" caption="A first order over the program's cap (the hint named it before)">
                <FixtureForm amount="800.00" destination="" problems=over_cap preview=PreviewState::Idle order_cap=Some(first_order) />
            </Item>
            <Item name="form-preview-headroom" caption="Preview: more than the partner can convert now">
                <FixtureForm amount="25000.00" destination="" preview=PreviewState::Unavailable(UnavailableReason::Headroom) />
            </Item>
            <Item name="form-missing-destination" caption="Firm quote asked without destination">
                <FixtureForm amount="1250.00" destination="" problems=missing preview=ready() />
            </Item>
            <Item name="form-bound" caption="Partner checkout: pool, amount, network and wallet bound">
                <FixtureForm amount="1250.00" destination=wallet preview=ready() locked=vec!["pool", "side", "amount", "network", "destination"] />
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
            <Item name="accept-unconfirmed" caption="Accept not confirmed yet: retrying the same quote"><UnconfirmedAccept quote=firm(9, None) /></Item>
            <Item name="trade-pending" caption="Reserved: pending settlement"><TradePanel trade=trade(TradeStatus::Reserved) on_new=noop /></Item>
            <Item name="trade-settled" caption="Settled"><TradePanel trade=trade(TradeStatus::Settled) on_new=noop /></Item>
            <Item name="trade-failed" caption="Failed"><TradePanel trade=trade(TradeStatus::Failed) on_new=noop /></Item>
            <Item name="trade-released" caption="Released"><TradePanel trade=trade(TradeStatus::Released) on_new=noop /></Item>
            <Item name="trade-terms-mismatch" caption="Executed terms differ from the quote (exception)">
                <TradePanel trade=fixed(TradeView { terms_mismatch: Some(vec!["target_amount".into()]), ..fixture_trade(TradeStatus::Reserved) }) on_new=noop />
            </Item>
            <Item name="trade-settled-partner" caption="Settled in a partner checkout (no new conversion here)">
                <TradePanel trade=trade(TradeStatus::Settled) on_new=noop can_start_new=false />
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
            <Item name="unavailable-headroom" caption="Unavailable: more than the partner's balance or band takes now">
                <UnavailablePanel unavailable=fixed(Unavailable { reason: UnavailableReason::Headroom, retry_after_ms: 60_000, attempt: 0, at_ms: NOW - 4_000 }) now alternate=Signal::stored(None) on_retry=noop on_alternate=noop_pool on_back=noop />
            </Item>
            <Item name="unavailable-busy" caption="Unavailable: server busy (upstream budget)">
                <UnavailablePanel unavailable=unavailable("busy", 0) now alternate=Signal::stored(None) on_retry=noop on_alternate=noop_pool on_back=noop />
            </Item>
            <Item name="unavailable-pool-unavailable" caption="Unavailable: the checkout's pool is switched off (longer backoff, no other pool offered)">
                <UnavailablePanel unavailable=fixed(Unavailable { reason: UnavailableReason::parse("pool_unavailable"), retry_after_ms: 30_000, attempt: 0, at_ms: NOW - 4_000 }) now alternate=Signal::stored(None) on_retry=noop on_alternate=noop_pool on_back=noop />
            </Item>
            <Item name="no-pools" caption="No pool available for this checkout"><NoPoolsPanel on_retry=noop /></Item>
            <Item name="unavailable-retry-ready" caption="Unavailable, retry allowed again">
                <UnavailablePanel unavailable=fixed(Unavailable { reason: UnavailableReason::PoolDry, retry_after_ms: 1_000, attempt: 0, at_ms: NOW - 60_000 }) now alternate on_retry=noop on_alternate=noop_pool on_back=noop />
            </Item>
            <Item name="error-network" caption="Server unreachable"><ProblemPanel problem={Problem::Network} on_retry=noop on_back=noop /></Item>
            <Item name="error-server" caption="Server error"><ProblemPanel problem={Problem::Server { code: ErrorCode::UpstreamUnavailable }} on_retry=noop on_back=noop /></Item>
            <Item name="error-quote-gone" caption="Quote can no longer be accepted"><ProblemPanel problem={Problem::QuoteGone} on_retry=noop on_back=noop /></Item>
            <Item name="error-accept-failed" caption="Accept ended without a conversion: support id">
                <ProblemPanel problem={Problem::AcceptFailed { support_id: "pq_test_01J4Q7ZK".into() }} on_retry=noop on_back=noop />
            </Item>
            <Item name="error-still-confirming" caption="Earlier accept still being confirmed">
                <ProblemPanel problem={Problem::StillConfirming} on_retry=noop on_back=noop />
            </Item>
            <Item name="error-checkout-expired" caption="Partner checkout expired">
                <ProblemPanel problem={Problem::CheckoutExpired} on_retry=noop on_back=noop />
            </Item>
            <Item name="preview-panel" caption="Preview panel alone"><PreviewPanel state=RwSignal::new(ready()) /></Item>
        </div>
    }
}

/// The gallery's own styles (never in the widget's stylesheet).
const GALLERY_STYLE: &str = include_str!("../style/gallery.css");

/// The gallery, in a shadow root with the widget's stylesheet like any widget, on `element`.
pub fn mount(element: &web_sys::HtmlElement) {
    if let Ok((_, root)) = crate::embed::shadow_root(element) {
        if let Ok(style) = document().create_element("style") {
            style.set_text_content(Some(GALLERY_STYLE));
            let _ = root.append_child(&style);
        }
        leptos::mount::mount_to(root, Gallery).forget();
    }
}
