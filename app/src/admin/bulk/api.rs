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
    use switchyard_engine::{Actor, Channel};

    use super::JobInput;
    use crate::{
        admin::{
            bulk::{
                jobs,
                types::{BulkInput, BulkPreview, JobView},
            },
            flash::{
                accepts_html, redirect_with, take_flash, Flash, FormFlash, Message, MessageKind,
            },
            resource::{caller::caller, registry::AdminContext},
        },
        auth::{session, users},
        db::jobs as stored,
        error::AppError,
    };

    pub async fn preview_bulk(input: BulkInput) -> Result<BulkPreview, AppError> {
        let caller = caller(&input.resource).await?;
        let mut preview = caller
            .resource
            .bulk_preview(&caller.context.db, &input, &caller.actor, Channel::Console)
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
            .create_bulk_job(&caller.context.db, input, &caller.actor, Channel::Console)
            .await?;
        jobs::start(&caller.context, id).await?;
        leptos_axum::redirect(&format!("/jobs/{id}"));
        Ok(id)
    }

    async fn viewer() -> Result<(AdminContext, Actor), AppError> {
        let user = session::require_user().await?;
        let context = AdminContext::current()?;
        let actor = users::actor(&context.db, &user).await?;
        Ok((context, actor))
    }

    pub async fn job_page(input: JobInput) -> Result<JobView, AppError> {
        let (state, actor) = viewer().await?;
        let job = jobs::visible_job(&state.db, &actor, input.id).await?;
        jobs::job_view(&state.db, job).await
    }

    pub async fn jobs_page() -> Result<Vec<JobView>, AppError> {
        let (state, actor) = viewer().await?;
        let mut views = Vec::new();
        for job in stored::recent_jobs(&state.db, 100).await? {
            if actor.has_perm(&format!("{}.view", job.resource)) {
                views.push(jobs::job_view(&state.db, job).await?);
            }
        }
        Ok(views)
    }

    pub async fn cancel_job(input: JobInput) -> Result<JobView, AppError> {
        let (state, actor) = viewer().await?;
        jobs::cancel(&state.db, &actor, input.id).await
    }
}
