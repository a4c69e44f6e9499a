//! Database rows back into the engine's `StoredRow`s, whichever driver read them: sqlx on
//! either backend (the PostgreSQL store, and the console's reads through the pool) or rusqlite
//! on the SQLite writer.
//!
//! The model `O` maps through serde: each top-level field is the column of the same name
//! declared in the [`Table`]; fields the table does not declare must be optional (or
//! defaulted) when reading.

use serde::de::{value::MapDeserializer, DeserializeOwned};
use serde_json::Value;
use sqlx::{types::Json, ColumnIndex, Decode, Row, Type};
use switchyard_engine::{ObjectId, StoreError, StoredRow, StoredState, Version};

use crate::db::table::{ColumnKind, IdKind, StateKind, Table};

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

/// Reads the table's other state columns, which a console read (`read_select`) appends after
/// the model columns, in declaration order.
pub(crate) fn decode_other_states(
    row: &impl ReadColumns,
    table: &Table,
) -> Result<Vec<StoredState>, StoreError> {
    let first = 3 + table.columns().len();
    table
        .other_states()
        .enumerate()
        .map(|(offset, column)| {
            let index = first + offset;
            match column.kind {
                StateKind::Text => row.text(index).map(|v| v.map(StoredState::Text)),
                StateKind::Integer => row.integer(index).map(|v| v.map(StoredState::Integer)),
            }
            .and_then(|state| not_null(state, index))
            .map_err(|message| StoreError::Decode {
                id: ObjectId::Text("?".to_owned()),
                message: format!("state column `{}`: {message}", column.name),
            })
        })
        .collect()
}
