//! Switchyard's console: Leptos components rendered on the server, a few of them islands
//! hydrated in the browser, and (with the `ssr` feature) the server functions, database
//! access and HTTP endpoints behind them.

pub mod admin;
pub mod app;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod auth;
pub mod campaigns;
pub mod components;
pub mod error;
pub mod orders;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod resources;
#[cfg(feature = "ssr")]
pub mod state;

/// Entry point of the WASM bundle, called by the islands script before it hydrates each
/// `<leptos-island>` of the page; the pages around the islands stay as the server sent them.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands script hydrates the islands right after this returns, in microtasks; a
    // zero timeout runs after them. The marker is for end-to-end tests and for styles that
    // need the live page.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
