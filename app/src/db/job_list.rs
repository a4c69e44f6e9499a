//! The jobs page's reads: a page of jobs, newest first, filtered by status, resource and
//! author, and the number of jobs still to finish for the header. Both see only the
//! resources the user may view; both go through the `status` and primary-key indexes.

use super::{
    jobs::{job_columns, JobRecord},
    Db,
};
use crate::with_pool;

/// Which jobs a page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Only jobs with this status (`queued`, `running`, `done`, `cancelled`, `failed`).
    pub status: Option<String>,
    /// Only jobs of this resource (one of `visible`).
    pub resource: Option<String>,
    /// Only jobs started by this user (their name, exactly).
    pub author: Option<String>,
}

/// Up to `limit` jobs of `visible` resources matching `filter`, with ids below `before`,
/// newest first; one more than `limit` is read to tell whether an older page follows.
pub async fn job_page(
    db: &Db,
    filter: &JobFilter,
    visible: &[String],
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<JobRecord>, sqlx::Error> {
    if visible.is_empty() {
        return Ok(Vec::new());
    }
    let mut conditions = vec![in_list("resource", 1, visible.len())];
    let mut binds: Vec<Bind> = visible.iter().cloned().map(Bind::Text).collect();
    let mut add = |column: &str, value: Bind, conditions: &mut Vec<String>| {
        binds.push(value);
        conditions.push(format!("{column} ${}", binds.len()));
    };
    if let Some(status) = &filter.status {
        add("status =", Bind::Text(status.clone()), &mut conditions);
    }
    if let Some(resource) = &filter.resource {
        add("resource =", Bind::Text(resource.clone()), &mut conditions);
    }
    if let Some(author) = &filter.author {
        add(
            "actor_username =",
            Bind::Text(author.clone()),
            &mut conditions,
        );
    }
    if let Some(before) = before {
        add("id <", Bind::Integer(before), &mut conditions);
    }
    let sql = format!(
        "SELECT {} FROM bulk_jobs WHERE {} ORDER BY id DESC LIMIT {}",
        job_columns(db),
        conditions.join(" AND "),
        limit + 1
    );
    with_pool!(db, pool => {
        let mut query = sqlx::query_as::<_, JobRecord>(&sql);
        for bind in &binds {
            query = match bind {
                Bind::Text(text) => query.bind(text.as_str()),
                Bind::Integer(integer) => query.bind(*integer),
            };
        }
        query.fetch_all(pool).await
    })
}

/// Jobs of `visible` resources that are queued or running.
pub async fn unfinished_count(db: &Db, visible: &[String]) -> Result<i64, sqlx::Error> {
    if visible.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM bulk_jobs WHERE status IN ('queued', 'running') AND {}",
        in_list("resource", 1, visible.len())
    );
    with_pool!(db, pool => {
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for resource in visible {
            query = query.bind(resource.as_str());
        }
        query.fetch_one(pool).await
    })
}

/// A value bound to a statement.
enum Bind {
    Text(String),
    Integer(i64),
}

/// `column IN ($first, …)` with `count` placeholders (both backends number them).
fn in_list(column: &str, first: usize, count: usize) -> String {
    let placeholders: Vec<String> = (first..first + count).map(|n| format!("${n}")).collect();
    format!("{column} IN ({})", placeholders.join(", "))
}
