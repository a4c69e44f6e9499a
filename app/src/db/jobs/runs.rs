//! A run of a job: its claim, the rows it reads next, and each batch's record, written in the
//! batch's own transaction through the store (`SqlTransaction::record_job_batch`) or, for a
//! batch that wrote nothing else, on its own ([`record_batch`]).
//!
//! A batch's record is one statement on the job's row (how far the run got, the counters, the
//! claim's heartbeat, `done` after the last row, guarded by the claim and by where the run
//! stood) and one for the rows that did not move, if any; it answers whether someone asked to
//! cancel, so the run never reads back what it just wrote.

use sqlx::PgConnection;
use switchyard_engine::{LockMode, Store, StoreError, StoreTransaction};

use super::{Db, Outcomes};
use crate::{
    db::{store::backend, SqlModel, SqlStore},
    with_pool,
};

/// How long a run's claim on a job lasts without a heartbeat.
pub const LEASE_SECONDS: i64 = 30;

/// A job as a run finds it when it claims it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedJob {
    /// The last position processed (-1 before any).
    pub done_through: i64,
    /// Whether someone asked to cancel it.
    pub cancel_requested: bool,
    /// Whether an earlier run started it: a run that died may have left a batch applied but
    /// unrecorded (only servers from before batches recorded in their own transaction did).
    pub resumed: bool,
}

const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Claims a queued or running job for the run `runner` (marking it running), or renews the
/// claim it holds; `None` when another run holds a live claim or the job has finished. With
/// several servers on one database, each job is run by one of them at a time.
pub async fn claim(db: &Db, job: i64, runner: &str) -> Result<Option<ClaimedJob>, sqlx::Error> {
    let returning =
        "RETURNING done_through, cancel_requested, started_at < heartbeat_at AS resumed";
    match db {
        Db::Sqlite(pool) => {
            let sql = format!(
                "UPDATE bulk_jobs SET runner = $2, heartbeat_at = {SQLITE_NOW}, \
                 status = 'running', started_at = COALESCE(started_at, {SQLITE_NOW}) \
                 WHERE id = $1 AND status IN ('queued', 'running') \
                 AND (runner IS NULL OR runner = $2 \
                      OR heartbeat_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', $3)) {returning}"
            );
            sqlx::query_as(&sql)
                .bind(job)
                .bind(runner)
                .bind(format!("-{LEASE_SECONDS} seconds"))
                .fetch_optional(pool)
                .await
        }
        Db::Postgres(pool) => {
            let sql = format!(
                "UPDATE bulk_jobs SET runner = $2, heartbeat_at = now(), \
                 status = 'running', started_at = COALESCE(started_at, now()) \
                 WHERE id = $1 AND status IN ('queued', 'running') \
                 AND (runner IS NULL OR runner = $2 \
                      OR heartbeat_at < now() - make_interval(secs => $3)) {returning}"
            );
            sqlx::query_as(&sql)
                .bind(job)
                .bind(runner)
                .bind(LEASE_SECONDS as f64)
                .fetch_optional(pool)
                .await
        }
    }
}

/// Up to `limit` rows of a job after position `after`, in order: one range of the primary key,
/// read as one JSON document (sqlx hands SQLite rows over one at a time from its worker
/// thread, which cost more than the read itself for a batch of 10,000).
pub async fn pending_items(
    db: &Db,
    job: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = match db {
        Db::Sqlite(_) => {
            "SELECT COALESCE(json_group_array(json_array(position, object_id) ORDER BY position), '[]') \
             FROM (SELECT position, object_id FROM bulk_job_items \
                   WHERE job_id = $1 AND position > $2 ORDER BY position LIMIT $3)"
        }
        Db::Postgres(_) => {
            "SELECT COALESCE(json_agg(json_build_array(position, object_id) ORDER BY position), '[]')::text \
             FROM (SELECT position, object_id FROM bulk_job_items \
                   WHERE job_id = $1 AND position > $2 ORDER BY position LIMIT $3) AS batch"
        }
    };
    let document: String = with_pool!(db, pool => {
        sqlx::query_scalar(sql).bind(job).bind(after).bind(limit).fetch_one(pool).await
    })?;
    serde_json::from_str(&document).map_err(|error| sqlx::Error::Decode(error.into()))
}

/// What one batch did: the rows after `after` up to `last` processed, and those among them
/// that did not move.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRecord {
    /// The job.
    pub job: i64,
    /// The run that processed it; nothing is recorded unless it still holds the job.
    pub runner: String,
    /// Where the run stood before the batch: nothing is recorded if the job stands elsewhere.
    pub after: i64,
    /// The batch's last position.
    pub last: i64,
    /// How many rows it processed.
    pub rows: i64,
    /// The rows that did not move: `(position, outcome, reason)`.
    pub exceptions: Outcomes,
}

impl BatchRecord {
    /// The record of the `batch` rows (`(position, key)`, in order) read after `after`, whose
    /// `outcomes` name at least the rows that did not move (an `applied` outcome is implied
    /// and left out).
    pub fn new(
        (job, runner): (i64, &str),
        after: i64,
        batch: &[(i64, String)],
        outcomes: Outcomes,
    ) -> Self {
        BatchRecord {
            job,
            runner: runner.to_owned(),
            after,
            last: batch.last().map_or(after, |(position, _)| *position),
            rows: batch.len() as i64,
            exceptions: outcomes
                .into_iter()
                .filter(|(_, outcome, _)| *outcome != "applied")
                .collect(),
        }
    }

    /// `(applied, skipped, failed)` in this batch.
    fn counts(&self) -> (i64, i64, i64) {
        let count = |kinds: &[&str]| {
            self.exceptions
                .iter()
                .filter(|(_, outcome, _)| kinds.contains(outcome))
                .count() as i64
        };
        let (skipped, failed) = (count(&["skipped"]), count(&["failed", "not_applied"]));
        (self.rows - skipped - failed, skipped, failed)
    }

    fn exceptions_document(&self) -> Result<String, StoreError> {
        serde_json::to_string(&self.exceptions).map_err(backend)
    }
}

/// What recording a batch came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Another run took the job over, or it stood elsewhere: nothing may be recorded.
    Lost,
    /// Recorded.
    Kept {
        /// Whether someone asked to cancel the job.
        cancel_requested: bool,
        /// Whether this was the job's last row (the job is now `done`).
        finished: bool,
    },
}

/// A batch's progress on the job's row, with SQLite's parameters (`?N`, which both rusqlite
/// and sqlx bind by number) and clock; PostgreSQL's text differs only in `$N` and `now()`.
/// The job is done when its counters reach its total: every processed row is counted once,
/// and positions, being keys, say nothing of how many rows remain.
const SQLITE_PROGRESS: &str = "UPDATE bulk_jobs SET done_through = ?3, applied = applied + ?4, \
     skipped = skipped + ?5, failed = failed + ?6, heartbeat_at = NOW, \
     status = CASE WHEN FINISHED THEN 'done' ELSE status END, \
     finished_at = CASE WHEN FINISHED THEN NOW ELSE finished_at END \
     WHERE id = ?1 AND runner = ?2 AND done_through = ?7 AND status = 'running' \
     RETURNING cancel_requested, status = 'done'";

/// Whether the batch's rows, added to those counted before, make the job's total.
const FINISHED: &str = "applied + skipped + failed + ?4 + ?5 + ?6 >= total";

fn sqlite_progress() -> String {
    SQLITE_PROGRESS
        .replace("FINISHED", FINISHED)
        .replace("NOW", SQLITE_NOW)
}

fn postgres_progress() -> String {
    SQLITE_PROGRESS
        .replace("FINISHED", FINISHED)
        .replace("NOW", "now()")
        .replace('?', "$")
}

/// The rows that did not move, from a JSON document of `[position, outcome, reason]`, into the
/// job's exceptions (a batch tried again after its commit was lost writes the same rows).
const SQLITE_EXCEPTIONS: &str = "INSERT INTO bulk_job_exceptions (job_id, position, outcome, reason) \
     SELECT ?1, w.value ->> 0, w.value ->> 1, w.value ->> 2 FROM json_each(?2) AS w WHERE true \
     ON CONFLICT (job_id, position) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason";
/// PostgreSQL refuses an upsert that meets one row twice, so each position is taken once.
const POSTGRES_EXCEPTIONS: &str = "INSERT INTO bulk_job_exceptions (job_id, position, outcome, reason) \
     SELECT DISTINCT ON ((w.value ->> 0)::int8) $1, (w.value ->> 0)::int8, w.value ->> 1, w.value ->> 2 \
     FROM json_array_elements($2::json) AS w(value) \
     ON CONFLICT (job_id, position) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason";

/// Records `batch` on the store's SQLite writer, inside its open transaction.
pub(crate) fn record_batch_sqlite(
    connection: &rusqlite::Connection,
    batch: &BatchRecord,
) -> Result<Recorded, StoreError> {
    let (applied, skipped, failed) = batch.counts();
    let mut statement = connection
        .prepare_cached(&sqlite_progress())
        .map_err(backend)?;
    let parameters = rusqlite::params![
        batch.job,
        batch.runner,
        batch.last,
        applied,
        skipped,
        failed,
        batch.after
    ];
    let row = statement
        .query_row(parameters, |row| Ok((row.get(0)?, row.get(1)?)))
        .map(Some)
        .or_else(|error| match error {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(backend(other)),
        })?;
    let Some((cancel_requested, finished)) = row else {
        return Ok(Recorded::Lost);
    };
    if !batch.exceptions.is_empty() {
        connection
            .prepare_cached(SQLITE_EXCEPTIONS)
            .map_err(backend)?
            .execute(rusqlite::params![batch.job, batch.exceptions_document()?])
            .map_err(backend)?;
    }
    Ok(Recorded::Kept {
        cancel_requested,
        finished,
    })
}

/// Records `batch` on a PostgreSQL connection, inside its open transaction.
pub(crate) async fn record_batch_postgres(
    connection: &mut PgConnection,
    batch: &BatchRecord,
) -> Result<Recorded, StoreError> {
    let (applied, skipped, failed) = batch.counts();
    let row: Option<(bool, bool)> = sqlx::query_as(&postgres_progress())
        .bind(batch.job)
        .bind(&batch.runner)
        .bind(batch.last)
        .bind(applied)
        .bind(skipped)
        .bind(failed)
        .bind(batch.after)
        .fetch_optional(&mut *connection)
        .await
        .map_err(backend)?;
    let Some((cancel_requested, finished)) = row else {
        return Ok(Recorded::Lost);
    };
    if !batch.exceptions.is_empty() {
        sqlx::query(POSTGRES_EXCEPTIONS)
            .bind(batch.job)
            .bind(batch.exceptions_document()?)
            .execute(&mut *connection)
            .await
            .map_err(backend)?;
    }
    Ok(Recorded::Kept {
        cancel_requested,
        finished,
    })
}

/// Records a batch that wrote nothing else (every row refused, an all-or-nothing batch held
/// back, a deployer's action) in a transaction of its own on `store`.
pub async fn record_batch<O: SqlModel>(
    store: &SqlStore<O>,
    batch: BatchRecord,
) -> Result<Recorded, StoreError> {
    let mut tx = store.begin(LockMode::Optimistic).await?;
    let recorded = tx.record_job_batch(batch).await?;
    match recorded {
        Recorded::Lost => tx.rollback().await?,
        Recorded::Kept { .. } => tx.commit().await?,
    }
    Ok(recorded)
}

/// Objects among `object_ids` that this job already audited: rows a run that died applied
/// but could not record. The `audit_log_job (job_id)` index keeps it to the job's own audit
/// rows, however long the log; it is asked once per resumed run, so the index is keyed for
/// the inserts (in order, by job) rather than for this look.
pub async fn already_audited(
    db: &Db,
    job: i64,
    object_ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let ids = serde_json::to_string(object_ids).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let sql = match db {
        Db::Sqlite(_) => {
            "SELECT DISTINCT object_id FROM audit_log WHERE job_id = $1 \
             AND object_id IN (SELECT value FROM json_each($2))"
        }
        Db::Postgres(_) => {
            "SELECT DISTINCT object_id FROM audit_log WHERE job_id = $1 \
             AND object_id IN (SELECT json_array_elements_text($2::json))"
        }
    };
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, String>(sql)
            .bind(job)
            .bind(&ids)
            .fetch_all(pool)
            .await
    })
}
