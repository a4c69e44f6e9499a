//! Running a stored job batch by batch, under its claim, through database failures.
//!
//! A batch is one transaction: a connection cut in the middle rolls it back whole, and a cut
//! after its commit leaves audit rows the next try finds (`batches.rs`), so a batch can
//! always be tried again. A server error is therefore retried with a growing pause, while
//! the heartbeat keeps the claim; only an error that outlasts every retry fails the job.

use std::time::Duration;

use switchyard_engine::Actor;

use super::claim::Claim;
use crate::{
    admin::resource::MachineResource,
    db::{
        jobs::{self, JobRecord},
        Db, SqlModel,
    },
    error::AppError,
};

/// Rows per batch of a best-effort job: one load, one compare-and-set, one audit insert each.
const BATCH_ROWS: i64 = 5_000;
/// Server errors in a row a run rides out before the job fails: pauses of 0.5 s doubling to
/// 30 s, about four minutes in all.
const RETRIES: u32 = 12;
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// What one step of a run did.
enum Step {
    /// A batch was processed; there may be more.
    Continued,
    /// The job finished, was cancelled, or another run took it over.
    Stopped,
}

impl<O: SqlModel> MachineResource<O> {
    /// Runs a stored job to its end, or until it is cancelled, batch by batch: a transition
    /// through the engine's bulk path, a deployer's action through its function.
    pub(super) async fn run_batches(
        &self,
        db: &Db,
        job: &JobRecord,
        actor: &Actor,
        claim: &Claim,
    ) -> Result<(), AppError> {
        let mut failures = 0;
        let mut pause = FIRST_PAUSE;
        loop {
            match self.step(db, job, actor, claim).await {
                Ok(Step::Continued) => {
                    failures = 0;
                    pause = FIRST_PAUSE;
                }
                Ok(Step::Stopped) => return Ok(()),
                Err(AppError::Internal) if failures < RETRIES => {
                    failures += 1;
                    tracing::warn!(job = job.id, failures, "a batch failed; trying it again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(LONGEST_PAUSE);
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn step(
        &self,
        db: &Db,
        job: &JobRecord,
        actor: &Actor,
        claim: &Claim,
    ) -> Result<Step, AppError> {
        if claim.is_lost() {
            tracing::warn!(job = job.id, "another run took this job over; stopping");
            return Ok(Step::Stopped);
        }
        let current = jobs::job(db, job.id)
            .await?
            .ok_or_else(|| AppError::internal("a running job disappeared"))?;
        if current.cancel_requested {
            jobs::set_status(db, job.id, "cancelled", None).await?;
            return Ok(Step::Stopped);
        }
        if current.status == "queued" {
            jobs::set_status(db, job.id, "running", None).await?;
        }
        let batch = if job.all_or_nothing() {
            i64::MAX
        } else {
            BATCH_ROWS
        };
        let pending = jobs::pending_items(db, job.id, batch).await?;
        if pending.is_empty() {
            jobs::set_status(db, job.id, "done", None).await?;
            return Ok(Step::Stopped);
        }
        let outcomes = match self.custom_action(&job.transition) {
            Some(action) => self.action_batch(db, action, &pending, actor).await?,
            None => self.transition_batch(db, job, &pending, actor).await?,
        };
        // Recorded only while the claim is still this run's: a run that lost it leaves the
        // rows to the new run, which finds the ones applied here by their audit rows.
        if !jobs::record_outcomes(db, job.id, claim.runner(), &outcomes).await? {
            tracing::warn!(job = job.id, "another run took this job over; stopping");
            return Ok(Step::Stopped);
        }
        Ok(Step::Continued)
    }
}
