//! A batch of state changes counted in a few statements instead of by a trigger per row.
//!
//! SQLite runs a row trigger as a sub-program, with a statement journal, for every row it
//! follows: the counting trigger tripled the cost of a one-row state update, and even a
//! trigger whose `WHEN` declines still costs every row its sub-program and journal
//! (133,000 updates in one transaction: 1.1 s with it, 0.58 s declined, 0.40 s without it,
//! by `scripts/measure-trigger-cost.sh`). A compare-and-set sets the machine's state column
//! and the model's columns, never another state column, so for a batch of them the writer
//! drops the state column's update trigger inside the batch's own transaction, runs the
//! updates, creates the trigger again from its own stored text (`sqlite_master.sql`, so
//! whatever version installed it is put back as it was), and adds what the updates changed
//! to `state_counts` itself, one statement per state.
//!
//! SQLite's schema changes are transactional and the write lock is the writer's throughout:
//! no other connection ever sees the table without its trigger, so every other write, here
//! or from any other program, is still counted by it. A failure anywhere fails the batch,
//! whose transaction then rolls back, the drop with it.
//!
//! The writer does this only for a column that is counted (`state_count_columns`) and whose
//! trigger exists; otherwise the trigger, if any, counts as before.

use rusqlite::{types::Value as SqlValue, Connection, OptionalExtension};
use switchyard_engine::StoreError;

use super::writer::execute_each;
use crate::db::{counts, store::backend};

/// Rows a batch must hold before the writer counts it itself: below that, the trigger's
/// per-row cost is less than the schema change and the few statements counting costs.
pub(crate) const SELF_COUNTED_ROWS: usize = 64;

/// Where a write's expected and new state stand in its parameters (`encode::state_write_row`,
/// which every write's parameters begin with).
const FROM: usize = 1;
const TO: usize = 3;

/// Runs `sql`, a compare-and-set of the state `column` (and of no other counted column), once
/// per parameter row, and answers each run's change count, with the counts of `column` kept
/// as the trigger would keep them.
pub(crate) fn update_states(
    connection: &Connection,
    (table, column): (&str, &str),
    sql: &str,
    rows: &[&Vec<SqlValue>],
) -> Result<Vec<usize>, StoreError> {
    if rows.len() < SELF_COUNTED_ROWS {
        return execute_each(connection, sql, rows);
    }
    let name = counts::update_trigger(table, column);
    let Some(trigger) = counting_trigger(connection, (table, column), &name)? else {
        return execute_each(connection, sql, rows);
    };
    // The name is a checked identifier (`db/counts`), never a request's value.
    connection
        .execute(&format!("DROP TRIGGER \"{name}\""), [])
        .map_err(backend)?;
    let changed = execute_each(connection, sql, rows);
    // Put back whatever the updates came to: only then may the transaction commit.
    connection.execute(&trigger, []).map_err(backend)?;
    let changed = changed?;
    for (state, delta) in changes(rows, &changed) {
        add(connection, (table, column), state, delta)?;
    }
    Ok(changed)
}

/// The text of the column's update trigger when the column is counted and the trigger is
/// there: one `CREATE TRIGGER` statement, as SQLite keeps it.
fn counting_trigger(
    connection: &Connection,
    (table, column): (&str, &str),
    name: &str,
) -> Result<Option<String>, StoreError> {
    connection
        .prepare_cached(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?3 \
             AND EXISTS (SELECT 1 FROM state_count_columns \
                         WHERE table_name = ?1 AND column_name = ?2)",
        )
        .and_then(|mut statement| {
            statement
                .query_row(rusqlite::params![table, column, name], |row| row.get(0))
                .optional()
        })
        .map_err(backend)
}

/// What the rows that changed did to each state's count: -1 for the state each left, +1 for
/// the one it reached. A row whose state did not change, and a null state, count for
/// nothing, as in the trigger.
fn changes<'a>(rows: &[&'a Vec<SqlValue>], changed: &[usize]) -> Vec<(&'a SqlValue, i64)> {
    let mut deltas: Vec<(&SqlValue, i64)> = Vec::new();
    let mut tally = |state: &'a SqlValue, delta: i64| {
        if *state == SqlValue::Null {
            return;
        }
        match deltas.iter_mut().find(|(seen, _)| *seen == state) {
            Some((_, total)) => *total += delta,
            None => deltas.push((state, delta)),
        }
    };
    let moved = rows
        .iter()
        .zip(changed)
        .filter(|(_, count)| **count > 0)
        .map(|(row, _)| *row);
    for row in moved {
        let (from, to) = (&row[FROM], &row[TO]);
        if from != to {
            tally(from, -1);
            tally(to, 1);
        }
    }
    deltas.retain(|(_, delta)| *delta != 0);
    deltas
}

/// Adds `delta` to the count of `state`, whose text is SQLite's own (`CAST … AS TEXT`, as
/// in the trigger). A count that goes up is created if missing; one that goes down exists.
fn add(
    connection: &Connection,
    (table, column): (&str, &str),
    state: &SqlValue,
    delta: i64,
) -> Result<(), StoreError> {
    let sql = if delta > 0 {
        "INSERT INTO state_counts (table_name, column_name, value, count) \
         VALUES (?1, ?2, CAST(?3 AS TEXT), ?4) \
         ON CONFLICT (table_name, column_name, value) DO UPDATE SET count = count + excluded.count"
    } else {
        "UPDATE state_counts SET count = count + ?4 \
         WHERE table_name = ?1 AND column_name = ?2 AND value = CAST(?3 AS TEXT)"
    };
    connection
        .prepare_cached(sql)
        .and_then(|mut statement| statement.execute(rusqlite::params![table, column, state, delta]))
        .map(|_| ())
        .map_err(backend)
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value as SqlValue;

    use super::changes;

    fn write(from: SqlValue, to: SqlValue) -> Vec<SqlValue> {
        vec![
            SqlValue::Integer(1),
            from,
            SqlValue::Integer(1),
            to,
            SqlValue::Integer(2),
        ]
    }

    #[test]
    fn only_rows_that_changed_state_count() {
        let text = |state: &str| SqlValue::Text(state.to_owned());
        let rows = [
            write(text("new"), text("paid")),
            write(text("new"), text("paid")),
            // Lost its race: nothing changed.
            write(text("new"), text("paid")),
            // A self-loop moves no count.
            write(text("paid"), text("paid")),
            write(text("paid"), text("shipped")),
            write(SqlValue::Null, text("new")),
        ];
        let rows: Vec<&Vec<SqlValue>> = rows.iter().collect();
        let found = changes(&rows, &[1, 1, 0, 1, 1, 1]);
        assert_eq!(
            found,
            vec![
                (&text("new"), -1),
                (&text("paid"), 1),
                (&text("shipped"), 1)
            ]
        );
    }
}
