//! `GET /api/v1/resources/{resource}/objects/{id}`: one object, its state fields' states, its
//! version, and every transition with whether the caller may fire it now and why not.

use app::{admin::api::types::ApiObject, state::AppState};
use axum::{
    extract::{Path, State},
    Json,
};

use super::{Caller, Problem};

/// One object as the caller may use it.
pub async fn read(
    caller: Caller,
    State(state): State<AppState>,
    Path((resource, id)): Path<(String, String)>,
) -> Result<Json<ApiObject>, Problem> {
    let found = caller.resource(&state, &resource)?;
    let object = found
        .api_object(&state.db, &id, &caller.actor)
        .await
        .map_err(Problem::from)?;
    Ok(Json(object))
}
