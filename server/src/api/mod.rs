//! The automation API under `/api/v1`: JSON in and out, `Authorization: Bearer <token>`, each
//! refusal an `application/problem+json` document (RFC 9457) with a stable `type`.
//!
//! A token acts as its user with exactly that user's permissions (`app::auth::tokens`).
//! Sessions and cookies play no part here, so the console's cross-site checks do not either:
//! a browser cannot attach a bearer token to a cross-site request by itself.

mod objects;
mod problem;
mod resources;

use std::sync::Arc;

use app::{
    admin::resource::AdminResource,
    auth::{tokens, users},
    state::AppState,
};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
    routing::get,
    Router,
};
use switchyard_engine::Actor;

pub use problem::Problem;

/// The routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(resources::list))
        .route("/resources/{resource}/objects/{id}", get(objects::read))
        .fallback(|| async { Problem::not_found("There is no such endpoint.") })
}

/// The user a request's bearer token acts as.
pub struct Caller {
    /// Who the engine and the permission checks see.
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                Problem::unauthorized("Send an API token: `Authorization: Bearer <token>`.")
            })?;
        let user = tokens::authenticate(&state.db, secret)
            .await
            .map_err(Problem::internal)?
            .ok_or_else(|| Problem::unauthorized("This token is unknown, revoked or expired."))?;
        let actor = users::actor(&state.db, &user)
            .await
            .map_err(Problem::internal)?;
        Ok(Caller { actor })
    }
}

impl Caller {
    /// The resource named `name`, if it exists and the caller may view it: 404 otherwise,
    /// and 403 when it exists but the caller lacks `<resource>.view`.
    pub fn resource(
        &self,
        state: &AppState,
        name: &str,
    ) -> Result<Arc<dyn AdminResource>, Problem> {
        let resource = state
            .registry
            .get(name)
            .ok_or_else(|| Problem::not_found("There is no such resource."))?;
        if !self.actor.has_perm(&resource.view_permission()) {
            return Err(Problem::forbidden(&format!(
                "You may not view {}: it needs the permission `{}`.",
                resource.title(),
                resource.view_permission()
            )));
        }
        Ok(Arc::clone(resource))
    }
}
