//! The automation API under `/api/v1`: JSON in and out, `Authorization: Bearer <token>`, each
//! refusal an `application/problem+json` document (RFC 9457) with a stable `type`.
//!
//! A token acts as its user with exactly that user's permissions (`app::auth::tokens`).
//! Sessions and cookies play no part here, so the console's cross-site checks do not either:
//! a browser cannot attach a bearer token to a cross-site request by itself.
//!
//! Every route is registered through `utoipa_axum::routes!`, which also puts its
//! `#[utoipa::path]` into the OpenAPI document: a route cannot be served undocumented
//! (`openapi.rs` checks that no other way of routing is used here).

mod body;
mod caller;
mod docs;
mod fire;
mod jobs;
mod objects;
mod openapi;
mod problems;
mod resources;
mod settings;

use app::{admin::api::Problem, state::AppState};
use axum::{extract::DefaultBodyLimit, Router};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use caller::Caller;
pub use openapi::document;
pub use problems::problems_for_api;

/// The routes and their documentation, before they are split apart.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(resources::list))
        .routes(routes!(objects::list))
        .routes(routes!(objects::read))
        .routes(routes!(objects::history))
        .routes(routes!(fire::fire))
        .routes(routes!(jobs::create))
        .routes(routes!(jobs::read))
        .routes(routes!(jobs::cancel))
        .routes(routes!(jobs::outcomes))
        .routes(routes!(settings::read, settings::write))
        .routes(routes!(openapi::serve))
        .routes(routes!(docs::page))
}

/// The routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    let (router, _) = documented().split_for_parts();
    router
        .fallback(|| async { Problem::not_found("There is no such endpoint.") })
        .layer(DefaultBodyLimit::max(body::MAX_BODY))
}
