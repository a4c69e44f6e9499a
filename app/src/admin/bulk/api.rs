//! Server functions of bulk transitions: the preview, applying (which stores a job and runs
//! it), and the jobs pages with cancellation.

use leptos::prelude::*;

use super::types::{BulkInput, BulkPreview, JobInput, JobView};
use crate::error::AppError;

/// What a bulk action would do now, grouped by reason; nothing is written.
#[server(endpoint = "bulk_preview")]
pub async fn preview_bulk(input: BulkInput) -> Result<BulkPreview, AppError> {
    crate::error::respond(server::preview_bulk(input).await)
}

/// Stores the bulk action as a job and starts it; answers its id and redirects to `/jobs/{id}`.
/// Selections of up to 1,000 rows are finished before the answer.
#[server(endpoint = "bulk_apply")]
pub async fn apply_bulk(input: BulkInput) -> Result<i64, AppError> {
    server::apply_bulk(input).await
}

/// One job's progress and report.
#[server(endpoint = "job")]
pub async fn job_page(input: JobInput) -> Result<JobView, AppError> {
    crate::error::respond(server::job_page(input).await)
}

/// The newest jobs of the resources this user may view, running ones first.
#[server(endpoint = "jobs")]
pub async fn jobs_page() -> Result<Vec<JobView>, AppError> {
    crate::error::respond(server::jobs_page().await)
}

/// Asks a job to stop after its current batch (its author or a superuser).
#[server(endpoint = "job_cancel")]
pub async fn cancel_job(input: JobInput) -> Result<JobView, AppError> {
    crate::error::respond(server::cancel_job(input).await)
}

#[cfg(feature = "ssr")]
mod server {
    use switchyard_engine::Actor;

    use super::JobInput;
    use crate::{
        admin::{
            bulk::{
                job_runner,
                types::{BulkInput, BulkPreview, JobItemView, JobView},
            },
            flash::{
                accepts_html, redirect_with, take_flash, Flash, FormFlash, Message, MessageKind,
            },
            resource::{caller::caller, registry::AdminContext},
        },
        auth::{session, users},
        db::jobs::{self, JobRecord},
        error::AppError,
    };

    /// Selections up to this size finish before the answer.
    const INLINE_ROWS: i64 = 1_000;
    /// Skipped and failed rows listed on the job page.
    const PROBLEMS_SHOWN: i64 = 200;

    pub async fn preview_bulk(input: BulkInput) -> Result<BulkPreview, AppError> {
        let caller = caller(&input.resource).await?;
        let mut preview = caller
            .resource
            .bulk_preview(&caller.context.db, &input, &caller.actor)
            .await?;
        if let Some(flash) = take_flash(&input.preview_path()).await? {
            preview.message = flash.message;
            if let Some(form) = flash.form {
                preview.values = form.values;
                preview.errors = form.errors;
            }
        }
        Ok(preview)
    }

    /// Applies, or, when a browser posted without JavaScript and was refused, goes back to
    /// the preview with the reason and what was typed.
    pub async fn apply_bulk(input: BulkInput) -> Result<i64, AppError> {
        match apply(&input).await {
            Err(error) if accepts_html() && !matches!(error, AppError::Unauthenticated) => {
                let page = input.preview_path();
                let errors = match &error {
                    AppError::FormInvalid(errors) => errors.clone(),
                    _ => Default::default(),
                };
                let flash = Flash {
                    page: page.clone(),
                    message: Some(Message {
                        kind: MessageKind::Error,
                        text: error.to_string(),
                    }),
                    form: Some(FormFlash {
                        values: input.fields.clone(),
                        errors,
                    }),
                };
                redirect_with(Err(error), &page, Some(flash)).await
            }
            result => crate::error::respond(result),
        }
    }

    async fn apply(input: &BulkInput) -> Result<i64, AppError> {
        let caller = caller(&input.resource).await?;
        let id = caller
            .resource
            .create_bulk_job(&caller.context.db, input, &caller.actor)
            .await?;
        let total = jobs::job(&caller.context.db, id)
            .await?
            .map_or(0, |job| job.total);
        if total <= INLINE_ROWS {
            job_runner::run_job(caller.context.clone(), id).await;
        } else {
            job_runner::spawn(caller.context.clone(), id);
        }
        leptos_axum::redirect(&format!("/jobs/{id}"));
        Ok(id)
    }

    async fn viewer() -> Result<(AdminContext, Actor), AppError> {
        let user = session::require_user().await?;
        let context = AdminContext::current()?;
        let actor = users::actor(&context.db, &user).await?;
        Ok((context, actor))
    }

    async fn view_of(state: &AdminContext, job: JobRecord) -> Result<JobView, AppError> {
        let processed = job.applied + job.skipped + job.failed;
        let all_or_nothing = job.all_or_nothing();
        let rate = if job.elapsed_seconds > 0.0 {
            processed as f64 / job.elapsed_seconds
        } else {
            0.0
        };
        let running = matches!(job.status.as_str(), "queued" | "running");
        let seconds_left = (running && rate > 0.0).then(|| (job.total - processed) as f64 / rate);
        let problems = jobs::items(&state.db, job.id, true, PROBLEMS_SHOWN)
            .await?
            .into_iter()
            .map(|item| JobItemView {
                id: item.object_id,
                outcome: item.outcome.unwrap_or_default(),
                reason: item.reason.unwrap_or_default(),
            })
            .collect();
        Ok(JobView {
            id: job.id,
            resource: job.resource,
            label: job.label,
            mode: if all_or_nothing {
                "All or nothing"
            } else {
                "Best effort"
            }
            .to_owned(),
            status: job.status,
            actor: job.actor_username,
            created_at: job.created_at,
            total: job.total,
            applied: job.applied,
            skipped: job.skipped,
            failed: job.failed,
            rate,
            seconds_left,
            cancel_requested: job.cancel_requested,
            error: job.error,
            problems,
        })
    }

    async fn visible_job(id: i64) -> Result<(AdminContext, Actor, JobRecord), AppError> {
        let (state, actor) = viewer().await?;
        let job = jobs::job(&state.db, id)
            .await?
            .filter(|job| actor.has_perm(&format!("{}.view", job.resource)))
            .ok_or_else(|| AppError::NotFound(format!("Job {id}")))?;
        Ok((state, actor, job))
    }

    pub async fn job_page(input: JobInput) -> Result<JobView, AppError> {
        let (state, _, job) = visible_job(input.id).await?;
        view_of(&state, job).await
    }

    pub async fn jobs_page() -> Result<Vec<JobView>, AppError> {
        let (state, actor) = viewer().await?;
        let mut views = Vec::new();
        for job in jobs::recent_jobs(&state.db, 100).await? {
            if actor.has_perm(&format!("{}.view", job.resource)) {
                views.push(view_of(&state, job).await?);
            }
        }
        Ok(views)
    }

    pub async fn cancel_job(input: JobInput) -> Result<JobView, AppError> {
        let (state, actor, job) = visible_job(input.id).await?;
        if !(actor.is_superuser || actor.id == Some(job.actor_id)) {
            return Err(AppError::NotAllowed(
                "Only the job's author or a superuser may cancel it.".to_owned(),
            ));
        }
        jobs::request_cancel(&state.db, job.id).await?;
        let job = jobs::job(&state.db, job.id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Job {}", input.id)))?;
        view_of(&state, job).await
    }
}
