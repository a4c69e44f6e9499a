//! A run's claim on a bulk job, and the heartbeat that keeps it alive while the run works.
//!
//! Each batch's record renews the claim too (`jobs::record_batch`), at no extra cost. The
//! heartbeat is its own task, renewing the claim every third of the lease whatever the
//! run is doing: a batch that takes longer than the lease (a slow database, a big
//! all-or-nothing job) never lets another run, or this server's own resumer, take the job
//! from a live run. Only a run whose server stopped loses its claim.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::db::{
    jobs::{self, ClaimedJob},
    Db,
};

/// One run's hold on one job; the heartbeat stops when it is dropped.
#[derive(Debug)]
pub struct Claim {
    runner: String,
    lost: Arc<AtomicBool>,
    heartbeat: JoinHandle<()>,
}

impl Claim {
    /// Claims `job` for a new run, with the job as the run finds it, or `None` when another
    /// live run holds it or it finished.
    pub async fn take(db: &Db, job: i64) -> Result<Option<(Self, ClaimedJob)>, sqlx::Error> {
        let runner = run_token(job);
        let Some(claimed) = jobs::claim(db, job, &runner).await? else {
            return Ok(None);
        };
        let lost = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn(beat(db.clone(), job, runner.clone(), lost.clone()));
        let claim = Claim {
            runner,
            lost,
            heartbeat,
        };
        Ok(Some((claim, claimed)))
    }

    /// The token naming this run in `bulk_jobs.runner`.
    pub fn runner(&self) -> &str {
        &self.runner
    }

    /// Whether another run has taken the job over (this server was thought dead).
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Acquire)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

/// How often the heartbeat renews a claim: three times per lease, so one slow renewal
/// (a busy database) still lands in time.
fn beat_interval() -> Duration {
    Duration::from_secs(jobs::LEASE_SECONDS.unsigned_abs()) / 3
}

async fn beat(db: Db, job: i64, runner: String, lost: Arc<AtomicBool>) {
    let mut every = tokio::time::interval(beat_interval());
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        match jobs::claim(&db, job, &runner).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                lost.store(true, Ordering::Release);
                return;
            }
            // A failed renewal is retried at the next beat; the lease outlasts two misses.
            Err(error) => tracing::warn!(job, %error, "could not renew the claim on a job"),
        }
    }
}

/// A token naming one run of one job: this process and this moment.
fn run_token(job_id: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("{}-{job_id}-{nanos}", std::process::id())
}
