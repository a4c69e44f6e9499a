//! Reading the audit log: an object's rows, newest first.

use super::Db;
use crate::with_pool;

/// One audit row as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRecord {
    /// The row's own id (increasing with time).
    pub id: i64,
    /// The transition attempted.
    pub transition: String,
    /// The state field it moved (`None` for edits, which concern the row).
    pub field: Option<String>,
    /// The state before.
    pub source: String,
    /// The state stored by the attempt, if it stored one.
    pub target: Option<String>,
    /// Who fired it.
    pub actor_username: String,
    /// When, as an RFC 3339 UTC timestamp.
    pub created_at: String,
    /// The arguments as JSON text.
    pub arguments: String,
    /// The free-text description.
    pub description: Option<String>,
    /// `completed` or `failed`.
    pub outcome: String,
    /// The error of a failed attempt.
    pub error: Option<String>,
}

// A bulk job's rows name their job, which holds the arguments and the note once: the row
// shows them as `Bulk job 12: note`.
const SQLITE_HISTORY: &str =
    "SELECT a.id, a.transition, a.field, a.source, a.target, a.actor_username, \
    a.created_at, COALESCE(j.arguments, a.arguments) AS arguments, \
    CASE WHEN a.job_id IS NULL THEN a.description \
         ELSE 'Bulk job ' || a.job_id || COALESCE(': ' || NULLIF(j.description, ''), '') END \
         AS description, \
    a.outcome, a.error FROM audit_log AS a LEFT JOIN bulk_jobs AS j ON j.id = a.job_id \
    WHERE a.resource = $1 AND a.object_id = $2 AND ($4 IS NULL OR a.id < $4) \
    ORDER BY a.id DESC LIMIT $3";

const POSTGRES_HISTORY: &str =
    "SELECT a.id, a.transition, a.field, a.source, a.target, a.actor_username, \
    to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at, \
    COALESCE(j.arguments, a.arguments)::text AS arguments, \
    CASE WHEN a.job_id IS NULL THEN a.description \
         ELSE 'Bulk job ' || a.job_id || COALESCE(': ' || NULLIF(j.description, ''), '') END \
         AS description, \
    a.outcome, a.error FROM audit_log AS a LEFT JOIN bulk_jobs AS j ON j.id = a.job_id \
    WHERE a.resource = $1 AND a.object_id = $2 AND ($4 IS NULL OR a.id < $4) \
    ORDER BY a.id DESC LIMIT $3";

/// The newest `limit` audit rows of one object, older than the row `before` when given (the
/// `(resource, object_id, id DESC)` index serves this without a sort).
pub async fn object_history(
    db: &Db,
    resource: &str,
    object_id: &str,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let sql = match db {
        Db::Sqlite(_) => SQLITE_HISTORY,
        Db::Postgres(_) => POSTGRES_HISTORY,
    };
    with_pool!(db, pool => {
        sqlx::query_as::<_, AuditRecord>(sql)
            .bind(resource)
            .bind(object_id)
            .bind(limit)
            .bind(before)
            .fetch_all(pool)
            .await
    })
}
