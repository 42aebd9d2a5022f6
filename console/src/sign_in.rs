//! The sign-in form: the console credential, once; the server answers with an
//! HttpOnly cookie this code never reads.

use crate::api::{self, ApiError};
use crate::theme::ThemePicker;
use leptos::prelude::*;
use quote_core::wire::ErrorCode;

/// Props: `on_signed_in` gets the user name once the server accepted the credential.
#[component]
pub fn SignIn(on_signed_in: Callback<String>) -> impl IntoView {
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (u, p) = (user.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::sign_in(&u, &p).await {
                Ok(session) => on_signed_in.run(session.user),
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(match e {
                        ApiError::Refused { code: ErrorCode::ConsoleCredentialsInvalid, .. } => {
                            "The user name or password is wrong.".to_owned()
                        }
                        ApiError::Refused { code: ErrorCode::RateLimited, .. } => {
                            "Too many attempts. Wait a minute, then try again.".to_owned()
                        }
                        other => other.to_string(),
                    }));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <main class="centered">
            <form class="card sign-in" on:submit=submit aria-labelledby="sign-in-title">
                <h1 id="sign-in-title">"Partner console"</h1>
                <p class="muted">"Utilization, balance, alerts, evidence and the ledger of your 0Pools integration."</p>
                <label for="user">"User name"</label>
                <input id="user" name="username" autocomplete="username" required bind:value=user data-testid="console-user" />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required bind:value=password data-testid="console-password" />
                <p class="error" role="alert" data-testid="sign-in-error">{move || error.get()}</p>
                <button type="submit" class="primary" disabled=move || busy.get() data-testid="sign-in">
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            <ThemePicker />
        </main>
    }
}
