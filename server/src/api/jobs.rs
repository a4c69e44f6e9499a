//! Bulk jobs through the API: one transition over many objects, chosen by key or by a filter;
//! previewed first if asked (the console's grouped preview), then stored and run as the
//! console's jobs are; read, cancelled, and their outcomes streamed as CSV or JSON lines.

use std::collections::BTreeMap;

use app::{
    admin::{
        api::{text_fields, Problem},
        bulk::{
            jobs,
            outcomes::{outcome_chunks, Format},
            types::{BulkInput, JobView},
        },
        list::types::ListQuery,
        resource::registry::AdminContext,
    },
    state::AppState,
};
use axum::{
    body::{Body, Bytes},
    extract::{rejection::BytesRejection, FromRef, Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchyard_engine::Channel;
use utoipa::{IntoParams, ToSchema};

use super::{body, Caller};

/// The most keys a job names.
const MAX_IDS: usize = 100_000;

/// A job to create, or to preview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// The transition (or the deployer's action) to run.
    transition: String,
    /// The objects' keys; give these or `filter`.
    #[serde(default)]
    ids: Option<Vec<String>>,
    /// Every object matching these list filters (`{"state": "new", "q": "smith"}`); give this
    /// or `ids`.
    #[serde(default)]
    filter: Option<BTreeMap<String, String>>,
    /// The transition form's fields, once for every object.
    #[serde(default)]
    #[schema(value_type = Object)]
    fields: BTreeMap<String, Value>,
    /// One refused or failed object stops every object; absent: the action's default.
    #[serde(default)]
    all_or_nothing: Option<bool>,
    /// Only say what would happen, grouped by reason; nothing is stored.
    #[serde(default)]
    preview: bool,
}

/// Objects that would not move, for one reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewGroup {
    /// Why, as a sentence.
    reason: String,
    /// How many.
    count: usize,
    /// A few of their keys.
    examples: Vec<String>,
}

/// What a job would do now.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPreview {
    /// The transition's label.
    label: String,
    /// Objects selected.
    total: usize,
    /// Objects that would move now.
    will_move: usize,
    /// Objects that would not, grouped by reason, largest group first.
    groups: Vec<PreviewGroup>,
    /// Whether the job runs all or nothing by default.
    all_or_nothing: bool,
}

/// A stored job.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    /// Its id.
    id: i64,
    /// The resource's name.
    resource: String,
    /// The transition's label.
    label: String,
    /// `Best effort` or `All or nothing`.
    mode: String,
    /// `queued`, `running`, `done`, `cancelled` or `failed`.
    status: String,
    /// Who started it.
    actor: String,
    /// When (RFC 3339 UTC).
    created_at: String,
    /// Objects in all.
    total: i64,
    /// Objects moved.
    applied: i64,
    /// Objects skipped.
    skipped: i64,
    /// Objects failed or held back.
    failed: i64,
    /// Whether a cancel was asked for.
    cancel_requested: bool,
    /// Why the job stopped, when it failed.
    error: Option<String>,
}

impl From<JobView> for Job {
    fn from(view: JobView) -> Job {
        Job {
            id: view.id,
            resource: view.resource,
            label: view.label,
            mode: view.mode,
            status: view.status,
            actor: view.actor,
            created_at: view.created_at,
            total: view.total,
            applied: view.applied,
            skipped: view.skipped,
            failed: view.failed,
            cancel_requested: view.cancel_requested,
            error: view.error,
        }
    }
}

/// Creates a bulk job (run to its end before the answer up to 1,000 objects, else in the
/// background), or previews one.
#[utoipa::path(
    post,
    path = "/resources/{resource}/jobs",
    tag = "jobs",
    params(("resource" = String, Path, description = "The resource's name.")),
    request_body = JobRequest,
    responses(
        (status = 200, description = "`preview`: what the job would do now.", body = JobPreview),
        (status = 201, description = "The job, stored and started; `Location` is its address.", body = Job),
        (status = 400, description = "Malformed body, both or neither of `ids` and `filter`, an unknown filter, an empty selection.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not run this transition in bulk or view this resource.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource or transition.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid-fields`: the form's fields were refused.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Path(resource): Path<String>,
    headers: HeaderMap,
    request_body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let found = caller.resource(&state, &resource)?;
    let bytes = body::bytes(request_body)?;
    let request: JobRequest = body::json(&headers, &bytes)?;
    let (ids, query) = match (request.ids, request.filter) {
        (Some(ids), None) if ids.len() <= MAX_IDS => (ids, None),
        (Some(_), None) => {
            return Err(Problem::bad_request(&format!(
                "A job names at most {MAX_IDS} keys; use a `filter` for more."
            )))
        }
        (None, Some(filter)) => (
            Vec::new(),
            Some(ListQuery::from_pairs(
                filter
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )),
        ),
        _ => {
            return Err(Problem::bad_request(
                "Give either `ids` (the objects' keys) or `filter` (list filters), not both.",
            ))
        }
    };
    let input = BulkInput {
        resource: found.name().to_owned(),
        transition: request.transition,
        ids,
        all_matching: query.is_some(),
        query: query.unwrap_or_default(),
        all_or_nothing: request.all_or_nothing,
        fields: text_fields(&request.fields)?,
    };
    if request.preview {
        let preview = found
            .bulk_preview(&state.db, &input, &caller.actor, Channel::Api)
            .await?;
        return Ok(Json(JobPreview {
            label: preview.label,
            total: preview.total,
            will_move: preview.will_move,
            groups: preview
                .groups
                .into_iter()
                .map(|group| PreviewGroup {
                    reason: group.reason,
                    count: group.count,
                    examples: group.examples,
                })
                .collect(),
            all_or_nothing: preview.all_or_nothing,
        })
        .into_response());
    }
    let id = found
        .create_bulk_job(&state.db, &input, &caller.actor, Channel::Api)
        .await?;
    jobs::start(&AdminContext::from_ref(&state), id).await?;
    let job = jobs::visible_job(&state.db, &caller.actor, id).await?;
    let view = jobs::job_view(&state.db, job).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/jobs/{id}"))],
        Json(Job::from(view)),
    )
        .into_response())
}

/// One job's progress.
#[utoipa::path(
    get,
    path = "/jobs/{id}",
    tag = "jobs",
    params(("id" = i64, Path, description = "The job's id.")),
    responses(
        (status = 200, description = "The job.", body = Job),
        (status = 400, description = "An id that is not a 64-bit whole number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job, or one of a resource the caller may not view.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Job>, Problem> {
    let job = jobs::visible_job(&state.db, &caller.actor, id).await?;
    Ok(Json(jobs::job_view(&state.db, job).await?.into()))
}

/// Asks a job to stop after its current batch (its author or a superuser).
#[utoipa::path(
    post,
    path = "/jobs/{id}/cancel",
    tag = "jobs",
    params(("id" = i64, Path, description = "The job's id.")),
    responses(
        (status = 200, description = "The job, with `cancel_requested`.", body = Job),
        (status = 400, description = "An id that is not a 64-bit whole number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the job's author or a superuser may cancel it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn cancel(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Job>, Problem> {
    Ok(Json(
        jobs::cancel(&state.db, &caller.actor, id).await?.into(),
    ))
}

/// How outcomes are written.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomesFormat {
    /// CSV with a header line.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The outcomes' format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomesParameters {
    /// `csv` (the default) or `jsonl`.
    format: Option<OutcomesFormat>,
}

/// Every object of a job with its outcome and reason, in order, streamed.
#[utoipa::path(
    get,
    path = "/jobs/{id}/outcomes",
    tag = "jobs",
    params(("id" = i64, Path, description = "The job's id."), OutcomesParameters),
    responses(
        (status = 200, description = "CSV (`position,object_id,outcome,reason`) or JSON lines with the same members.", content_type = "text/csv"),
        (status = 400, description = "An unknown format, or an id that is not a 64-bit whole number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn outcomes(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(parameters): Query<OutcomesParameters>,
) -> Result<Response, Problem> {
    let (format, media, extension) = match parameters.format {
        None | Some(OutcomesFormat::Csv) => (Format::Csv, "text/csv; charset=utf-8", "csv"),
        Some(OutcomesFormat::Jsonl) => (Format::JsonLines, "application/jsonl", "jsonl"),
    };
    let job = jobs::visible_job(&state.db, &caller.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, media.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"job-{}-outcomes.{extension}\"",
                    job.id
                ),
            ),
        ],
        Body::from_stream(outcome_chunks(state.db.clone(), job.id, format)),
    )
        .into_response())
}
