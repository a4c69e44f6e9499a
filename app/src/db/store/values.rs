//! What a compare-and-set and an audit row carry before a backend encodes them: the model's
//! columns as JSON values in statement order, keys and states as JSON, an audit entry's fields.
//!
//! The model `O` maps through serde: each top-level field is the column of the same name
//! declared in the [`Table`]; fields the table does not declare are ignored when writing.

use serde::Serialize;
use serde_json::Value;
use switchyard_engine::{AuditEntry, AuditOutcome, ObjectId, RowWrite, StoreError, StoredState};

use super::backend;
use crate::db::table::Table;

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

/// What one compare-and-set binds, in statement order: key, expected state, expected version,
/// state, version, then the table's columns in declaration order.
pub(crate) fn write_values<O: Serialize>(
    table: &Table,
    write: &RowWrite<O>,
) -> Result<Vec<Value>, StoreError> {
    let Value::Object(mut fields) = serde_json::to_value(write.object()).map_err(backend)? else {
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

/// How many values of a write come before the model's columns (`write_values` order).
pub(crate) const WRITE_FIXED: usize = 5;

/// An audit entry as the insert statements read it (fields in the statements' column order).
#[derive(Serialize)]
pub(crate) struct AuditDocument<'a> {
    pub(crate) resource: &'a str,
    pub(crate) field: &'a str,
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
    pub(crate) job_id: Option<i64>,
}

impl<'a> AuditDocument<'a> {
    /// The entry's fields, borrowed where they can be.
    pub(crate) fn new(entry: &'a AuditEntry) -> Self {
        let (outcome, error) = match &entry.outcome {
            AuditOutcome::Completed => ("completed", None),
            AuditOutcome::Failed { error } => ("failed", Some(error.as_str())),
        };
        AuditDocument {
            resource: &entry.resource,
            field: &entry.field,
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
            job_id: entry.job,
        }
    }
}
