//! Storing a job with the ordered snapshot of its rows, in one transaction.

use super::{Db, NewJob};
use crate::{db::list::Bind, db::list::KeysQuery, with_pool};

/// The rows a job runs over, in order.
#[derive(Debug)]
pub enum Snapshot {
    /// These keys, in this order (each once).
    Keys(Vec<String>),
    /// The keys a query selects: inserted by the database straight from the table, so a
    /// million keys never pass through the server.
    Matching(KeysQuery),
}

/// What storing a job came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The job's id.
    Job(i64),
    /// The selection was empty; nothing was stored.
    Empty,
    /// The selection held more rows than allowed (this many); nothing was stored.
    TooMany(i64),
}

/// Stores a job and the ordered snapshot of its rows, refusing a snapshot of more than
/// `max_rows` rows or of none, in one transaction.
pub async fn create_job(
    db: &Db,
    job: &NewJob,
    snapshot: &Snapshot,
    max_rows: i64,
) -> Result<Created, sqlx::Error> {
    let (insert_job, insert_keys) = match db {
        Db::Sqlite(_) => (
            "INSERT INTO bulk_jobs (resource, transition, label, mode, arguments, description, \
             actor_id, actor_username, total, channel) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) RETURNING id",
            "INSERT INTO bulk_job_items (job_id, position, object_id) \
             SELECT $1, key, value FROM json_each($2)",
        ),
        Db::Postgres(_) => (
            "INSERT INTO bulk_jobs (resource, transition, label, mode, arguments, description, \
             actor_id, actor_username, total, channel) \
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, 0, $9) RETURNING id",
            "INSERT INTO bulk_job_items (job_id, position, object_id) \
             SELECT $1, ordinality - 1, id \
             FROM json_array_elements_text($2::json) WITH ORDINALITY AS t(id, ordinality)",
        ),
    };
    let keys = match snapshot {
        Snapshot::Keys(keys) => {
            Some(serde_json::to_string(keys).map_err(|e| sqlx::Error::Encode(e.into()))?)
        }
        Snapshot::Matching(_) => None,
    };
    let set_total = "UPDATE bulk_jobs SET total = $2, done_through = $3 WHERE id = $1";
    let first_position = "SELECT MIN(position) FROM bulk_job_items WHERE job_id = $1";
    let forget_keys = "DELETE FROM bulk_job_items WHERE job_id = $1";
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
            .bind(job.channel)
            .fetch_one(&mut *tx)
            .await?;
        let (inserted, before_first) = match (snapshot, &keys) {
            (Snapshot::Matching(query), _) => {
                // The job's id is the database's own integer, written into the statement.
                let insert_from = |sql: &str| {
                    format!(
                        "INSERT INTO bulk_job_items (job_id, position, object_id) \
                         SELECT {id}, position, object_id FROM ({sql}) AS keys"
                    )
                };
                // The run starts after the position before the first: one below the least
                // key, or, when that key is `i64::MIN`, the keys numbered from 0 instead.
                let mut stored = (0, -1);
                for sql in [insert_from(&query.sql), insert_from(&query.numbered_sql)] {
                    let mut insert = sqlx::query(&sql);
                    for bind in &query.binds {
                        insert = match bind {
                            Bind::Text(text) => insert.bind(text),
                            Bind::Integer(integer) => insert.bind(*integer),
                        };
                    }
                    let inserted = insert.execute(&mut *tx).await?.rows_affected();
                    let first: Option<i64> =
                        sqlx::query_scalar(first_position).bind(id).fetch_one(&mut *tx).await?;
                    if let Some(before) = first.unwrap_or(0).checked_sub(1) {
                        stored = (inserted, before);
                        break;
                    }
                    sqlx::query(forget_keys).bind(id).execute(&mut *tx).await?;
                }
                stored
            }
            (Snapshot::Keys(_), keys) => (
                sqlx::query(insert_keys)
                    .bind(id)
                    .bind(keys)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                -1,
            ),
        };
        let total = i64::try_from(inserted).unwrap_or(i64::MAX);
        if total == 0 || total > max_rows {
            tx.rollback().await?;
            return Ok(if total == 0 { Created::Empty } else { Created::TooMany(total) });
        }
        sqlx::query(set_total)
            .bind(id)
            .bind(total)
            .bind(before_first)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Created::Job(id))
    })
}
