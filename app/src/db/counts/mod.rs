//! Per-state counts kept in the database, so counting the rows in a state costs the same at
//! ten rows and at ten million.
//!
//! For every state column of every registered resource the console installs triggers
//! ([`install`]) that keep `state_counts` in step with the table, in the same transaction as
//! the write that changes it: fires single and bulk, creations, deletions, edits, seeds, and
//! SQL run by hand. The triggers, not the store, keep them, so no write path can forget to;
//! the one exception is SQLite's store writer, which stands a column's update trigger aside
//! inside a batch's own transaction and counts the batch in a few statements instead
//! (`db/store/sqlite/counting.rs`), because a row trigger tripled a one-row update's cost.
//! SQLite updates the count rows in place (it has one writer anyway); PostgreSQL appends
//! deltas that [`compact`] folds in ([`postgres`] says why). [`read`] answers a column's
//! counts, or `None` when the column is not counted, and callers then count the table.
//! [`recount`] recomputes them under a lock that keeps writers out: the repair command.

mod postgres;
mod sqlite;

pub(crate) use sqlite::update_trigger;

use std::collections::HashMap;

use switchyard_engine::StoredState;

use super::{
    table::{StateColumn, StateKind, Table},
    Db,
};

/// The events a column's triggers follow, one trigger each.
const EVENTS: [&str; 3] = ["insert", "update", "delete"];

/// Marks a column as counted, in the transaction that installs its triggers (both backends).
const MARK_COUNTED: &str = "INSERT INTO state_count_columns (table_name, column_name) \
     VALUES ($1, $2) ON CONFLICT DO NOTHING";

/// What a recount found for one state column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recount {
    /// The column.
    pub column: String,
    /// Rows in the table.
    pub rows: i64,
    /// Each value whose kept count was wrong: the value, the kept count, the true count.
    pub corrected: Vec<(String, i64, i64)>,
}

/// Installs the counting triggers of each state column of `table` where they are missing,
/// counting the column once in the same transaction; a column already counted is left alone.
pub async fn install(db: &Db, table: &Table) -> Result<(), sqlx::Error> {
    for column in table.state_columns() {
        match db {
            Db::Sqlite(pool) => sqlite::install(pool, table.name(), &column.name).await?,
            Db::Postgres(pool) => postgres::install(pool, table.name(), &column.name).await?,
        }
    }
    Ok(())
}

/// Recomputes every state column's counts of `table` from the table, holding writers off
/// meanwhile, and says what was wrong.
pub async fn recount(db: &Db, table: &Table) -> Result<Vec<Recount>, sqlx::Error> {
    let mut found = Vec::new();
    for column in table.state_columns() {
        let (rows, corrected) = match db {
            Db::Sqlite(pool) => sqlite::recount(pool, table.name(), &column.name).await?,
            Db::Postgres(pool) => postgres::recount(pool, table.name(), &column.name).await?,
        };
        found.push(Recount {
            column: column.name.clone(),
            rows,
            corrected,
        });
    }
    Ok(found)
}

/// Folds PostgreSQL's count deltas into the counts (nothing to do on SQLite); answers how
/// many deltas it folded. Safe beside writers and beside other servers compacting.
pub async fn compact(db: &Db) -> Result<u64, sqlx::Error> {
    match db {
        Db::Sqlite(_) => Ok(0),
        Db::Postgres(pool) => postgres::compact(pool).await,
    }
}

/// How many rows of `table` hold each value of `column`, from the kept counts (values no row
/// holds left out); `None` when the column's counts are not kept.
pub async fn read(
    db: &Db,
    table: &Table,
    column: &StateColumn,
) -> Result<Option<HashMap<StoredState, i64>>, sqlx::Error> {
    let counted = match db {
        Db::Sqlite(pool) => sqlite::read(pool, table.name(), &column.name).await?,
        Db::Postgres(pool) => postgres::read(pool, table.name(), &column.name).await?,
    };
    Ok(counted.map(|values| {
        values
            .into_iter()
            .filter(|(_, count)| *count != 0)
            .filter_map(|(value, count)| Some((stored(column.kind, value)?, count)))
            .collect()
    }))
}

/// A counted value as the column stores it (integer columns count their decimal text).
fn stored(kind: StateKind, value: String) -> Option<StoredState> {
    match kind {
        StateKind::Text => Some(StoredState::Text(value)),
        StateKind::Integer => value.parse().ok().map(StoredState::Integer),
    }
}

/// The name of a trigger (or function) of `table`'s `column` for `event`: readable when it
/// fits PostgreSQL's 63 bytes, otherwise a stable hash of the pair.
fn object_name(table: &str, column: &str, event: &str) -> String {
    let readable = format!("switchyard_count_{table}_{column}_{event}");
    if readable.len() <= 63 {
        return readable;
    }
    // FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
    let hash = format!("{table}.{column}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("switchyard_count_{hash:016x}_{event}")
}

/// Rows of a read whose marker row (no value) says the column is counted: the counted values,
/// or `None` without the marker.
fn split_marker(rows: Vec<(Option<String>, i64)>) -> Option<Vec<(String, i64)>> {
    let counted = rows.iter().any(|(value, _)| value.is_none());
    counted.then(|| {
        rows.into_iter()
            .filter_map(|(value, count)| Some((value?, count)))
            .collect()
    })
}

/// The rows a recount found, and each value whose kept count differed: (value, kept, true).
fn compare(
    kept: Vec<(String, i64)>,
    counted: Vec<(String, i64)>,
) -> (i64, Vec<(String, i64, i64)>) {
    let rows = counted.iter().map(|(_, count)| count).sum();
    let mut kept: HashMap<String, i64> = kept.into_iter().collect();
    let mut corrected = Vec::new();
    for (value, count) in counted {
        let was = kept.remove(&value).unwrap_or(0);
        if was != count {
            corrected.push((value, was, count));
        }
    }
    corrected.extend(
        kept.into_iter()
            .filter(|(_, was)| *was != 0)
            .map(|(value, was)| (value, was, 0)),
    );
    corrected.sort();
    (rows, corrected)
}

/// How often a PostgreSQL server folds count deltas: reads add up what is not folded yet,
/// so this bounds their work, not their freshness.
const COMPACTION_PERIOD: std::time::Duration = std::time::Duration::from_secs(2);

/// Keeps folding count deltas for as long as the process runs (PostgreSQL; nothing on SQLite).
pub fn spawn_compaction(db: Db) {
    if let Db::Postgres(_) = db {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(COMPACTION_PERIOD);
            loop {
                ticks.tick().await;
                if let Err(error) = compact(&db).await {
                    tracing::warn!(%error, "folding the state count deltas failed; retrying");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::object_name;

    #[test]
    fn trigger_names_fit_postgres_identifiers() {
        assert_eq!(
            object_name("orders", "state", "update"),
            "switchyard_count_orders_state_update"
        );
        let long = "t".repeat(63);
        let name = object_name(&long, "state", "insert");
        assert!(name.len() <= 63, "{name}");
        assert_ne!(name, object_name(&long, "other", "insert"));
    }
}
