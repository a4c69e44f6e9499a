//! The page for an address the console does not have.

use leptos::prelude::*;
use leptos_meta::Title;

/// Says the page does not exist, with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main id="main" class="page">
            <h1 tabindex="-1" autofocus>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to the home page"</a> "."</p>
        </main>
    }
}
