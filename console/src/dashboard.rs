//! The signed-in page: one refresh clock (a button and every 15 s) drives the
//! readiness, utilization, alerts, review and ledger reads; each section renders
//! its own answer.

use crate::alerts::{Alerts, NoteDrafts};
use crate::api;
use crate::balance::Balance;
use crate::failed::failed;
use crate::ledger::Ledger;
use crate::lookup::Lookup;
use crate::program::Readiness;
use crate::review::Review;
use crate::theme::ThemePicker;
use crate::utilization::Utilization;
use leptos::prelude::*;
use std::time::Duration;

/// The windows the utilization report offers.
const WINDOWS: [(&str, &str); 3] = [("1h", "Last hour"), ("24h", "Last 24 hours"), ("7d", "Last 7 days")];

/// Props: the signed-in `user`; `on_signed_out` when the session ends or is ended.
#[component]
pub fn Dashboard(user: String, on_signed_out: Callback<()>) -> impl IntoView {
    let window = RwSignal::new("24h".to_owned());
    let tick = RwSignal::new(0u32);
    let report = LocalResource::new(move || {
        let w = window.get();
        tick.track();
        async move { api::utilization(&w).await }
    });
    let alerts = LocalResource::new(move || {
        tick.track();
        api::alerts()
    });
    let ledger = LocalResource::new(move || {
        tick.track();
        api::recent_ledger(50)
    });
    let program = LocalResource::new(move || {
        tick.track();
        api::program()
    });
    let review_days = RwSignal::new(7i64);
    let review = LocalResource::new(move || {
        let days = review_days.get();
        tick.track();
        api::review(days)
    });
    let refresh = Callback::new(move |_| tick.update(|t| *t += 1));
    let drafts = NoteDrafts::new();
    let clock = set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_secs(15)).ok();
    on_cleanup(move || {
        if let Some(handle) = clock {
            handle.clear();
        }
    });
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            api::sign_out().await;
            on_signed_out.run(());
        });
    };
    view! {
        <header class="topbar">
            <h1>"Partner console"</h1>
            <nav aria-label="Sections">
                <a href="#readiness">"Readiness"</a>
                <a href="#utilization">"Utilization"</a>
                <a href="#balance">"Balance"</a>
                <a href="#alerts">"Alerts"</a>
                <a href="#review">"Review"</a>
                <a href="#lookup">"Lookup"</a>
                <a href="#ledger">"Ledger"</a>
            </nav>
            <div class="who">
                <span data-testid="signed-in-as">"Signed in as " <strong>{user}</strong></span>
                <ThemePicker />
                <button type="button" on:click=sign_out data-testid="sign-out">"Sign out"</button>
            </div>
        </header>
        <main class="dashboard">
            <section id="readiness" aria-labelledby="readiness-title">
                <h2 id="readiness-title">"Launch readiness"</h2>
                <Transition fallback=|| view! { <p role="status">"Loading the readiness record…"</p> }>
                    {move || Suspend::new(async move {
                        match program.await {
                            Ok(record) => view! { <Readiness record /> }.into_any(),
                            Err(e) => failed(e, on_signed_out),
                        }
                    })}
                </Transition>
            </section>
            <section id="utilization" aria-labelledby="utilization-title">
                <div class="section-head">
                    <h2 id="utilization-title">"Utilization"</h2>
                    <div class="toolbar">
                        <div role="group" aria-label="Period" class="segmented">
                            {WINDOWS.map(|(key, label)| view! {
                                <button type="button" aria-pressed=move || (window.get() == key).to_string()
                                    on:click=move |_| window.set(key.to_owned()) data-testid=format!("window-{key}")>{label}</button>
                            }).collect_view()}
                        </div>
                        <button type="button" on:click=move |_| tick.update(|t| *t += 1) data-testid="refresh">"Refresh"</button>
                    </div>
                </div>
                <Transition fallback=|| view! { <p role="status">"Loading utilization…"</p> }>
                    {move || Suspend::new(async move {
                        match report.await {
                            Ok(r) => view! { <Utilization report=r /> }.into_any(),
                            Err(e) => failed(e, on_signed_out),
                        }
                    })}
                </Transition>
            </section>
            <section id="balance" aria-labelledby="balance-title">
                <h2 id="balance-title">"Balance"</h2>
                <Transition fallback=|| view! { <p role="status">"Loading balance…"</p> }>
                    {move || Suspend::new(async move {
                        match (report.await, alerts.await) {
                            (Ok(r), Ok(a)) => view! { <Balance report=r alerts=a /> }.into_any(),
                            (Err(e), _) | (_, Err(e)) => failed(e, on_signed_out),
                        }
                    })}
                </Transition>
            </section>
            <section id="alerts" aria-labelledby="alerts-title">
                <h2 id="alerts-title">"Alerts"</h2>
                <Transition fallback=|| view! { <p role="status">"Loading alerts…"</p> }>
                    {move || Suspend::new(async move {
                        match alerts.await {
                            Ok(a) => view! { <Alerts report=a drafts on_changed=refresh /> }.into_any(),
                            Err(e) => failed(e, on_signed_out),
                        }
                    })}
                </Transition>
            </section>
            <section id="review" aria-labelledby="review-title">
                <div class="section-head">
                    <h2 id="review-title">"Program review"</h2>
                    <div class="toolbar">
                        <div role="group" aria-label="Review period" class="segmented">
                            {[(7i64, "Last 7 days"), (30, "Last 30 days")].map(|(days, label)| view! {
                                <button type="button" aria-pressed=move || (review_days.get() == days).to_string()
                                    on:click=move |_| review_days.set(days) data-testid=format!("review-{days}d")>{label}</button>
                            }).collect_view()}
                        </div>
                        <a class="button" href=move || api::review_csv_href(review_days.get()) download="review.csv">"Export review (CSV)"</a>
                    </div>
                </div>
                <Transition fallback=|| view! { <p role="status">"Loading the review…"</p> }>
                    {move || Suspend::new(async move {
                        match review.await {
                            Ok(r) => view! { <Review review=r /> }.into_any(),
                            Err(e) => failed(e, on_signed_out),
                        }
                    })}
                </Transition>
            </section>
            <section id="lookup" aria-labelledby="lookup-title">
                <h2 id="lookup-title">"Lookup"</h2>
                <Lookup on_signed_out />
            </section>
            <section id="ledger" aria-labelledby="ledger-title">
                <div class="section-head">
                    <h2 id="ledger-title">"Ledger"</h2>
                    <div class="toolbar">
                        <a class="button" href="/api/partner/exports/trades.csv" download="trades.csv">"Export trades (CSV)"</a>
                        <a class="button" href="/api/partner/exports/ledger.csv" download="ledger.csv">"Export ledger (CSV)"</a>
                    </div>
                </div>
                <Transition fallback=|| view! { <p role="status">"Loading the ledger…"</p> }>
                    {move || Suspend::new(async move {
                        match ledger.await {
                            Ok(l) => view! { <Ledger listing=l /> }.into_any(),
                            Err(e) => failed(e, on_signed_out),
                        }
                    })}
                </Transition>
            </section>
        </main>
    }
}
