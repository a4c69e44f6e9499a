//! Bulk jobs as stored rows: the job with its counters and how far its run has got
//! (`done_through`), and the ordered snapshot of its rows, with an outcome for each row that
//! did not move. A run records each batch in the batch's own transaction (`runs.rs`), so a
//! restarted server continues where the last one stopped. Creating a job is `create.rs`.

mod create;
mod runs;

pub use create::{create_job, Created, Snapshot};
pub use runs::{
    already_audited, claim, pending_items, record_batch, BatchRecord, ClaimedJob, Recorded,
    LEASE_SECONDS,
};
pub(crate) use runs::{record_batch_postgres, record_batch_sqlite};

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
    /// Seconds it has run: from its start to its end, or to now while it runs (0 before).
    pub elapsed_seconds: f64,
    /// `console` or `api`.
    pub channel: String,
    /// The last position processed (-1 before any).
    pub done_through: i64,
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

/// Rows of a batch that did not move: `(position, outcome, reason)`.
pub type Outcomes = Vec<(i64, &'static str, Option<String>)>;

/// An item's outcome as stored among the job's exceptions, or `applied` for a processed row
/// without one.
const ITEM_COLUMNS: &str = "i.position, i.object_id, \
    COALESCE(e.outcome, CASE WHEN i.position <= j.done_through THEN 'applied' END) AS outcome, \
    e.reason";
/// Every row of a job (`i`) with its exception if any (`e`) and the job (`j`).
const ITEMS: &str = "bulk_job_items AS i JOIN bulk_jobs AS j ON j.id = i.job_id \
    LEFT JOIN bulk_job_exceptions AS e ON e.job_id = i.job_id AND e.position = i.position";
/// The rows of a job that did not move: every exception (`e`), with its row (`i`).
const EXCEPTIONS: &str = "bulk_job_exceptions AS e JOIN bulk_jobs AS j ON j.id = e.job_id \
    JOIN bulk_job_items AS i ON i.job_id = e.job_id AND i.position = e.position";

const SQLITE_JOB_COLUMNS: &str = "id, resource, transition, label, mode, arguments, description, \
    actor_id, actor_username, status, cancel_requested, total, applied, skipped, failed, error, \
    created_at, COALESCE((julianday(COALESCE(finished_at, 'now')) - julianday(started_at)) * 86400.0, 0.0) \
    AS elapsed_seconds, \
    channel, done_through";
const POSTGRES_JOB_COLUMNS: &str = "id, resource, transition, label, mode, arguments::text AS arguments, \
    description, actor_id, actor_username, status, cancel_requested, total, applied, skipped, \
    failed, error, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, \
    COALESCE(EXTRACT(EPOCH FROM COALESCE(finished_at, now()) - started_at)::float8, 0.0) \
    AS elapsed_seconds, channel, \
    done_through";

pub(crate) fn job_columns(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => SQLITE_JOB_COLUMNS,
        Db::Postgres(_) => POSTGRES_JOB_COLUMNS,
    }
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

/// Every row of a job with its outcome, in order (`failed_only`: skipped and failed rows).
pub async fn items(
    db: &Db,
    job: i64,
    failed_only: bool,
    limit: i64,
) -> Result<Vec<ItemRecord>, sqlx::Error> {
    let (from, key) = if failed_only {
        (EXCEPTIONS, "e")
    } else {
        (ITEMS, "i")
    };
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM {from} WHERE {key}.job_id = $1 ORDER BY {key}.position LIMIT $2"
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
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEMS} \
         WHERE i.job_id = $1 AND i.position > $2 ORDER BY i.position LIMIT $3"
    );
    with_pool!(db, pool => sqlx::query_as::<_, ItemRecord>(&sql).bind(job).bind(after).bind(limit).fetch_all(pool).await)
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

/// Asks a queued or running job to stop; `false` when it had already finished.
pub async fn request_cancel(db: &Db, job: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE bulk_jobs SET cancel_requested = TRUE \
               WHERE id = $1 AND status IN ('queued', 'running')";
    with_pool!(db, pool => {
        sqlx::query(sql).bind(job).execute(pool).await.map(|done| done.rows_affected() > 0)
    })
}
