//! Server functions of bulk transitions: the preview, applying (which stores a job and runs
//! it), and the jobs pages with cancellation.

use leptos::prelude::*;

use super::types::{BulkInput, BulkPreview, JobInput, JobView, JobsQuery, JobsView};
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

/// A page of the jobs of the resources this user may view, newest first, filtered.
#[server(endpoint = "jobs")]
pub async fn jobs_page(input: JobsQuery) -> Result<JobsView, AppError> {
    crate::error::respond(server::jobs_page(input).await)
}

/// Asks a job to stop after its current batch (its author or a superuser).
#[server(endpoint = "job_cancel")]
pub async fn cancel_job(input: JobInput) -> Result<JobView, AppError> {
    crate::error::respond(server::cancel_job(input).await)
}

#[cfg(feature = "ssr")]
mod server {
    use switchyard_engine::{Actor, Channel};

    use super::{JobInput, JobsQuery, JobsView};
    use crate::{
        admin::{
            bulk::{
                jobs,
                types::{BulkInput, BulkPreview, JobView, JOB_STATUSES},
            },
            flash::{
                accepts_html, redirect_with, take_flash, Flash, FormFlash, Message, MessageKind,
            },
            resource::{caller::caller, registry::AdminContext},
        },
        auth::{session, users},
        db::job_list,
        error::AppError,
    };

    /// Jobs per page of the jobs page.
    const JOBS_PAGE_ROWS: i64 = 50;

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

    pub async fn jobs_page(input: JobsQuery) -> Result<JobsView, AppError> {
        let (state, actor) = viewer().await?;
        let resources: Vec<(String, String)> = state
            .registry
            .iter()
            .filter(|resource| actor.has_perm(&resource.view_permission()))
            .map(|resource| (resource.name().to_owned(), resource.title().to_owned()))
            .collect();
        let filter = job_filter(&input, &resources)?;
        let visible: Vec<String> = resources.iter().map(|(name, _)| name.clone()).collect();
        let mut records =
            job_list::job_page(&state.db, &filter, &visible, input.before, JOBS_PAGE_ROWS).await?;
        let more = records.len() > JOBS_PAGE_ROWS as usize;
        records.truncate(JOBS_PAGE_ROWS as usize);
        let older = more
            .then(|| records.last().map(|job| job.id))
            .flatten()
            .map(|last| JobsQuery {
                before: Some(last),
                ..input.clone()
            });
        let mut jobs = Vec::with_capacity(records.len());
        for job in records {
            jobs.push(jobs::job_view(&state.db, job).await?);
        }
        Ok(JobsView {
            jobs,
            query: input,
            older,
            resources,
        })
    }

    /// The page's filter, each value refused unless it is one the page offers.
    fn job_filter(
        input: &JobsQuery,
        resources: &[(String, String)],
    ) -> Result<job_list::JobFilter, AppError> {
        if let Some(status) = &input.status {
            if !JOB_STATUSES.iter().any(|(name, _)| name == status) {
                return Err(AppError::Invalid(format!(
                    "There is no job status `{}`.",
                    status.escape_default()
                )));
            }
        }
        if let Some(resource) = &input.resource {
            if !resources.iter().any(|(name, _)| name == resource) {
                return Err(AppError::Invalid(format!(
                    "There is no resource `{}` you may view.",
                    resource.escape_default()
                )));
            }
        }
        if let Some(author) = &input.author {
            if author.chars().count() > 150 || author.chars().any(char::is_control) {
                return Err(AppError::Invalid(
                    "An author is a user name: at most 150 characters, no control characters."
                        .to_owned(),
                ));
            }
        }
        Ok(job_list::JobFilter {
            status: input.status.clone(),
            resource: input.resource.clone(),
            author: input.author.clone(),
        })
    }

    pub async fn cancel_job(input: JobInput) -> Result<JobView, AppError> {
        let (state, actor) = viewer().await?;
        jobs::cancel(&state.db, &actor, input.id).await
    }
}
