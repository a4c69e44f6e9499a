//! Turning models, keys, writes and audit entries into the JSON documents the store binds,
//! and database rows back into `StoredRow`s.
//!
//! The model `O` maps through serde: each top-level field is the column of the same name
//! declared in the [`Table`]; fields the table does not declare are ignored when writing and
//! must be optional (or defaulted) when reading.

use serde::{
    de::{value::MapDeserializer, DeserializeOwned},
    Serialize,
};
use serde_json::{Map, Value};
use sqlx::{types::Json, ColumnIndex, Decode, Row, Type};
use switchyard_engine::{
    AuditEntry, AuditOutcome, ObjectId, RowWrite, StoreError, StoredRow, StoredState, Version,
};

use super::table::{
    ColumnKind, IdKind, StateKind, Table, WRITE_EXPECTED_STATE, WRITE_EXPECTED_VERSION, WRITE_ID,
    WRITE_STATE, WRITE_VERSION,
};

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

/// How a batch document lays out each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One object per row, keyed by column (`json_to_recordset` on PostgreSQL).
    Objects,
    /// One array per row in statement order (SQLite reads members by position, which is
    /// cheaper than by key).
    Arrays,
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

/// One JSON array of compare-and-set writes, sorted by key so that concurrent batches take
/// row locks in the same order.
pub(crate) fn writes_document<O: Serialize>(
    table: &Table,
    writes: &[RowWrite<O>],
    layout: Layout,
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
        documents.push(match layout {
            Layout::Arrays => Value::Array(values),
            Layout::Objects => Value::Object(
                keys.iter()
                    .map(|key| (*key).to_owned())
                    .zip(values)
                    .collect::<Map<_, _>>(),
            ),
        });
    }
    serde_json::to_string(&documents).map_err(encode_error)
}

/// An audit entry as the insert statements read it (fields in the statements' column order).
#[derive(Serialize)]
pub(crate) struct AuditDocument<'a> {
    pub(crate) resource: &'a str,
    pub(crate) object_id: String,
    pub(crate) transition: &'a str,
    pub(crate) source: &'a str,
    pub(crate) target: Option<&'a str>,
    pub(crate) actor_id: Option<i64>,
    pub(crate) actor_username: &'a str,
    pub(crate) arguments: &'a Value,
    pub(crate) description: Option<&'a str>,
    pub(crate) outcome: &'static str,
    pub(crate) error: Option<&'a str>,
}

/// An audit document as a tuple, which serde writes as a JSON array.
type AuditTuple<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<i64>,
    &'a str,
    &'a Value,
    Option<&'a str>,
    &'static str,
    Option<&'a str>,
);

impl<'a> AuditDocument<'a> {
    /// The document for one entry.
    pub(crate) fn new(entry: &'a AuditEntry) -> Self {
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

    fn as_tuple(&self) -> AuditTuple<'_> {
        (
            self.resource,
            &self.object_id,
            self.transition,
            self.source,
            self.target,
            self.actor_id,
            self.actor_username,
            self.arguments,
            self.description,
            self.outcome,
            self.error,
        )
    }
}

/// One JSON array of audit rows.
pub(crate) fn audit_document(entries: &[AuditEntry], layout: Layout) -> Result<String, StoreError> {
    let documents: Vec<AuditDocument<'_>> = entries.iter().map(AuditDocument::new).collect();
    match layout {
        Layout::Objects => serde_json::to_string(&documents),
        Layout::Arrays => serde_json::to_string(
            &documents
                .iter()
                .map(AuditDocument::as_tuple)
                .collect::<Vec<_>>(),
        ),
    }
    .map_err(encode_error)
}

/// Reads a key of the table's kind from column `index` (integers as `i64`, others as text).
pub(crate) fn decode_id<'r, R>(row: &'r R, index: usize, kind: IdKind) -> Result<ObjectId, String>
where
    R: Row,
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    match kind {
        IdKind::Integer => row
            .try_get::<i64, _>(index)
            .map(ObjectId::Int)
            .map_err(|e| e.to_string()),
        IdKind::Text => row
            .try_get::<String, _>(index)
            .map(ObjectId::Text)
            .map_err(|e| e.to_string()),
        IdKind::Uuid => {
            let text = row.try_get::<String, _>(index).map_err(|e| e.to_string())?;
            sqlx::types::Uuid::parse_str(&text)
                .map(|uuid| ObjectId::Uuid(uuid.as_u128()))
                .map_err(|e| e.to_string())
        }
    }
}

/// Reads `id, state, version, columns…` (the order of every load statement) into a row.
pub(crate) fn decode_row<'r, R, O>(row: &'r R, table: &Table) -> Result<StoredRow<O>, StoreError>
where
    R: Row,
    usize: ColumnIndex<R>,
    O: DeserializeOwned,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    f64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Json<Value>: Decode<'r, R::Database> + Type<R::Database>,
{
    let id = decode_id(row, 0, table.id_kind()).map_err(|message| StoreError::Decode {
        id: ObjectId::Text("?".to_owned()),
        message,
    })?;
    let fail = |message: String| StoreError::Decode {
        id: id.clone(),
        message,
    };
    let state = match table.state_kind() {
        StateKind::Text => row.try_get::<String, _>(1).map(StoredState::Text),
        StateKind::Integer => row.try_get::<i64, _>(1).map(StoredState::Integer),
    }
    .map_err(|e| fail(e.to_string()))?;
    let version = row
        .try_get::<i64, _>(2)
        .map_err(|e| fail(e.to_string()))
        .and_then(|raw| Version::new(raw).map_err(|e| fail(e.to_string())))?;
    let mut fields = Vec::with_capacity(table.columns().len());
    for (offset, column) in table.columns().iter().enumerate() {
        let index = offset + 3;
        let value = match column.kind {
            ColumnKind::Text => row.try_get::<Option<String>, _>(index).map(Value::from),
            ColumnKind::Integer => row.try_get::<Option<i64>, _>(index).map(Value::from),
            ColumnKind::Boolean => row.try_get::<Option<bool>, _>(index).map(Value::from),
            ColumnKind::Real => row.try_get::<Option<f64>, _>(index).map(Value::from),
            ColumnKind::Json => row
                .try_get::<Option<Json<Value>>, _>(index)
                .map(|json| json.map_or(Value::Null, |Json(value)| value)),
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
