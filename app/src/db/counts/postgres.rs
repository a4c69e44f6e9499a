//! PostgreSQL's counting triggers: statement triggers that append one delta per value a
//! statement changed, read through transition tables, so a bulk update of 10,000 rows adds
//! a handful of delta rows, not 10,000 counter updates.
//!
//! Appending instead of updating keeps concurrent fires apart: updating the count rows would
//! make every transaction that moves rows out of `new` queue on that one row until the one
//! before it commits, and two transactions taking count rows in different orders across
//! statements could deadlock. Deltas conflict with nothing. A count is its row plus its
//! deltas; [`compact`] folds deltas into the rows, one server at a time.
//!
//! Identifiers are checked table declarations (letters, digits and `_`), so they can stand in
//! the functions' text as literals; request values never reach this file.

use sqlx::{PgPool, Postgres, Transaction};

use super::{object_name, EVENTS, MARK_COUNTED};

/// The advisory lock held while count rows are rewritten (compaction, recount, install).
const COUNTS_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('switchyard_state_counts'))";

/// The function body of one event: deltas from the transition tables it sees.
fn delta_insert(table: &str, column: &str, event: &str) -> String {
    let value = format!("\"{column}\"::text");
    let rows = |relation: &str, sign: &str| {
        format!("SELECT {value} AS value, {sign}1 AS delta FROM {relation} WHERE \"{column}\" IS NOT NULL")
    };
    let source = match event {
        "insert" => rows("switchyard_new", ""),
        "delete" => rows("switchyard_old", "-"),
        _ => format!(
            "{} UNION ALL {}",
            rows("switchyard_new", ""),
            rows("switchyard_old", "-")
        ),
    };
    format!(
        "INSERT INTO state_count_deltas (table_name, column_name, value, delta) \
         SELECT '{table}', '{column}', value, SUM(delta) FROM ({source}) AS d \
         GROUP BY value HAVING SUM(delta) <> 0;"
    )
}

/// The statements that create one event's function and trigger.
fn trigger(table: &str, column: &str, event: &str) -> [String; 3] {
    let name = object_name(table, column, event);
    let referencing = match event {
        "insert" => "NEW TABLE AS switchyard_new",
        "delete" => "OLD TABLE AS switchyard_old",
        _ => "OLD TABLE AS switchyard_old NEW TABLE AS switchyard_new",
    };
    [
        format!(
            "CREATE OR REPLACE FUNCTION \"{name}\"() RETURNS trigger LANGUAGE plpgsql AS $body$ \
             BEGIN {} RETURN NULL; END $body$",
            delta_insert(table, column, event)
        ),
        format!("DROP TRIGGER IF EXISTS \"{name}\" ON \"{table}\""),
        format!(
            "CREATE TRIGGER \"{name}\" AFTER {} ON \"{table}\" REFERENCING {referencing} \
             FOR EACH STATEMENT EXECUTE FUNCTION \"{name}\"()",
            event.to_uppercase()
        ),
    ]
}

/// Installs the column's triggers and counts it, unless both are already there.
pub(super) async fn install(pool: &PgPool, table: &str, column: &str) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    // Two servers starting together install once; the second finds it done.
    sqlx::query(COUNTS_LOCK).execute(&mut *tx).await?;
    let present: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM pg_trigger \
                 WHERE tgrelid = $1::text::regclass AND tgname IN ($3, $4, $5)) \
              + (SELECT COUNT(*) FROM state_count_columns WHERE table_name = $1 AND column_name = $2)",
    )
    .bind(table)
    .bind(column)
    .bind(object_name(table, column, EVENTS[0]))
    .bind(object_name(table, column, EVENTS[1]))
    .bind(object_name(table, column, EVENTS[2]))
    .fetch_one(&mut *tx)
    .await?;
    if present == 4 {
        return tx.commit().await;
    }
    // Writers wait until the triggers and the first count are in place together.
    sqlx::query(&format!(
        "LOCK TABLE \"{table}\" IN SHARE ROW EXCLUSIVE MODE"
    ))
    .execute(&mut *tx)
    .await?;
    for event in EVENTS {
        for statement in trigger(table, column, event) {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
    }
    count_anew(&mut tx, table, column).await?;
    sqlx::query(MARK_COUNTED)
        .bind(table)
        .bind(column)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Replaces the column's counts with the table's, answering the rows and what changed.
pub(super) async fn recount(
    pool: &PgPool,
    table: &str,
    column: &str,
) -> sqlx::Result<(i64, Vec<(String, i64, i64)>)> {
    let mut tx = pool.begin().await?;
    sqlx::query(COUNTS_LOCK).execute(&mut *tx).await?;
    sqlx::query(&format!(
        "LOCK TABLE \"{table}\" IN SHARE ROW EXCLUSIVE MODE"
    ))
    .execute(&mut *tx)
    .await?;
    let kept = read_in(&mut tx, table, column).await?;
    let counted = count_anew(&mut tx, table, column).await?;
    tx.commit().await?;
    Ok(super::compare(kept, counted))
}

/// Deletes the column's counts and deltas and writes the table's counts; answers them. The
/// caller holds [`COUNTS_LOCK`] and keeps writers of the table out.
async fn count_anew(
    tx: &mut Transaction<'_, Postgres>,
    table: &str,
    column: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    for statement in [
        "DELETE FROM state_counts WHERE table_name = $1 AND column_name = $2",
        "DELETE FROM state_count_deltas WHERE table_name = $1 AND column_name = $2",
    ] {
        sqlx::query(statement)
            .bind(table)
            .bind(column)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query_as(&format!(
        "INSERT INTO state_counts (table_name, column_name, value, count) \
         SELECT $1, $2, \"{column}\"::text, COUNT(*) FROM \"{table}\" \
         WHERE \"{column}\" IS NOT NULL GROUP BY 3 \
         RETURNING value, count"
    ))
    .bind(table)
    .bind(column)
    .fetch_all(&mut **tx)
    .await
}

/// Folds every delta into the count rows, unless another server is folding them now.
pub(super) async fn compact(pool: &PgPool) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let locked: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('switchyard_state_counts'))")
            .fetch_one(&mut *tx)
            .await?;
    if !locked {
        return Ok(0);
    }
    let folded = sqlx::query(
        "WITH moved AS (DELETE FROM state_count_deltas \
                        RETURNING table_name, column_name, value, delta) \
         INSERT INTO state_counts (table_name, column_name, value, count) \
         SELECT table_name, column_name, value, SUM(delta) FROM moved \
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 \
         ON CONFLICT (table_name, column_name, value) \
         DO UPDATE SET count = state_counts.count + EXCLUDED.count",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(folded)
}

const READ: &str = "SELECT NULL::text, 0::int8 FROM state_count_columns \
     WHERE table_name = $1 AND column_name = $2 \
     UNION ALL \
     SELECT value, SUM(n)::int8 FROM ( \
         SELECT value, count AS n FROM state_counts WHERE table_name = $1 AND column_name = $2 \
         UNION ALL \
         SELECT value, delta FROM state_count_deltas WHERE table_name = $1 AND column_name = $2 \
     ) AS c GROUP BY value";

/// The column's counts (rows plus deltas), or `None` when it is not counted.
pub(super) async fn read(
    pool: &PgPool,
    table: &str,
    column: &str,
) -> sqlx::Result<Option<Vec<(String, i64)>>> {
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(READ)
        .bind(table)
        .bind(column)
        .fetch_all(pool)
        .await?;
    Ok(super::split_marker(rows))
}

async fn read_in(
    tx: &mut Transaction<'_, Postgres>,
    table: &str,
    column: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(READ)
        .bind(table)
        .bind(column)
        .fetch_all(&mut **tx)
        .await?;
    Ok(super::split_marker(rows).unwrap_or_default())
}
