//! `POST /api/v1/resources/{resource}/objects/{id}/transitions/{transition}`: fires a
//! transition through the engine's API channel, at the version the caller read; with an
//! `Idempotency-Key`, a retry gets the first answer instead of firing again.

use app::{
    admin::api::{
        idempotency::{self, Claim},
        problem::PROBLEM_JSON,
        types::{ApiFireBody, ApiFired},
        Problem,
    },
    state::AppState,
};
use axum::{
    body::{Body, Bytes},
    extract::{rejection::BytesRejection, Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use super::{body, Caller};

/// The header naming a request's idempotency key.
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header marking a replayed answer.
const REPLAYED: &str = "idempotent-replayed";

/// Fires a transition.
#[utoipa::path(
    post,
    path = "/resources/{resource}/objects/{id}/transitions/{transition}",
    tag = "objects",
    params(
        ("resource" = String, Path, description = "The resource's name, e.g. `orders`."),
        ("id" = String, Path, description = "The object's key."),
        ("transition" = String, Path, description = "The transition's name, e.g. `pay`."),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$",
            description = "1 to 255 visible ASCII characters. A retry with the same key and \
                           the same request gets the first answer (with \
                           `Idempotent-Replayed: true`) instead of firing again; kept a day."),
    ),
    request_body = ApiFireBody,
    responses(
        (status = 200, description = "Fired: the new state, version and audit row.", body = ApiFired),
        (status = 400, description = "Malformed body or idempotency key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the caller lacks the transition's or the resource's permission.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource, object or transition.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`stale-version` (with `current_version`), or `idempotency-in-progress`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`wrong-state`, `conditions-unmet` (every reason), `invalid-fields` (per-field `errors`), `vetoed`, `handler-failed` (with `error_state`), `idempotency-key-reused`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn fire(
    caller: Caller,
    State(state): State<AppState>,
    Path((resource, id, transition)): Path<(String, String, String)>,
    headers: HeaderMap,
    request_body: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match body::bytes(request_body) {
        Ok(bytes) => bytes,
        Err(problem) => return problem.into_response(),
    };
    let Some(key) = headers.get(IDEMPOTENCY_KEY) else {
        let (status, json) = run(
            &caller,
            &state,
            &resource,
            &id,
            &transition,
            &headers,
            &bytes,
        )
        .await;
        return answer(status, json, false);
    };
    let Some(key) = key.to_str().ok().filter(|key| idempotency::valid_key(key)) else {
        return Problem::bad_request("An `Idempotency-Key` is 1 to 255 visible ASCII characters.")
            .into_response();
    };
    let path = format!("/resources/{resource}/objects/{id}/transitions/{transition}");
    let fingerprint = idempotency::fingerprint("POST", &path, &bytes);
    let user = caller.user_id;
    match idempotency::claim(&state.db, user, key, &fingerprint).await {
        Err(error) => Problem::from(error).into_response(),
        Ok(Claim::Replay { status, body }) => answer(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
            true,
        ),
        Ok(Claim::InProgress) => Problem::conflict(
            "idempotency-in-progress",
            "A request with this `Idempotency-Key` is still running; retry in a moment.",
        )
        .into_response(),
        Ok(Claim::Mismatch) => Problem::unprocessable(
            "idempotency-key-reused",
            "This `Idempotency-Key` was used for another request; use a new key per request.",
        )
        .into_response(),
        Ok(Claim::Fresh) => {
            let (status, json) = run(
                &caller,
                &state,
                &resource,
                &id,
                &transition,
                &headers,
                &bytes,
            )
            .await;
            let kept = if status.is_server_error() {
                idempotency::release(&state.db, user, key).await
            } else {
                idempotency::complete(&state.db, user, key, status.as_u16(), &json).await
            };
            if let Err(error) = kept {
                // The fire is done either way; only a retry's answer is at stake.
                tracing::error!(%error, "an idempotency key's answer could not be kept");
            }
            answer(status, json, false)
        }
    }
}

/// Runs the fire: its status and JSON body (the fired document or a problem).
async fn run(
    caller: &Caller,
    state: &AppState,
    resource: &str,
    id: &str,
    transition: &str,
    headers: &HeaderMap,
    bytes: &[u8],
) -> (StatusCode, Vec<u8>) {
    let result = async {
        let found = caller.resource(state, resource)?;
        let request: ApiFireBody = body::json(headers, bytes)?;
        found
            .api_fire(&state.db, id, transition, request, &caller.actor)
            .await
    }
    .await;
    let encoded = match &result {
        Ok(fired) => serde_json::to_vec(fired).map(|json| (StatusCode::OK, json)),
        Err(problem) => serde_json::to_vec(problem).map(|json| (problem.status(), json)),
    };
    encoded.unwrap_or_else(|error| {
        let problem = Problem::internal(error);
        (problem.status(), Vec::new())
    })
}

/// An answer of `status` with `json`: a problem document unless it is a 2xx.
fn answer(status: StatusCode, json: Vec<u8>, replayed: bool) -> Response {
    let media = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    let mut response = (status, [(header::CONTENT_TYPE, media)], Body::from(json)).into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}
