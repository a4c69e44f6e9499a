//! A batch of state changes counted in a few statements instead of by a trigger per row.
//!
//! SQLite runs a row trigger as a sub-program, with a statement journal, for every row it
//! follows: the counting trigger tripled the cost of a one-row state update (133,000 updates
//! in one transaction: 1.1 s with it, 0.40 s without, 0.58 s stood aside, by
//! `scripts/measure-trigger-cost.sh`). A compare-and-set sets the machine's
//! state column and the model's columns, never another state column, so for a batch of them
//! the writer stands the state column's update trigger aside (a row of
//! `state_count_pauses`, which the trigger's `WHEN` reads), runs the updates, takes the row
//! away again and adds what they changed to `state_counts` itself, one statement per state.
//! The row is inserted and deleted inside the batch's own transaction, so it is never
//! committed and no other connection ever sees it: every other write, here or from any other
//! program, is still counted by the trigger. A failure anywhere fails the batch, whose
//! transaction then rolls back, pause and all.
//!
//! The writer stands aside only a trigger that reads the pause (one installed by this
//! version, `db/counts`) on a column that is counted; otherwise the trigger counts as before.

use rusqlite::{types::Value as SqlValue, Connection, OptionalExtension};
use switchyard_engine::StoreError;

use super::writer::execute_each;
use crate::db::{counts, store::backend};

/// Rows a batch must hold before the writer counts it itself: below that, the trigger's
/// per-row cost is less than the few statements counting costs.
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
    if rows.len() < SELF_COUNTED_ROWS || !trigger_stands_aside(connection, table, column)? {
        return execute_each(connection, sql, rows);
    }
    let pause = rusqlite::params![table, column];
    connection
        .prepare_cached("INSERT INTO state_count_pauses (table_name, column_name) VALUES (?1, ?2)")
        .and_then(|mut statement| statement.execute(pause))
        .map_err(backend)?;
    let changed = execute_each(connection, sql, rows);
    // Taken away whatever the updates came to: only then may the transaction commit.
    connection
        .prepare_cached("DELETE FROM state_count_pauses WHERE table_name = ?1 AND column_name = ?2")
        .and_then(|mut statement| statement.execute(pause))
        .map_err(backend)?;
    let changed = changed?;
    for (state, delta) in changes(rows, &changed) {
        add(connection, (table, column), state, delta)?;
    }
    Ok(changed)
}

/// Whether the column is counted and its update trigger reads the pause.
fn trigger_stands_aside(
    connection: &Connection,
    table: &str,
    column: &str,
) -> Result<bool, StoreError> {
    connection
        .prepare_cached(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM state_count_columns \
                                    WHERE table_name = ?1 AND column_name = ?2) \
             AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' \
                         AND name = ?3 AND instr(sql, ?4) > 0)",
        )
        .and_then(|mut statement| {
            statement
                .query_row(
                    rusqlite::params![
                        table,
                        column,
                        counts::update_trigger(table, column),
                        counts::unpaused(table, column)
                    ],
                    |_| Ok(()),
                )
                .optional()
        })
        .map(|found| found.is_some())
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
