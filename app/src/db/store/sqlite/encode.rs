//! What the SQLite store binds, as rusqlite values: keys, compare-and-set rows (the model's
//! columns serialised straight by [`super::model`], else through their JSON values) and audit
//! rows in chunks.

use rusqlite::types::Value as SqlValue;
use serde::Serialize;
use serde_json::Value;
use switchyard_engine::{AuditEntry, ObjectId, RowWrite, StoreError, StoredState};

use super::{
    model::{self, sqlite_value},
    statements::{SharedColumns, AUDIT_COLUMNS},
};
use crate::db::{
    store::values::{write_values, AuditDocument, WRITE_FIXED},
    table::{ColumnKind, Table},
};

/// A key as SQLite binds it: integers as themselves, UUIDs as hyphenated text.
pub(crate) fn key(id: &ObjectId) -> SqlValue {
    match id {
        ObjectId::Int(id) => SqlValue::Integer(*id),
        other => SqlValue::Text(other.to_string()),
    }
}

/// A write's key, expected state and version, state and version as SQLite binds them: all
/// that a write leaving the model's columns alone binds.
pub(crate) fn state_write_row<O>(write: &RowWrite<O>) -> Vec<SqlValue> {
    let state = |state: &StoredState| match state {
        StoredState::Text(text) => SqlValue::Text(text.clone()),
        StoredState::Integer(code) => SqlValue::Integer(*code),
    };
    vec![
        key(write.id()),
        state(write.expected_state()),
        SqlValue::Integer(write.expected_version().get()),
        state(write.state()),
        SqlValue::Integer(write.version().get()),
    ]
}

/// One compare-and-set's parameters as SQLite binds them, in `write_values` order.
pub(crate) fn write_row<O: Serialize>(
    table: &Table,
    write: &RowWrite<O>,
) -> Result<Vec<SqlValue>, StoreError> {
    if let Some(columns) = model::columns(table, write.object()) {
        let mut row = state_write_row(write);
        row.extend(columns);
        return Ok(row);
    }
    let json_columns = table.columns().iter().map(|c| c.kind == ColumnKind::Json);
    let is_json = std::iter::repeat_n(false, WRITE_FIXED).chain(json_columns);
    Ok(write_values(table, write)?
        .into_iter()
        .zip(is_json)
        .map(|(value, is_json)| sqlite_value(value, is_json))
        .collect())
}

/// One audit value as SQLite will bind it, still borrowed from its entry. Two JSON cells are
/// equal as values (`0.0 == -0.0`), which is as good as equal texts here: the rows of one
/// insert come from one request, whose arguments every row shares.
#[derive(PartialEq)]
enum AuditCell<'a> {
    Text(&'a str),
    Json(&'a Value),
    Integer(i64),
    Null,
}

impl AuditCell<'_> {
    fn bound(&self) -> SqlValue {
        match self {
            AuditCell::Text(text) => SqlValue::Text((*text).to_owned()),
            AuditCell::Json(value) => SqlValue::Text(value.to_string()),
            AuditCell::Integer(integer) => SqlValue::Integer(*integer),
            AuditCell::Null => SqlValue::Null,
        }
    }
}

/// One audit row's values in `statements::insert_audit` order.
fn audit_cells<'a>(row: &'a AuditDocument<'a>) -> [AuditCell<'a>; AUDIT_COLUMNS] {
    let optional = |value: Option<&'a str>| value.map_or(AuditCell::Null, AuditCell::Text);
    [
        AuditCell::Text(row.resource),
        AuditCell::Text(&row.object_id),
        AuditCell::Text(row.transition),
        AuditCell::Text(row.source),
        optional(row.target),
        row.actor_id.map_or(AuditCell::Null, AuditCell::Integer),
        AuditCell::Text(row.actor_username),
        AuditCell::Json(row.arguments),
        optional(row.description),
        AuditCell::Text(row.outcome),
        optional(row.error),
        row.job_id.map_or(AuditCell::Null, AuditCell::Integer),
        AuditCell::Text(row.field),
    ]
}

/// One chunk of audit rows as `statements::insert_audit` binds them: how many rows, the
/// columns every row shares, then the first row's values and each later row's unshared ones.
/// A shared value is compared where it lies in the entries and copied once.
pub(crate) fn audit_chunk(chunk: &[AuditEntry]) -> (usize, SharedColumns, Vec<SqlValue>) {
    let documents: Vec<AuditDocument<'_>> = chunk.iter().map(AuditDocument::new).collect();
    let rows: Vec<[AuditCell<'_>; AUDIT_COLUMNS]> = documents.iter().map(audit_cells).collect();
    let mut shared = [rows.len() > 1; AUDIT_COLUMNS];
    if let Some((first, rest)) = rows.split_first() {
        for row in rest {
            for (column, cell) in row.iter().enumerate() {
                shared[column] &= *cell == first[column];
            }
        }
    }
    let mut values = Vec::with_capacity(AUDIT_COLUMNS * rows.len());
    for (index, row) in rows.iter().enumerate() {
        values.extend(
            row.iter()
                .zip(shared)
                .filter(|(_, shared)| index == 0 || !shared)
                .map(|(cell, _)| cell.bound()),
        );
    }
    (chunk.len(), shared, values)
}
