//! How a failed read shows, the same in every panel: signed out goes back to the
//! sign-in form, anything else is said in place.

use crate::api::ApiError;
use leptos::prelude::*;

/// A failed read: signed out goes back to the form, anything else is said in place.
pub fn failed(error: ApiError, on_signed_out: Callback<()>) -> AnyView {
    if error == ApiError::SignedOut {
        on_signed_out.run(());
    }
    view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
}
