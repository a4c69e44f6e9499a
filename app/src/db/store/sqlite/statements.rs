//! The SQL the SQLite store runs on one table, written once when the table is declared, and
//! its multi-row audit inserts.
//!
//! SQLite runs in process, so the writes are one-row statements the writer steps once per row
//! (see [`super`]), and only a load by many keys reads a JSON array (`json_each`).

use std::{borrow::Cow, sync::OnceLock};

use crate::db::table::{quote, Column, QuotedNames, StateColumn};

/// Every statement the SQLite store runs on one table.
#[derive(Debug, Clone)]
pub(crate) struct Statements {
    /// `key, state, version, columns…` as SQLite selects them.
    pub(crate) select: String,
    /// `select`, then the table's other state columns: what the console reads.
    pub(crate) read_select: String,
    /// `SELECT … WHERE id = ?1`.
    pub(crate) load_one: String,
    /// `SELECT … WHERE id IN (SELECT value FROM json_each($1))`.
    pub(crate) load_many: String,
    /// `UPDATE … WHERE id = ?1 AND state = ?2 AND version = ?3`, for one row.
    pub(crate) compare_and_set: String,
    /// The same, writing only the state, the version and the time: for a row whose model
    /// columns are what was loaded. It binds only the first five parameters.
    pub(crate) compare_and_set_state: String,
}

impl Statements {
    /// The statements for a table of these names and model columns.
    pub(crate) fn new(
        names: &QuotedNames,
        columns: &[Column],
        other_states: &[&StateColumn],
    ) -> Statements {
        let QuotedNames {
            table,
            id,
            state,
            version,
            updated_at,
        } = names;
        let columns: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();

        // No casts; the driver decodes by the declared column types.
        let select = std::iter::once(format!("{id}, {state}, {version}"))
            .chain(columns.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ");
        let read_select = std::iter::once(select.clone())
            .chain(other_states.iter().map(|state| quote(&state.name)))
            .collect::<Vec<_>>()
            .join(", ");
        let load_one = format!("SELECT {select} FROM {table} WHERE {id} = ?1");
        let load_many =
            format!("SELECT {select} FROM {table} WHERE {id} IN (SELECT value FROM json_each($1))");
        // Parameters in `values::write_values` order: key, expected state, expected version,
        // state, version, then the columns. `?N` is parameter N, so the writer binds by position.
        let parameter = |position: usize| format!("?{}", position + 1);
        let mut sets = vec![
            format!("{state} = {}", parameter(3)),
            format!("{version} = {}", parameter(4)),
        ];
        sets.extend(
            columns
                .iter()
                .enumerate()
                .map(|(offset, column)| format!("{column} = {}", parameter(offset + 5))),
        );
        let stamp = updated_at
            .as_ref()
            .map(|updated_at| format!("{updated_at} = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"));
        // No RETURNING: the writer runs it once per row and reads the change count, where
        // RETURNING would buffer each row through a temporary table.
        let update = |sets: &[String]| {
            let sets = sets.iter().chain(&stamp).cloned().collect::<Vec<_>>();
            format!(
                "UPDATE {table} SET {sets} WHERE {id} = ?1 AND {state} = ?2 AND {version} = ?3",
                sets = sets.join(", "),
            )
        };
        Statements {
            compare_and_set: update(&sets),
            compare_and_set_state: update(&sets[..2]),
            select,
            read_select,
            load_one,
            load_many,
        }
    }
}

/// How many values one audit row binds.
pub(crate) const AUDIT_COLUMNS: usize = 13;

/// Audit rows per insert statement: one statement per row would cost a statement run each,
/// and 64 rows bind 768 parameters, far below SQLite's limit of 32,766.
pub(crate) const AUDIT_ROWS_PER_INSERT: usize = 64;

/// Which audit columns every row of a chunk holds the same value in: those bind once.
pub(crate) type SharedColumns = [bool; AUDIT_COLUMNS];

/// `INSERT INTO audit_log (…) VALUES (?1, …, ?13), (…), …` for `rows` rows, each in
/// `encode::audit_chunk` order. The first row binds `?1` to `?11`; each later row takes the
/// first row's parameter for a `shared` column and binds its other columns in order, so a
/// bulk fire's audit rows, which differ mostly in their key, bind little more than their keys.
/// The texts for one row, and for a full chunk shared as the process's first full chunk was (a
/// bulk fire's chunks all share alike), are written once per process; any other is written
/// per call.
pub(crate) fn insert_audit(rows: usize, shared: SharedColumns) -> Cow<'static, str> {
    static ONE: OnceLock<String> = OnceLock::new();
    static FULL: OnceLock<(SharedColumns, String)> = OnceLock::new();
    if rows == 1 {
        return Cow::Borrowed(ONE.get_or_init(|| write_insert_audit(1, [false; AUDIT_COLUMNS])));
    }
    if rows == AUDIT_ROWS_PER_INSERT {
        let (usual, text) = FULL.get_or_init(|| (shared, write_insert_audit(rows, shared)));
        if *usual == shared {
            return Cow::Borrowed(text);
        }
    }
    Cow::Owned(write_insert_audit(rows, shared))
}

fn write_insert_audit(rows: usize, shared: SharedColumns) -> String {
    let mut next = 0;
    let tuples: Vec<String> = (0..rows)
        .map(|row| {
            let parameters: Vec<String> = (0..AUDIT_COLUMNS)
                .map(|column| {
                    if row > 0 && shared[column] {
                        format!("?{}", column + 1)
                    } else {
                        next += 1;
                        format!("?{next}")
                    }
                })
                .collect();
            format!("({})", parameters.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO audit_log (resource, object_id, transition, source, target, actor_id, \
         actor_username, arguments, description, outcome, error, job_id, field) VALUES {}",
        tuples.join(", ")
    )
}
