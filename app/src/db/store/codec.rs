//! Turning models, keys, writes and audit entries into the JSON documents the store binds,
//! and database rows back into `StoredRow`s.
//!
//! The model `O` maps through serde: each top-level field is the column of the same name
//! declared in the [`Table`]; fields the table does not declare are ignored when writing and
//! must be optional (or defaulted) when reading.

use rusqlite::types::Value as SqlValue;
use serde::{
    de::{value::MapDeserializer, DeserializeOwned},
    Serialize,
};
use serde_json::{Map, Value};
use sqlx::{types::Json, ColumnIndex, Decode, Row, Type};
use switchyard_engine::{
    AuditEntry, AuditOutcome, ObjectId, RowWrite, StoreError, StoredRow, StoredState, Version,
};

use super::{
    postgres::statements::{
        WRITE_EXPECTED_STATE, WRITE_EXPECTED_VERSION, WRITE_ID, WRITE_STATE, WRITE_VERSION,
    },
    sqlite::{
        model as sqlite_model,
        statements::{SharedColumns, AUDIT_COLUMNS},
    },
};
use crate::db::table::{ColumnKind, IdKind, StateKind, Table};

/// A key as JSON: integers stay numbers, UUIDs become hyphenated text.
pub(crate) fn id_json(id: &ObjectId) -> Value {
    match id {
        ObjectId::Int(value) => Value::from(*value),
        other => Value::String(other.to_string()),
    }
}

fn state_json(state: &StoredState) -> Value {
    match state {
        StoredState::Text(text) => Value::String(text.clone()),
        StoredState::Integer(code) => Value::from(*code),
    }
}

fn encode_error(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// What one compare-and-set binds, in statement order: key, expected state, expected version,
/// state, version, then the table's columns in declaration order.
pub(crate) fn write_values<O: Serialize>(
    table: &Table,
    write: &RowWrite<O>,
) -> Result<Vec<Value>, StoreError> {
    let Value::Object(mut fields) = serde_json::to_value(write.object()).map_err(encode_error)?
    else {
        return Err(StoreError::Decode {
            id: write.id().clone(),
            message: "the model must serialize to a JSON object".to_owned(),
        });
    };
    let mut values = Vec::with_capacity(table.columns().len() + 5);
    values.push(id_json(write.id()));
    values.push(state_json(write.expected_state()));
    values.push(Value::from(write.expected_version().get()));
    values.push(state_json(write.state()));
    values.push(Value::from(write.version().get()));
    for column in table.columns() {
        let value = fields
            .remove(&column.name)
            .ok_or_else(|| StoreError::Decode {
                id: write.id().clone(),
                message: format!("the model has no field `{}`", column.name),
            })?;
        values.push(value);
    }
    Ok(values)
}

/// A key as SQLite binds it: integers as themselves, UUIDs as hyphenated text.
pub(crate) fn sqlite_key(id: &ObjectId) -> SqlValue {
    match id {
        ObjectId::Int(id) => SqlValue::Integer(*id),
        other => SqlValue::Text(other.to_string()),
    }
}

/// How many values of a write come before the model's columns (`write_values` order).
const WRITE_FIXED: usize = 5;

/// A write's key, expected state and version, state and version as SQLite binds them: all
/// that a write leaving the model's columns alone binds.
pub(crate) fn sqlite_state_write_row<O>(write: &RowWrite<O>) -> Vec<SqlValue> {
    let state = |state: &StoredState| match state {
        StoredState::Text(text) => SqlValue::Text(text.clone()),
        StoredState::Integer(code) => SqlValue::Integer(*code),
    };
    vec![
        sqlite_key(write.id()),
        state(write.expected_state()),
        SqlValue::Integer(write.expected_version().get()),
        state(write.state()),
        SqlValue::Integer(write.version().get()),
    ]
}

/// One compare-and-set's parameters as SQLite binds them, in `write_values` order.
pub(crate) fn sqlite_write_row<O: Serialize>(
    table: &Table,
    write: &RowWrite<O>,
) -> Result<Vec<SqlValue>, StoreError> {
    if let Some(columns) = sqlite_model::columns(table, write.object()) {
        let mut row = sqlite_state_write_row(write);
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

/// A JSON value as SQLite stores it: scalars as themselves, and JSON columns (or nested
/// values) as their JSON text.
pub(crate) fn sqlite_value(value: Value, is_json: bool) -> SqlValue {
    if is_json {
        return SqlValue::Text(value.to_string());
    }
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(flag) => SqlValue::Integer(i64::from(flag)),
        Value::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(integer), _) => SqlValue::Integer(integer),
            (None, Some(real)) => SqlValue::Real(real),
            (None, None) => SqlValue::Text(number.to_string()),
        },
        Value::String(text) => SqlValue::Text(text),
        nested @ (Value::Array(_) | Value::Object(_)) => SqlValue::Text(nested.to_string()),
    }
}

/// One JSON array of compare-and-set writes for PostgreSQL's `json_to_recordset`, one object
/// per row, sorted by key so that concurrent batches take row locks in the same order.
pub(crate) fn writes_document<O: Serialize>(
    table: &Table,
    writes: &[RowWrite<O>],
) -> Result<String, StoreError> {
    let mut sorted: Vec<&RowWrite<O>> = writes.iter().collect();
    sorted.sort_by(|a, b| a.id().cmp(b.id()));
    let keys: Vec<&str> = [
        WRITE_ID,
        WRITE_EXPECTED_STATE,
        WRITE_EXPECTED_VERSION,
        WRITE_STATE,
        WRITE_VERSION,
    ]
    .into_iter()
    .chain(table.columns().iter().map(|column| column.name.as_str()))
    .collect();
    let mut documents = Vec::with_capacity(sorted.len());
    for write in sorted {
        let values = write_values(table, write)?;
        documents.push(Value::Object(
            keys.iter()
                .map(|key| (*key).to_owned())
                .zip(values)
                .collect::<Map<_, _>>(),
        ));
    }
    serde_json::to_string(&documents).map_err(encode_error)
}

/// An audit entry as the insert statements read it (fields in the statements' column order).
#[derive(Serialize)]
struct AuditDocument<'a> {
    resource: &'a str,
    object_id: String,
    transition: &'a str,
    source: &'a str,
    target: Option<&'a str>,
    actor_id: Option<i64>,
    actor_username: &'a str,
    arguments: &'a Value,
    description: Option<&'a str>,
    outcome: &'static str,
    error: Option<&'a str>,
}

impl<'a> AuditDocument<'a> {
    fn new(entry: &'a AuditEntry) -> Self {
        let (outcome, error) = match &entry.outcome {
            AuditOutcome::Completed => ("completed", None),
            AuditOutcome::Failed { error } => ("failed", Some(error.as_str())),
        };
        AuditDocument {
            resource: &entry.resource,
            object_id: entry.object_id.to_string(),
            transition: entry.transition.as_str(),
            source: entry.source.as_str(),
            target: entry.target.as_ref().map(|t| t.as_str()),
            actor_id: entry.actor_id,
            actor_username: &entry.actor_username,
            arguments: &entry.arguments,
            description: entry.description.as_deref(),
            outcome,
            error,
        }
    }
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

/// One audit row's values in `sqlite::statements::insert_audit` order.
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
    ]
}

/// One chunk of audit rows as `sqlite::statements::insert_audit` binds them: how many rows, the
/// columns every row shares, then the first row's values and each later row's unshared ones. A shared value is
/// compared where it lies in the entries and copied once.
pub(crate) fn sqlite_audit_chunk(chunk: &[AuditEntry]) -> (usize, SharedColumns, Vec<SqlValue>) {
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

/// One JSON array of audit rows for PostgreSQL's `json_to_recordset`.
pub(crate) fn audit_document(entries: &[AuditEntry]) -> Result<String, StoreError> {
    let documents: Vec<AuditDocument<'_>> = entries.iter().map(AuditDocument::new).collect();
    serde_json::to_string(&documents).map_err(encode_error)
}

/// A result row read by position, whichever driver produced it: sqlx on either backend, or
/// rusqlite on the SQLite writer. `Ok(None)` is SQL `NULL`.
pub(crate) trait ReadColumns {
    /// An integer column.
    fn integer(&self, index: usize) -> Result<Option<i64>, String>;
    /// A floating-point column.
    fn real(&self, index: usize) -> Result<Option<f64>, String>;
    /// A boolean column (an integer 0 or 1 on SQLite).
    fn boolean(&self, index: usize) -> Result<Option<bool>, String>;
    /// A text column.
    fn text(&self, index: usize) -> Result<Option<String>, String>;
    /// A JSON column (text on SQLite, `jsonb` on PostgreSQL).
    fn json(&self, index: usize) -> Result<Option<Value>, String>;
}

fn sqlx_column<'r, R, T>(row: &'r R, index: usize) -> Result<Option<T>, String>
where
    R: Row,
    usize: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    row.try_get::<Option<T>, _>(index)
        .map_err(|e| e.to_string())
}

/// `ReadColumns` for sqlx's row types, which decode through the same generic `try_get`.
macro_rules! read_sqlx_columns {
    ($($row:ty),*) => {$(
        impl ReadColumns for $row {
            fn integer(&self, index: usize) -> Result<Option<i64>, String> {
                sqlx_column(self, index)
            }
            fn real(&self, index: usize) -> Result<Option<f64>, String> {
                sqlx_column(self, index)
            }
            fn boolean(&self, index: usize) -> Result<Option<bool>, String> {
                sqlx_column(self, index)
            }
            fn text(&self, index: usize) -> Result<Option<String>, String> {
                sqlx_column(self, index)
            }
            fn json(&self, index: usize) -> Result<Option<Value>, String> {
                sqlx_column::<_, Json<Value>>(self, index).map(|json| json.map(|Json(value)| value))
            }
        }
    )*};
}

read_sqlx_columns!(sqlx::sqlite::SqliteRow, sqlx::postgres::PgRow);

impl ReadColumns for rusqlite::Row<'_> {
    fn integer(&self, index: usize) -> Result<Option<i64>, String> {
        self.get(index).map_err(|e| e.to_string())
    }
    fn real(&self, index: usize) -> Result<Option<f64>, String> {
        self.get(index).map_err(|e| e.to_string())
    }
    fn boolean(&self, index: usize) -> Result<Option<bool>, String> {
        self.get(index).map_err(|e| e.to_string())
    }
    fn text(&self, index: usize) -> Result<Option<String>, String> {
        self.get(index).map_err(|e| e.to_string())
    }
    fn json(&self, index: usize) -> Result<Option<Value>, String> {
        use rusqlite::types::ValueRef;
        match self.get_ref(index).map_err(|e| e.to_string())? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(integer) => Ok(Some(Value::from(integer))),
            ValueRef::Real(real) => Ok(Some(Value::from(real))),
            ValueRef::Text(text) | ValueRef::Blob(text) => serde_json::from_slice(text)
                .map(Some)
                .map_err(|e| e.to_string()),
        }
    }
}

fn not_null<T>(value: Option<T>, index: usize) -> Result<T, String> {
    value.ok_or_else(|| format!("column {index} is NULL"))
}

/// Reads a key of the table's kind from column `index` (integers as `i64`, others as text).
pub(crate) fn decode_id(
    row: &impl ReadColumns,
    index: usize,
    kind: IdKind,
) -> Result<ObjectId, String> {
    match kind {
        IdKind::Integer => row
            .integer(index)
            .and_then(|id| not_null(id, index))
            .map(ObjectId::Int),
        IdKind::Text => row
            .text(index)
            .and_then(|id| not_null(id, index))
            .map(ObjectId::Text),
        IdKind::Uuid => {
            let text = row.text(index).and_then(|id| not_null(id, index))?;
            sqlx::types::Uuid::parse_str(&text)
                .map(|uuid| ObjectId::Uuid(uuid.as_u128()))
                .map_err(|e| e.to_string())
        }
    }
}

/// Reads `id, state, version, columns…` (the order of every load statement) into a row.
pub(crate) fn decode_row<O: DeserializeOwned>(
    row: &impl ReadColumns,
    table: &Table,
) -> Result<StoredRow<O>, StoreError> {
    let id = decode_id(row, 0, table.id_kind()).map_err(|message| StoreError::Decode {
        id: ObjectId::Text("?".to_owned()),
        message,
    })?;
    let fail = |message: String| StoreError::Decode {
        id: id.clone(),
        message,
    };
    let state = match table.state_kind() {
        StateKind::Text => row
            .text(1)
            .and_then(|state| not_null(state, 1))
            .map(StoredState::Text),
        StateKind::Integer => row
            .integer(1)
            .and_then(|state| not_null(state, 1))
            .map(StoredState::Integer),
    }
    .map_err(fail)?;
    let version = row
        .integer(2)
        .and_then(|version| not_null(version, 2))
        .map_err(fail)
        .and_then(|raw| Version::new(raw).map_err(|e| fail(e.to_string())))?;
    let mut fields = Vec::with_capacity(table.columns().len());
    for (offset, column) in table.columns().iter().enumerate() {
        let index = offset + 3;
        let value = match column.kind {
            ColumnKind::Text => row.text(index).map(Value::from),
            ColumnKind::Integer => row.integer(index).map(Value::from),
            ColumnKind::Boolean => row.boolean(index).map(Value::from),
            ColumnKind::Real => row.real(index).map(Value::from),
            ColumnKind::Json => row.json(index).map(|json| json.unwrap_or(Value::Null)),
        }
        .map_err(|e| fail(format!("column `{}`: {e}", column.name)))?;
        fields.push((column.name.as_str(), value));
    }
    // The model reads the (name, value) pairs as a map, without building one.
    let deserializer = MapDeserializer::<_, serde_json::Error>::new(fields.into_iter());
    let object = O::deserialize(deserializer).map_err(|e| fail(e.to_string()))?;
    Ok(StoredRow {
        id,
        state,
        version,
        object,
    })
}
