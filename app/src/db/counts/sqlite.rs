//! SQLite's counting triggers: row triggers that update the count rows in place. SQLite has
//! one writer at a time, so the count rows are never contended.
//!
//! Identifiers are checked table declarations (letters, digits and `_`), so they can stand in
//! the triggers' text as literals; request values never reach this file.

use sqlx::SqlitePool;

use super::{object_name, EVENTS, MARK_COUNTED};

/// The three triggers of one column.
fn triggers(table: &str, column: &str) -> [String; 3] {
    let key = format!("table_name = '{table}' AND column_name = '{column}'");
    let add = |row: &str| {
        format!(
            "INSERT INTO state_counts (table_name, column_name, value, count) \
             SELECT '{table}', '{column}', CAST({row}.\"{column}\" AS TEXT), 1 \
             WHERE {row}.\"{column}\" IS NOT NULL \
             ON CONFLICT (table_name, column_name, value) DO UPDATE SET count = count + 1;"
        )
    };
    let remove = |row: &str| {
        format!(
            "UPDATE state_counts SET count = count - 1 \
             WHERE {key} AND value = CAST({row}.\"{column}\" AS TEXT);"
        )
    };
    [
        format!(
            "CREATE TRIGGER \"{}\" AFTER INSERT ON \"{table}\" BEGIN {} END",
            object_name(table, column, "insert"),
            add("NEW")
        ),
        format!(
            "CREATE TRIGGER \"{}\" AFTER UPDATE OF \"{column}\" ON \"{table}\" \
             WHEN OLD.\"{column}\" IS NOT NEW.\"{column}\" BEGIN {} {} END",
            object_name(table, column, "update"),
            remove("OLD"),
            add("NEW")
        ),
        format!(
            "CREATE TRIGGER \"{}\" AFTER DELETE ON \"{table}\" BEGIN {} END",
            object_name(table, column, "delete"),
            remove("OLD")
        ),
    ]
}

/// The name of the column's update trigger.
pub(crate) fn update_trigger(table: &str, column: &str) -> String {
    object_name(table, column, "update")
}

/// Installs the column's triggers and counts it, unless both are already there as this
/// version writes them; triggers of another text (an older version's) are installed again,
/// and the column counted again, under the same lock.
pub(super) async fn install(pool: &SqlitePool, table: &str, column: &str) -> sqlx::Result<()> {
    let names: Vec<String> = EVENTS
        .iter()
        .map(|event| object_name(table, column, event))
        .collect();
    let texts = triggers(table, column);
    // The write lock first: nothing may write the table between the count and the triggers.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let present: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' \
                 AND ((name = $1 AND sql = $4) OR (name = $2 AND sql = $5) \
                      OR (name = $3 AND sql = $6))) \
         + (SELECT COUNT(*) FROM state_count_columns WHERE table_name = $7 AND column_name = $8)",
    )
    .bind(&names[0])
    .bind(&names[1])
    .bind(&names[2])
    .bind(&texts[0])
    .bind(&texts[1])
    .bind(&texts[2])
    .bind(table)
    .bind(column)
    .fetch_one(&mut *tx)
    .await?;
    if present == 4 {
        return tx.commit().await;
    }
    for name in &names {
        sqlx::query(&format!("DROP TRIGGER IF EXISTS \"{name}\""))
            .execute(&mut *tx)
            .await?;
    }
    for trigger in &texts {
        sqlx::query(trigger).execute(&mut *tx).await?;
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
    pool: &SqlitePool,
    table: &str,
    column: &str,
) -> sqlx::Result<(i64, Vec<(String, i64, i64)>)> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let kept: Vec<(String, i64)> = sqlx::query_as(
        "SELECT value, count FROM state_counts WHERE table_name = $1 AND column_name = $2",
    )
    .bind(table)
    .bind(column)
    .fetch_all(&mut *tx)
    .await?;
    let counted = count_anew(&mut tx, table, column).await?;
    tx.commit().await?;
    Ok(super::compare(kept, counted))
}

/// Deletes the column's counts and writes the table's; answers them.
async fn count_anew(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    table: &str,
    column: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query("DELETE FROM state_counts WHERE table_name = $1 AND column_name = $2")
        .bind(table)
        .bind(column)
        .execute(&mut **tx)
        .await?;
    let counted: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT CAST(\"{column}\" AS TEXT), COUNT(*) FROM \"{table}\" \
         WHERE \"{column}\" IS NOT NULL GROUP BY 1"
    ))
    .fetch_all(&mut **tx)
    .await?;
    for (value, count) in &counted {
        sqlx::query(
            "INSERT INTO state_counts (table_name, column_name, value, count) VALUES ($1, $2, $3, $4)",
        )
        .bind(table)
        .bind(column)
        .bind(value)
        .bind(count)
        .execute(&mut **tx)
        .await?;
    }
    Ok(counted)
}

/// The column's kept counts, or `None` when it is not counted.
pub(super) async fn read(
    pool: &SqlitePool,
    table: &str,
    column: &str,
) -> sqlx::Result<Option<Vec<(String, i64)>>> {
    // The marker comes back as a row with no value, so one statement answers both.
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT NULL, 0 FROM state_count_columns WHERE table_name = $1 AND column_name = $2 \
         UNION ALL \
         SELECT value, count FROM state_counts WHERE table_name = $1 AND column_name = $2",
    )
    .bind(table)
    .bind(column)
    .fetch_all(pool)
    .await?;
    Ok(super::split_marker(rows))
}
