//! Running a stored job batch by batch, under its claim, through database failures.
//!
//! A batch of a transition is one transaction: its fires, its audit rows and its record on the
//! job (how far the run got, the counters, the claim's heartbeat) commit together
//! (`batches.rs`), so a connection cut anywhere leaves the batch either whole or undone, and
//! it can always be tried again. A server error is therefore retried with a growing pause,
//! while the heartbeat keeps the claim; only an error that outlasts every retry fails the job.
//!
//! The next batch's rows are read on a task of their own while the current batch fires
//! ([`ReadAhead`]): a job's snapshot never changes once stored, so they are the rows a read
//! after the batch would find.

use std::{sync::OnceLock, time::Duration};

use switchyard_engine::Actor;
use tokio::{sync::oneshot, task::JoinHandle};

use super::claim::Claim;
use crate::{
    admin::resource::MachineResource,
    db::{
        jobs::{self, BatchRecord, ClaimedJob, JobRecord, Recorded},
        Db, SqlModel,
    },
    error::AppError,
};

/// Rows per batch of a best-effort job: one load, one compare-and-set, one audit insert and
/// one record each. Chosen by measurement (`app/benches/PERFORMANCE.md`, "Bulk jobs").
const BATCH_ROWS: i64 = 10_000;
/// The environment variable that sets another batch size, from 100 to 100,000 rows.
const BATCH_ROWS_VARIABLE: &str = "SWITCHYARD_JOB_BATCH_ROWS";

/// Rows per batch: `SWITCHYARD_JOB_BATCH_ROWS` when it holds a size from 100 to 100,000
/// (read once), else [`BATCH_ROWS`]. Smaller batches hold SQLite's write lock for less time
/// (single fires wait less behind a job); larger ones only add memory past the default.
fn batch_rows() -> i64 {
    static ROWS: OnceLock<i64> = OnceLock::new();
    *ROWS.get_or_init(|| {
        let Ok(text) = std::env::var(BATCH_ROWS_VARIABLE) else {
            return BATCH_ROWS;
        };
        match text.trim().parse::<i64>() {
            Ok(rows) if (100..=100_000).contains(&rows) => rows,
            _ => {
                tracing::warn!(value = %text, "{BATCH_ROWS_VARIABLE} must be 100 to 100000; using {BATCH_ROWS}");
                BATCH_ROWS
            }
        }
    })
}
/// Server errors in a row a run rides out before the job fails: pauses of 0.5 s doubling to
/// 30 s, about four minutes in all.
const RETRIES: u32 = 12;
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// What one step of a run did.
enum Step {
    /// A batch was processed through this position; there may be more, being read already.
    Continued(i64, Option<ReadAhead>),
    /// The job finished, was cancelled, or another run took it over.
    Stopped,
}

/// Where a run stands.
pub(super) struct Position {
    /// The last position processed.
    pub(super) done_through: i64,
    /// Whether the next batch must look for rows a dead run applied but did not record.
    pub(super) look_for_unrecorded: bool,
}

/// A batch's rows: `(position, key)`, in order.
type Rows = Vec<(i64, String)>;

/// The rows of the batch after the one firing, read on a task of their own so that the read
/// (a worker thread's query and the parse of its document) overlaps the fire. Dropping it
/// cancels the read.
struct ReadAhead {
    after: i64,
    read: JoinHandle<Result<Rows, sqlx::Error>>,
}

impl ReadAhead {
    fn start(db: &Db, job: i64, after: i64, size: i64) -> Self {
        let db = db.clone();
        let read = tokio::spawn(async move { jobs::pending_items(&db, job, after, size).await });
        ReadAhead { after, read }
    }

    /// The rows after `after`: those read ahead when they were read from there, else a read
    /// now (a read ahead that failed is simply done again).
    async fn rows(
        ahead: Option<ReadAhead>,
        db: &Db,
        (job, after, size): (i64, i64, i64),
    ) -> Result<Rows, AppError> {
        if let Some(mut ahead) = ahead.filter(|ahead| ahead.after == after) {
            if let Ok(Ok(rows)) = (&mut ahead.read).await {
                return Ok(rows);
            }
        }
        Ok(jobs::pending_items(db, job, after, size).await?)
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.read.abort();
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// Runs a stored job to its end, or until it is cancelled, batch by batch: a transition
    /// through the engine's bulk path, a deployer's action through its function. `started`
    /// hears when the first batch is recorded (or the run stops).
    pub(super) async fn run_batches(
        &self,
        db: &Db,
        (job, actor): (&JobRecord, &Actor),
        (claim, claimed): (&Claim, ClaimedJob),
        mut started: Option<oneshot::Sender<()>>,
    ) -> Result<(), AppError> {
        if claimed.cancel_requested {
            jobs::set_status(db, job.id, "cancelled", None).await?;
            return Ok(());
        }
        let mut at = Position {
            done_through: claimed.done_through,
            look_for_unrecorded: claimed.resumed,
        };
        let mut failures = 0;
        let mut pause = FIRST_PAUSE;
        let mut ahead = None;
        loop {
            let step = self.step(db, (job, actor), claim, &at, ahead.take()).await;
            if let Some(sender) = started.take() {
                // The request that made the job may have gone; the run goes on regardless.
                let _ = sender.send(());
            }
            match step {
                Ok(Step::Continued(last, next)) => {
                    ahead = next;
                    at = Position {
                        done_through: last,
                        look_for_unrecorded: false,
                    };
                    failures = 0;
                    pause = FIRST_PAUSE;
                }
                Ok(Step::Stopped) => return Ok(()),
                Err(AppError::Internal) if failures < RETRIES => {
                    failures += 1;
                    tracing::warn!(job = job.id, failures, "a batch failed; trying it again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(LONGEST_PAUSE);
                    // A batch whose commit landed before its connection was cut is recorded:
                    // go on from where the job says the run stands.
                    if let Some(current) = jobs::job(db, job.id).await? {
                        at.done_through = current.done_through;
                    }
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn step(
        &self,
        db: &Db,
        (job, actor): (&JobRecord, &Actor),
        claim: &Claim,
        at: &Position,
        ahead: Option<ReadAhead>,
    ) -> Result<Step, AppError> {
        if claim.is_lost() {
            tracing::warn!(job = job.id, "another run took this job over; stopping");
            return Ok(Step::Stopped);
        }
        let size = if job.all_or_nothing() {
            i64::MAX
        } else {
            batch_rows()
        };
        let pending = ReadAhead::rows(ahead, db, (job.id, at.done_through, size)).await?;
        let Some(&(last, _)) = pending.last() else {
            jobs::set_status(db, job.id, "done", None).await?;
            return Ok(Step::Stopped);
        };
        // A full batch may have more after it: read them while this one fires.
        let next = (pending.len() as i64 == size).then(|| ReadAhead::start(db, job.id, last, size));
        let run = (job.id, claim.runner());
        let recorded = match self.custom_action(&job.transition) {
            Some(action) => {
                let outcomes = self.action_batch(db, action, &pending, actor).await?;
                let record = BatchRecord::new(run, at.done_through, &pending, outcomes);
                jobs::record_batch(self.store(db), record)
                    .await
                    .map_err(AppError::internal)?
            }
            None => {
                self.transition_batch(db, (job, actor), claim, at, &pending)
                    .await?
            }
        };
        match recorded {
            Recorded::Lost => {
                tracing::warn!(job = job.id, "another run took this job over; stopping");
                Ok(Step::Stopped)
            }
            Recorded::Kept { finished: true, .. } => Ok(Step::Stopped),
            Recorded::Kept {
                cancel_requested: true,
                ..
            } => {
                jobs::set_status(db, job.id, "cancelled", None).await?;
                Ok(Step::Stopped)
            }
            Recorded::Kept { .. } => Ok(Step::Continued(last, next)),
        }
    }
}
