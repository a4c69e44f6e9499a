//! Bulk jobs as stored rows: the job with its counters, and the ordered snapshot of its rows
//! with each one's outcome once processed. Workers read pending rows in order and record
//! outcomes after each batch, so a restarted server continues where the last one stopped.

use serde_json::Value;

use super::Db;
use crate::with_pool;

/// A job to create.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The resource.
    pub resource: String,
    /// The transition.
    pub transition: String,
    /// Its label when the job was created.
    pub label: String,
    /// `best_effort` or `all_or_nothing`.
    pub mode: &'static str,
    /// The cleaned form data every row gets.
    pub arguments: Value,
    /// The audit description every row gets.
    pub description: Option<String>,
    /// Who runs it.
    pub actor_id: i64,
    /// Who runs it, by name.
    pub actor_username: String,
    /// `console` (the console's visibility applies) or `api` (only permissions).
    pub channel: &'static str,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct JobRecord {
    /// Its id.
    pub id: i64,
    /// The resource.
    pub resource: String,
    /// The transition.
    pub transition: String,
    /// Its label.
    pub label: String,
    /// `best_effort` or `all_or_nothing`.
    pub mode: String,
    /// The arguments, JSON text.
    pub arguments: String,
    /// The audit description.
    pub description: Option<String>,
    /// Who runs it.
    pub actor_id: i64,
    /// Who runs it, by name.
    pub actor_username: String,
    /// `queued`, `running`, `done`, `cancelled` or `failed`.
    pub status: String,
    /// Whether someone asked to cancel it.
    pub cancel_requested: bool,
    /// Rows in all.
    pub total: i64,
    /// Rows moved.
    pub applied: i64,
    /// Rows skipped (unavailable or changed meanwhile).
    pub skipped: i64,
    /// Rows whose handler failed (and all-or-nothing rows held back).
    pub failed: i64,
    /// Why the job itself failed.
    pub error: Option<String>,
    /// When it was created (RFC 3339 UTC).
    pub created_at: String,
    /// Seconds since it started running (0 before).
    pub elapsed_seconds: f64,
    /// `console` or `api`.
    pub channel: String,
}

impl JobRecord {
    /// Whether one refused or failed row stops every row.
    pub fn all_or_nothing(&self) -> bool {
        self.mode == "all_or_nothing"
    }
}

/// One row of a job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ItemRecord {
    /// Its place in the selection.
    pub position: i64,
    /// The object.
    pub object_id: String,
    /// `applied`, `skipped`, `failed`, `not_applied`, or `None` while pending.
    pub outcome: Option<String>,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
}

/// What a batch did to each row: `(position, outcome, reason)`.
pub type Outcomes = Vec<(i64, &'static str, Option<String>)>;

const SQLITE_JOB_COLUMNS: &str = "id, resource, transition, label, mode, arguments, description, \
    actor_id, actor_username, status, cancel_requested, total, applied, skipped, failed, error, \
    created_at, COALESCE((julianday('now') - julianday(started_at)) * 86400.0, 0.0) AS elapsed_seconds, \
    channel";
const POSTGRES_JOB_COLUMNS: &str = "id, resource, transition, label, mode, arguments::text AS arguments, \
    description, actor_id, actor_username, status, cancel_requested, total, applied, skipped, \
    failed, error, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, \
    COALESCE(EXTRACT(EPOCH FROM now() - started_at)::float8, 0.0) AS elapsed_seconds, channel";

pub(crate) fn job_columns(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => SQLITE_JOB_COLUMNS,
        Db::Postgres(_) => POSTGRES_JOB_COLUMNS,
    }
}

/// Stores a job and the ordered snapshot of its rows; returns the job's id.
pub async fn create_job(db: &Db, job: &NewJob, object_ids: &[String]) -> Result<i64, sqlx::Error> {
    let (insert_job, insert_items) = match db {
        Db::Sqlite(_) => (
            "INSERT INTO bulk_jobs (resource, transition, label, mode, arguments, description, \
             actor_id, actor_username, total, channel) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            "INSERT INTO bulk_job_items (job_id, position, object_id) \
             SELECT $1, key, value FROM json_each($2)",
        ),
        Db::Postgres(_) => (
            "INSERT INTO bulk_jobs (resource, transition, label, mode, arguments, description, \
             actor_id, actor_username, total, channel) \
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10) RETURNING id",
            "INSERT INTO bulk_job_items (job_id, position, object_id) \
             SELECT $1, ordinality - 1, id FROM json_array_elements_text($2::json) WITH ORDINALITY AS t(id, ordinality)",
        ),
    };
    let ids = serde_json::to_string(object_ids).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let total = i64::try_from(object_ids.len()).unwrap_or(i64::MAX);
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(insert_job)
            .bind(&job.resource)
            .bind(&job.transition)
            .bind(&job.label)
            .bind(job.mode)
            .bind(job.arguments.to_string())
            .bind(&job.description)
            .bind(job.actor_id)
            .bind(&job.actor_username)
            .bind(total)
            .bind(job.channel)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(insert_items).bind(id).bind(&ids).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// One job.
pub async fn job(db: &Db, id: i64) -> Result<Option<JobRecord>, sqlx::Error> {
    let sql = format!("SELECT {} FROM bulk_jobs WHERE id = $1", job_columns(db));
    with_pool!(db, pool => sqlx::query_as::<_, JobRecord>(&sql).bind(id).fetch_optional(pool).await)
}

/// Jobs a worker should (re)start: queued or running when the server stopped.
pub async fn unfinished_jobs(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "SELECT id FROM bulk_jobs WHERE status IN ('queued', 'running') ORDER BY id";
    with_pool!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_all(pool).await)
}

/// The next pending rows of a job, in order.
pub async fn pending_items(
    db: &Db,
    job: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = "SELECT position, object_id FROM bulk_job_items \
               WHERE job_id = $1 AND outcome IS NULL ORDER BY position LIMIT $2";
    with_pool!(db, pool => {
        sqlx::query_as::<_, (i64, String)>(sql).bind(job).bind(limit).fetch_all(pool).await
    })
}

/// Every row of a job with its outcome, in order (`failed_only`: skipped and failed rows).
pub async fn items(
    db: &Db,
    job: i64,
    failed_only: bool,
    limit: i64,
) -> Result<Vec<ItemRecord>, sqlx::Error> {
    let filter = if failed_only {
        " AND outcome IN ('skipped', 'failed', 'not_applied')"
    } else {
        ""
    };
    let sql = format!(
        "SELECT position, object_id, outcome, reason FROM bulk_job_items \
         WHERE job_id = $1{filter} ORDER BY position LIMIT $2"
    );
    with_pool!(db, pool => sqlx::query_as::<_, ItemRecord>(&sql).bind(job).bind(limit).fetch_all(pool).await)
}

/// Up to `limit` rows of a job after position `after`, in order: one page of a keyset walk
/// (the primary key `(job_id, position)` serves every page as one range, however deep).
pub async fn items_after(
    db: &Db,
    job: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<ItemRecord>, sqlx::Error> {
    let sql = "SELECT position, object_id, outcome, reason FROM bulk_job_items \
               WHERE job_id = $1 AND position > $2 ORDER BY position LIMIT $3";
    with_pool!(db, pool => sqlx::query_as::<_, ItemRecord>(sql).bind(job).bind(after).bind(limit).fetch_all(pool).await)
}

/// Records a batch's outcomes and adds them to the job's counters, in one transaction, if
/// the run `runner` still holds the job; `false` (nothing recorded) when another run took it
/// over. The counters change in the same statement that checks the claim, so a claim taken
/// meanwhile waits for this transaction, and sees its outcomes, or refuses it.
pub async fn record_outcomes(
    db: &Db,
    job: i64,
    runner: &str,
    outcomes: &Outcomes,
) -> Result<bool, sqlx::Error> {
    if outcomes.is_empty() {
        return Ok(true);
    }
    let document = serde_json::to_string(outcomes).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let count = |kind: &str| {
        outcomes
            .iter()
            .filter(|(_, outcome, _)| *outcome == kind)
            .count() as i64
    };
    let (applied, skipped) = (count("applied"), count("skipped"));
    let failed = count("failed") + count("not_applied");
    let update_items = match db {
        // SQLite plans `UPDATE … FROM json_each` with the job's items as the outer loop and
        // re-reads the document for each (5,000 × 12,000 steps took 20 s). An upsert is driven
        // by the document instead: one primary-key lookup per outcome. Every position exists
        // (they come from `pending_items`), so it never inserts.
        Db::Sqlite(_) => {
            "INSERT INTO bulk_job_items (job_id, position, object_id, outcome, reason) \
                          SELECT $1, w.value ->> 0, '', w.value ->> 1, w.value ->> 2 \
                          FROM json_each($2) AS w WHERE true \
                          ON CONFLICT (job_id, position) \
                          DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason"
        }
        Db::Postgres(_) => {
            "UPDATE bulk_job_items AS i SET outcome = w.value ->> 1, reason = w.value ->> 2 \
                            FROM json_array_elements($2::json) AS w(value) \
                            WHERE i.job_id = $1 AND i.position = (w.value ->> 0)::int8"
        }
    };
    let update_job = "UPDATE bulk_jobs SET applied = applied + $2, skipped = skipped + $3, \
                      failed = failed + $4 WHERE id = $1 AND runner = $5";
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let still_ours = sqlx::query(update_job)
            .bind(job)
            .bind(applied)
            .bind(skipped)
            .bind(failed)
            .bind(runner)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if !still_ours {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(update_items).bind(job).bind(&document).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Sets a job's status; `running` also stamps the start (once), the others the end.
pub async fn set_status(
    db: &Db,
    job: i64,
    status: &str,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = match db {
        Db::Sqlite(_) => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        Db::Postgres(_) => "now()",
    };
    let stamp = if status == "running" {
        format!("started_at = COALESCE(started_at, {now})")
    } else {
        format!("finished_at = {now}")
    };
    let sql = format!("UPDATE bulk_jobs SET status = $2, error = $3, {stamp} WHERE id = $1");
    with_pool!(db, pool => {
        sqlx::query(&sql).bind(job).bind(status).bind(error).execute(pool).await.map(|_| ())
    })
}

/// How long a run's claim on a job lasts without a heartbeat (each batch renews it).
pub const LEASE_SECONDS: i64 = 30;

/// Claims a queued or running job for the run `runner`, or renews the claim it holds;
/// `false` when another run holds a live claim or the job has finished. With several servers
/// on one database, each job is run by one of them at a time.
pub async fn claim(db: &Db, job: i64, runner: &str) -> Result<bool, sqlx::Error> {
    let claimed = match db {
        Db::Sqlite(pool) => {
            let sql = "UPDATE bulk_jobs SET runner = $2,                        heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')                        WHERE id = $1 AND status IN ('queued', 'running')                        AND (runner IS NULL OR runner = $2                             OR heartbeat_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', $3))";
            sqlx::query(sql)
                .bind(job)
                .bind(runner)
                .bind(format!("-{LEASE_SECONDS} seconds"))
                .execute(pool)
                .await?
                .rows_affected()
        }
        Db::Postgres(pool) => {
            let sql = "UPDATE bulk_jobs SET runner = $2, heartbeat_at = now()                        WHERE id = $1 AND status IN ('queued', 'running')                        AND (runner IS NULL OR runner = $2                             OR heartbeat_at < now() - make_interval(secs => $3))";
            sqlx::query(sql)
                .bind(job)
                .bind(runner)
                .bind(LEASE_SECONDS as f64)
                .execute(pool)
                .await?
                .rows_affected()
        }
    };
    Ok(claimed == 1)
}

/// Asks a queued or running job to stop; `false` when it had already finished.
pub async fn request_cancel(db: &Db, job: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE bulk_jobs SET cancel_requested = TRUE \
               WHERE id = $1 AND status IN ('queued', 'running')";
    with_pool!(db, pool => {
        sqlx::query(sql).bind(job).execute(pool).await.map(|done| done.rows_affected() > 0)
    })
}

/// Objects among `object_ids` that this job already audited: rows a crashed run applied
/// but could not record. The `audit_log_job (job_id, object_id)` index answers it with one
/// probe per row, however long the log.
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
