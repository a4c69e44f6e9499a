//! Switchyard's console: Leptos components rendered on the server and hydrated in the
//! browser, and (with the `ssr` feature) the server functions, database access and
//! HTTP endpoints behind them.

pub mod admin;
pub mod app;
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

/// Entry point of the WASM bundle: attaches the app to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A marker for end-to-end tests and for styles that need the live app.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
