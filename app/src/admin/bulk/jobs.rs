//! Stored jobs as their pages and the API show them, for whoever asks (a session's user or a
//! token's): starting one, reading one, cancelling one.

use std::time::Duration;

use switchyard_engine::Actor;

use super::{
    job_runner,
    types::{JobItemView, JobView},
};
use crate::{
    admin::resource::registry::AdminContext,
    db::{
        jobs::{self, JobRecord},
        Db,
    },
    error::AppError,
};

/// How long the request that makes a job waits for its first batch: a job of one batch
/// (up to `BATCH_ROWS` rows) is done before the answer; a bigger one runs on after it.
const FIRST_BATCH_PATIENCE: Duration = Duration::from_secs(2);
/// Skipped and failed rows listed with a job.
const PROBLEMS_SHOWN: i64 = 200;

/// Runs a stored job in the background, returning once its first batch is recorded (so a job
/// of one batch is done), or after `FIRST_BATCH_PATIENCE` at most.
pub async fn start(context: &AdminContext, id: i64) -> Result<(), AppError> {
    job_runner::spawn_and_wait_first_batch(context.clone(), id, FIRST_BATCH_PATIENCE).await;
    Ok(())
}

/// The job `id`, when `actor` may view its resource; `NotFound` otherwise, so a job of a
/// resource one may not view is not even confirmed to exist.
pub async fn visible_job(db: &Db, actor: &Actor, id: i64) -> Result<JobRecord, AppError> {
    jobs::job(db, id)
        .await?
        .filter(|job| actor.has_perm(&format!("{}.view", job.resource)))
        .ok_or_else(|| AppError::NotFound(format!("Job {id}")))
}

/// Asks a job to stop after its current batch: its author or a superuser only.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<JobView, AppError> {
    let job = visible_job(db, actor, id).await?;
    if !(actor.is_superuser || actor.id == Some(job.actor_id)) {
        return Err(AppError::NotAllowed(
            "Only the job's author or a superuser may cancel it.".to_owned(),
        ));
    }
    jobs::request_cancel(db, job.id).await?;
    let job = jobs::job(db, job.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Job {id}")))?;
    job_view(db, job).await
}

/// A job's progress and the first of its problems.
pub async fn job_view(db: &Db, job: JobRecord) -> Result<JobView, AppError> {
    let processed = job.applied + job.skipped + job.failed;
    let all_or_nothing = job.all_or_nothing();
    let rate = if job.elapsed_seconds > 0.0 {
        processed as f64 / job.elapsed_seconds
    } else {
        0.0
    };
    let running = matches!(job.status.as_str(), "queued" | "running");
    let seconds_left = (running && rate > 0.0).then(|| (job.total - processed) as f64 / rate);
    let problems = jobs::items(db, job.id, true, PROBLEMS_SHOWN)
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
