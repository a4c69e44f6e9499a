//! The SQL the PostgreSQL store runs on one table, written once when the table is declared,
//! and its audit insert.
//!
//! A batch travels as one JSON document bound to one parameter (`json_to_recordset`), so no
//! bind-parameter limit applies and each statement keeps one text whatever the batch size.

use crate::db::table::{quote, Column, ColumnKind, IdKind, QuotedNames, StateColumn, StateKind};

/// Keys of the reserved members of a compare-and-set document.
pub(crate) const WRITE_ID: &str = "__id";
pub(crate) const WRITE_EXPECTED_STATE: &str = "__expected_state";
pub(crate) const WRITE_EXPECTED_VERSION: &str = "__expected_version";
pub(crate) const WRITE_STATE: &str = "__state";
pub(crate) const WRITE_VERSION: &str = "__version";

/// Every statement the PostgreSQL store runs on one table.
#[derive(Debug, Clone)]
pub(crate) struct Statements {
    /// `key, state, version, columns…` over the alias `t`, each cast to the type the store
    /// decodes.
    pub(crate) select: String,
    /// `select`, then the table's other state columns: what the console reads.
    pub(crate) read_select: String,
    /// `SELECT … WHERE id = ANY($1)`.
    pub(crate) load: String,
    /// The same, ordered by key and `FOR UPDATE`, so concurrent lockers never deadlock.
    pub(crate) load_locked: String,
    /// `UPDATE … FROM json_to_recordset($1) … RETURNING id`.
    pub(crate) compare_and_set: String,
}

/// The type a state column is read and written as.
fn state_type(kind: StateKind) -> &'static str {
    match kind {
        StateKind::Text => "text",
        StateKind::Integer => "int8",
    }
}

/// The type a model column is read and written as.
fn column_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Text => "text",
        ColumnKind::Integer => "int8",
        ColumnKind::Boolean => "bool",
        ColumnKind::Real => "float8",
        ColumnKind::Json => "jsonb",
    }
}

impl Statements {
    /// The statements for a table of these names, key and state kinds, and model columns.
    pub(crate) fn new(
        names: &QuotedNames,
        id_kind: IdKind,
        state_kind: StateKind,
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
        let quoted: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();

        // Cast every column to the type the store decodes, so a deployer's INTEGER or VARCHAR
        // column reads as well as BIGINT or TEXT.
        let (id_type, id_read) = match id_kind {
            IdKind::Integer => ("int8", format!("t.{id}::int8")),
            IdKind::Text => ("text", format!("t.{id}::text")),
            IdKind::Uuid => ("uuid", format!("t.{id}::text")),
        };
        let driven_type = state_type(state_kind);
        let select = [
            id_read.clone(),
            format!("t.{state}::{driven_type}"),
            format!("t.{version}::int8"),
        ]
        .into_iter()
        .chain(
            columns
                .iter()
                .map(|c| format!("t.{}::{}", quote(&c.name), column_type(c.kind))),
        )
        .collect::<Vec<_>>()
        .join(", ");
        let read_select = std::iter::once(select.clone())
            .chain(
                other_states
                    .iter()
                    .map(|s| format!("t.{}::{}", quote(&s.name), state_type(s.kind))),
            )
            .collect::<Vec<_>>()
            .join(", ");
        let load = format!("SELECT {select} FROM {table} AS t WHERE t.{id} = ANY($1::{id_type}[])");
        let load_locked = format!("{load} ORDER BY t.{id} FOR UPDATE");
        let mut record = vec![
            format!("{} {id_type}", quote(WRITE_ID)),
            format!("{} {driven_type}", quote(WRITE_EXPECTED_STATE)),
            format!("{} int8", quote(WRITE_EXPECTED_VERSION)),
            format!("{} {driven_type}", quote(WRITE_STATE)),
            format!("{} int8", quote(WRITE_VERSION)),
        ];
        record.extend(
            columns
                .iter()
                .map(|c| format!("{} {}", quote(&c.name), column_type(c.kind))),
        );
        let mut sets = vec![
            format!("{state} = w.{}", quote(WRITE_STATE)),
            format!("{version} = w.{}", quote(WRITE_VERSION)),
        ];
        sets.extend(quoted.iter().map(|c| format!("{c} = w.{c}")));
        if let Some(updated_at) = updated_at {
            sets.push(format!("{updated_at} = now()"));
        }
        let compare_and_set = format!(
            "UPDATE {table} AS t SET {sets} FROM json_to_recordset($1::json) AS w({record}) \
             WHERE t.{id} = w.{wid} AND t.{state} = w.{wes} AND t.{version} = w.{wev} \
             RETURNING {id_read}",
            sets = sets.join(", "),
            record = record.join(", "),
            wid = quote(WRITE_ID),
            wes = quote(WRITE_EXPECTED_STATE),
            wev = quote(WRITE_EXPECTED_VERSION),
        );
        Statements {
            select,
            read_select,
            load,
            load_locked,
            compare_and_set,
        }
    }
}

/// Inserts audit rows from one JSON array.
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (resource, object_id, transition, source, target, actor_id, actor_username, arguments, \
     description, outcome, error, job_id, field) \
    SELECT resource, object_id, transition, source, target, actor_id, actor_username, \
           COALESCE(arguments, 'null'::jsonb), description, outcome, error, job_id, field \
    FROM json_to_recordset($1::json) AS a(resource text, object_id text, transition text, \
         source text, target text, actor_id int8, actor_username text, arguments jsonb, \
         description text, outcome text, error text, job_id int8, field text)";
