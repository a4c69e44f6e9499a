//! Running bulk jobs in the background: one task per job, started when the job is applied
//! and again for every unfinished job when the server starts.

use std::time::Duration;

use axum::extract::FromRef;
use tokio::sync::oneshot;

use super::claim::Claim;
use crate::{admin::resource::registry::AdminContext, auth::users, db::jobs, error::AppError};

/// Runs a job to its end in the calling task; a failure of the job itself is stored on it.
/// `state` is anything the console's context comes from (the application's state).
pub async fn run_job<S>(state: S, job_id: i64)
where
    AdminContext: FromRef<S>,
{
    run_reporting(AdminContext::from_ref(&state), job_id, None).await;
}

/// [`run_job`], telling `started` once the first batch is recorded (or the run stops).
async fn run_reporting(state: AdminContext, job_id: i64, started: Option<oneshot::Sender<()>>) {
    if let Err(error) = run(&state, job_id, started).await {
        tracing::error!(job = job_id, %error, "bulk job failed");
        let message = match &error {
            AppError::Internal => {
                "The job stopped on a server error; it has been logged.".to_owned()
            }
            other => other.to_string(),
        };
        if let Err(error) = jobs::set_status(&state.db, job_id, "failed", Some(&message)).await {
            tracing::error!(job = job_id, %error, "could not record the job's failure");
        }
    }
}

async fn run(
    state: &AdminContext,
    job_id: i64,
    started: Option<oneshot::Sender<()>>,
) -> Result<(), AppError> {
    // One run per job at a time, across every server on the database: a job another live
    // run holds is left to it, and one whose run died is taken over after the lease.
    let Some((claim, claimed)) = Claim::take(&state.db, job_id).await? else {
        return Ok(());
    };
    let job = jobs::job(&state.db, job_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Job {job_id}")))?;
    let resource = state
        .registry
        .get(&job.resource)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("Resource `{}`", job.resource)))?;
    // The job runs with its author's permissions as they are now, not as they were.
    let user = users::find_active_by_id(&state.db, job.actor_id)
        .await?
        .ok_or_else(|| {
            AppError::Refused(format!(
                "{} can no longer log in, so their job cannot run.",
                job.actor_username
            ))
        })?;
    let actor = users::actor(&state.db, &user).await?;
    resource
        .run_bulk_job(&state.db, (&job, &actor), (&claim, claimed), started)
        .await
}

/// Starts a background task for a job.
pub fn spawn(state: AdminContext, job_id: i64) {
    tokio::spawn(run_reporting(state, job_id, None));
}

/// Starts a background task for a job and waits, up to `patience`, for its first batch to be
/// recorded: a job of one batch is done when this returns. The task goes on whether or not
/// the caller waits (a request whose client went away is dropped; the job is not).
pub async fn spawn_and_wait_first_batch(state: AdminContext, job_id: i64, patience: Duration) {
    let (sender, first_batch) = oneshot::channel();
    tokio::spawn(run_reporting(state, job_id, Some(sender)));
    // Either way the job's page shows where it stands.
    let _ = tokio::time::timeout(patience, first_batch).await;
}

/// Looks for unfinished jobs nobody runs every `LEASE_SECONDS / 6`: a job whose server died
/// (this one before a restart, or another one) is taken over within seconds of its lease
/// running out. A look at a job another run holds costs one update that changes nothing.
pub fn spawn_resumer<S>(state: S)
where
    AdminContext: FromRef<S>,
{
    let state = AdminContext::from_ref(&state);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(
            jobs::LEASE_SECONDS.unsigned_abs() / 6,
        ));
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(error) = resume(&state).await {
                tracing::error!(%error, "could not look for unfinished bulk jobs");
            }
        }
    });
}

/// Starts every job a previous server left queued or running (each run first claims it).
pub async fn resume_unfinished<S>(state: &S) -> Result<usize, sqlx::Error>
where
    AdminContext: FromRef<S>,
{
    resume(&AdminContext::from_ref(state)).await
}

async fn resume(state: &AdminContext) -> Result<usize, sqlx::Error> {
    let unfinished = jobs::unfinished_jobs(&state.db).await?;
    for job_id in &unfinished {
        tracing::debug!(job = job_id, "trying to resume a bulk job");
        spawn(state.clone(), *job_id);
    }
    Ok(unfinished.len())
}
