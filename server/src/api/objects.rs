//! A resource's objects: a page of them, one object with what the caller may fire on it, and
//! its history.

use app::{
    admin::{
        api::{
            types::{ApiHistoryPage, ApiObject, ApiObjectPage},
            Problem,
        },
        list::types::ListQuery,
    },
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::Caller;

/// Rows per page unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 50;
/// The most rows a page holds.
const MAX_LIMIT: u32 = 500;

/// The page size asked for: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
fn page_size(raw: Option<&str>) -> Result<u32, Problem> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| {
                Problem::bad_request(&format!("`limit` is a whole number from 1 to {MAX_LIMIT}."))
            }),
    }
}

/// A page of a resource's objects.
#[utoipa::path(
    get,
    path = "/resources/{resource}/objects",
    tag = "objects",
    params(
        ("resource" = String, Path, description = "The resource's name."),
        ("state" = Option<String>, Query,
            description = "Filters by a state field: the parameter is the field's name \
                           (`state`, `step`, `review`), the value a state's name."),
        ("group" = Option<String>, Query, description = "Only objects in this state group, e.g. `open`."),
        ("q" = Option<String>, Query, description = "Search text (at most 200 characters) in the resource's search columns."),
        ("sort" = Option<String>, Query, description = "A sortable column, `-` first for descending, e.g. `-amount_cents`."),
        ("after" = Option<String>, Query, description = "The cursor of the page before this one (its `next`)."),
        ("limit" = Option<u32>, Query, description = "Rows per page, 1 to 500 (50 by default)."),
    ),
    responses(
        (status = 200, description = "One page, with the total and the next page's cursor.", body = ApiObjectPage),
        (status = 400, description = "An unknown filter, state, group or sort, or a bad cursor or limit.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not view this resource.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path(resource): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<ApiObjectPage>, Problem> {
    let found = caller.resource(&state, &resource)?;
    let limit = page_size(
        pairs
            .iter()
            .find(|(key, _)| key == "limit")
            .map(|(_, value)| value.as_str()),
    )?;
    if let Some((key, _)) = pairs
        .iter()
        .find(|(key, _)| matches!(key.as_str(), "page" | "before"))
    {
        return Err(Problem::bad_request(&format!(
            "`{key}` is the console's; the API pages forward with `after`."
        )));
    }
    let query = ListQuery::from_pairs(
        pairs
            .iter()
            .filter(|(key, _)| key != "limit")
            .map(|(key, value)| (key.as_str(), value.as_str())),
    );
    let page = found.api_objects(&state.db, &query, limit).await?;
    Ok(Json(page))
}

/// One object as the caller may use it.
#[utoipa::path(
    get,
    path = "/resources/{resource}/objects/{id}",
    tag = "objects",
    params(
        ("resource" = String, Path, description = "The resource's name."),
        ("id" = String, Path, description = "The object's key."),
    ),
    responses(
        (status = 200, description = "The object, its states, its version, and every transition with whether the caller may fire it, why not, and its form's JSON Schema.", body = ApiObject),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not view this resource.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource or object.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read(
    caller: Caller,
    State(state): State<AppState>,
    Path((resource, id)): Path<(String, String)>,
) -> Result<Json<ApiObject>, Problem> {
    let found = caller.resource(&state, &resource)?;
    let object = found.api_object(&state.db, &id, &caller.actor).await?;
    Ok(Json(object))
}

/// The history's query parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParameters {
    /// The cursor of the page before this one (its `next`): rows older than this id.
    before: Option<i64>,
    /// Rows per page, 1 to 500 (50 by default).
    limit: Option<u32>,
}

/// An object's history, newest first.
#[utoipa::path(
    get,
    path = "/resources/{resource}/objects/{id}/history",
    tag = "objects",
    params(
        ("resource" = String, Path, description = "The resource's name."),
        ("id" = String, Path, description = "The object's key."),
        HistoryParameters,
    ),
    responses(
        (status = 200, description = "One page of audit rows, newest first.", body = ApiHistoryPage),
        (status = 400, description = "A bad cursor or limit.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not view this resource.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource or object.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn history(
    caller: Caller,
    State(state): State<AppState>,
    Path((resource, id)): Path<(String, String)>,
    Query(parameters): Query<HistoryParameters>,
) -> Result<Json<ApiHistoryPage>, Problem> {
    let found = caller.resource(&state, &resource)?;
    let limit = page_size(parameters.limit.map(|l| l.to_string()).as_deref())?;
    let page = found
        .api_history(&state.db, &id, parameters.before, limit)
        .await?;
    Ok(Json(page))
}
