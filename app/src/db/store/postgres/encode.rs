//! The JSON documents the PostgreSQL store binds: a batch's compare-and-set writes and its
//! audit rows, each one parameter that `json_to_recordset` reads.

use serde::Serialize;
use serde_json::{Map, Value};
use switchyard_engine::{AuditEntry, RowWrite, StoreError};

use super::statements::{
    WRITE_EXPECTED_STATE, WRITE_EXPECTED_VERSION, WRITE_ID, WRITE_STATE, WRITE_VERSION,
};
use crate::db::{
    store::{
        backend,
        values::{write_values, AuditDocument},
    },
    table::Table,
};

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
    serde_json::to_string(&documents).map_err(backend)
}

/// One JSON array of audit rows for PostgreSQL's `json_to_recordset`.
pub(crate) fn audit_document(entries: &[AuditEntry]) -> Result<String, StoreError> {
    let documents: Vec<AuditDocument<'_>> = entries.iter().map(AuditDocument::new).collect();
    serde_json::to_string(&documents).map_err(backend)
}
