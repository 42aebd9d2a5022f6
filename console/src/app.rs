//! The console's shell: ask the server who is signed in, then show the sign-in form
//! or the dashboard. A call that finds the session ended comes back here.

use crate::api::{self, ConsoleSession};
use crate::dashboard::Dashboard;
use crate::sign_in::SignIn;
use leptos::prelude::*;

/// Where the console is: finding out, signed out, or signed in as someone.
#[derive(Clone, Debug, PartialEq)]
pub enum Access {
    Checking,
    SignedOut,
    SignedIn(String),
}

#[component]
pub fn App() -> impl IntoView {
    let access = RwSignal::new(Access::Checking);
    leptos::task::spawn_local(async move {
        access.set(match api::session().await {
            Ok(ConsoleSession { user }) => Access::SignedIn(user),
            Err(_) => Access::SignedOut,
        });
    });
    view! {
        {move || match access.get() {
            Access::Checking => view! { <main class="centered"><p role="status">"Checking your sign-in…"</p></main> }.into_any(),
            Access::SignedOut => view! { <SignIn on_signed_in=Callback::new(move |user| access.set(Access::SignedIn(user))) /> }.into_any(),
            Access::SignedIn(user) => view! { <Dashboard user on_signed_out=Callback::new(move |_| access.set(Access::SignedOut)) /> }.into_any(),
        }}
    }
}
