//! The store's transactions on PostgreSQL: the engine's `StoreTransaction` as one sqlx
//! transaction, a statement per call.
//!
//! Each call is one statement: a load by key array, one `UPDATE … FROM
//! json_to_recordset(<rows>) … RETURNING id` compare-and-set, one `INSERT … SELECT FROM
//! json_to_recordset(<rows>)` of audit rows (see [`statements`]), so a batch costs three round
//! trips.
//!
//! Locking. PostgreSQL runs at READ COMMITTED: an optimistic compare-and-set that meets a
//! concurrent writer waits for it, re-checks `state` and `version`, and matches nothing, so a
//! lost race is the engine's `Conflict`; pessimistic loads are `SELECT … ORDER BY id FOR
//! UPDATE`.

mod encode;
mod statements;

pub(crate) use statements::Statements;

use std::{marker::PhantomData, sync::Arc};

use sqlx::{PgPool, Postgres, Transaction};
use switchyard_engine::{
    AuditEntry, LockMode, ObjectId, RowWrite, StoreError, StoreTransaction, StoredRow,
};

use super::{
    backend,
    decode::{decode_id, decode_row, ReadColumns},
    LostRace, SqlModel,
};
use crate::db::table::{IdKind, Table};

/// One transaction of a store on PostgreSQL; dropping it rolls back.
pub(crate) struct PostgresTransaction<O> {
    tx: Transaction<'static, Postgres>,
    table: Arc<Table>,
    race: LostRace,
    model: PhantomData<fn() -> O>,
}

impl<O> PostgresTransaction<O> {
    /// Begins a transaction on a connection of the pool.
    pub(crate) async fn begin(pool: &PgPool, table: &Arc<Table>) -> Result<Self, StoreError> {
        Ok(PostgresTransaction {
            tx: pool.begin().await.map_err(backend)?,
            table: Arc::clone(table),
            race: LostRace::default(),
            model: PhantomData,
        })
    }
}

impl<O> PostgresTransaction<O> {
    /// The transaction's connection, for statements of the caller's own.
    pub(crate) fn connection(&mut self) -> &mut sqlx::PgConnection {
        &mut self.tx
    }
}

fn decode_all<O: SqlModel>(
    rows: &[impl ReadColumns],
    table: &Table,
) -> Result<Vec<StoredRow<O>>, StoreError> {
    rows.iter().map(|row| decode_row(row, table)).collect()
}

fn id_of(row: &impl ReadColumns, kind: IdKind) -> Result<ObjectId, StoreError> {
    decode_id(row, 0, kind).map_err(|message| StoreError::Decode {
        id: ObjectId::Text("?".to_owned()),
        message,
    })
}

/// Keys as PostgreSQL binds them: `int8[]`, or text cast to the key type.
enum KeyArray {
    Integers(Vec<i64>),
    Texts(Vec<String>),
}

fn key_array(kind: IdKind, ids: &[ObjectId]) -> KeyArray {
    match kind {
        IdKind::Integer => KeyArray::Integers(
            ids.iter()
                .filter_map(|id| match id {
                    ObjectId::Int(value) => Some(*value),
                    _ => None,
                })
                .collect(),
        ),
        IdKind::Text | IdKind::Uuid => {
            KeyArray::Texts(ids.iter().map(|id| id.to_string()).collect())
        }
    }
}

impl<O: SqlModel> StoreTransaction<O> for PostgresTransaction<O> {
    async fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> Result<Vec<StoredRow<O>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let statement = match lock {
            LockMode::Optimistic => &self.table.postgres.load,
            LockMode::Pessimistic => &self.table.postgres.load_locked,
        };
        let query = match key_array(self.table.id_kind(), ids) {
            KeyArray::Integers(keys) => sqlx::query(statement).bind(keys),
            KeyArray::Texts(keys) => sqlx::query(statement).bind(keys),
        };
        let rows = query.fetch_all(&mut *self.tx).await.map_err(backend)?;
        decode_all(&rows, &self.table)
    }

    async fn compare_and_set(
        &mut self,
        writes: &[RowWrite<O>],
    ) -> Result<Vec<ObjectId>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let kind = self.table.id_kind();
        let document = encode::writes_document(&self.table, writes)?;
        // A deadlock or serialization failure of the statement itself is a lost race too:
        // every row becomes the engine's `Conflict`, never a server error.
        let matched = match sqlx::query(&self.table.postgres.compare_and_set)
            .bind(document)
            .fetch_all(&mut *self.tx)
            .await
        {
            Ok(rows) => rows.iter().map(|row| id_of(row, kind)).collect(),
            Err(error) => Err(backend(error)),
        };
        self.race.settle(matched)
    }

    async fn insert_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.race.refuse_writes()?;
        if entries.is_empty() {
            return Ok(());
        }
        sqlx::query(statements::INSERT_AUDIT)
            .bind(encode::audit_document(entries)?)
            .execute(&mut *self.tx)
            .await
            .map(|_| ())
            .map_err(backend)
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(backend)
    }

    async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await.map_err(backend)
    }
}
