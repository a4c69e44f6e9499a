//! Who an API request acts as: the user of its bearer token.

use std::sync::Arc;

use app::{
    admin::{api::Problem, resource::AdminResource},
    auth::{tokens, users},
    state::AppState,
};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use switchyard_engine::Actor;

/// The user a request's bearer token acts as.
pub struct Caller {
    /// The user's id.
    pub user_id: i64,
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
            .await?
            .ok_or_else(|| Problem::unauthorized("This token is unknown, revoked or expired."))?;
        let actor = users::actor(&state.db, &user).await?;
        Ok(Caller {
            user_id: user.id,
            actor,
        })
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
