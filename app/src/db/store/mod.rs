//! The sqlx store: the engine's `Store`/`StoreTransaction` on SQLite and PostgreSQL, for any
//! table described by a [`Table`] and any serde model.
//!
//! One database transaction per `begin`, and one call per step whatever the batch size.
//! - PostgreSQL: each call is one statement: a load by key array, one `UPDATE … FROM
//!   json_to_recordset(<rows>) … RETURNING id` compare-and-set, one `INSERT … SELECT FROM
//!   json_to_recordset(<rows>)` of audit rows (see [`super::table`]), so a batch costs three
//!   round trips.
//! - SQLite: transactions run on the store's writer connection in the calling thread
//!   ([`sqlite::writer`]), so a single fire never leaves it. A batch's steps each run in
//!   one call on the blocking pool: the compare-and-set steps one prepared one-row statement
//!   per row (in process there is no round trip to save, and binding values beats writing and
//!   parsing a JSON document), and audit rows go in multi-row inserts.
//!
//! Locking. PostgreSQL runs at READ COMMITTED: an optimistic compare-and-set that meets a
//! concurrent writer waits for it, re-checks `state` and `version`, and matches nothing, so a
//! lost race is the engine's `Conflict`; pessimistic loads are `SELECT … ORDER BY id FOR
//! UPDATE`. SQLite has one writer and every firing transaction writes, so both modes begin
//! with `BEGIN IMMEDIATE`: a deferred transaction whose snapshot went stale could not upgrade
//! to a writer (`SQLITE_BUSY_SNAPSHOT`); waiting for the store's one writer connection (and,
//! against other writers, on the write lock within the busy timeout) serialises fires instead,
//! and the later one reads the new state.
//!
//! Errors. A serialization failure, deadlock or busy/locked error during compare-and-set means
//! the race was lost: the call reports that no row matched (each row becomes the engine's
//! `Conflict`) and the transaction is poisoned so nothing more is written in it. Everything
//! else is `StoreError::Backend`.

mod decode;
pub(crate) mod postgres;
pub(crate) mod sqlite;
mod values;

pub(crate) use decode::decode_row;

use std::{marker::PhantomData, sync::Arc};

use rusqlite::types::Value as SqlValue;
use serde::{de::DeserializeOwned, Serialize};
use sqlx::{Postgres, Transaction};
use switchyard_engine::{
    AuditEntry, LockMode, ObjectId, RowWrite, Store, StoreError, StoreTransaction, StoredRow,
};
use tokio::sync::{Mutex, OnceCell};

use decode::{decode_id, ReadColumns};
use postgres::encode::{audit_document, writes_document};
use sqlite::{
    encode as sqlite_encode,
    writer::{self as sqlite_writer, End, SqliteWriter, WriterTransaction},
};
use values::id_json;

use super::{
    table::{IdKind, Table},
    Db,
};

/// What a model needs to live in a SQL table: serde both ways, shareable across threads.
pub trait SqlModel: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}

impl<O: Serialize + DeserializeOwned + Clone + Send + Sync + 'static> SqlModel for O {}

/// The engine's storage for one table on either backend; cheap to clone.
#[derive(Debug)]
pub struct SqlStore<O> {
    db: Db,
    /// SQLite only: the one connection this store's transactions write through.
    ///
    /// SQLite admits one writer at a time anyway, so firing transactions queue here instead of
    /// in SQLite's busy handler; and reusing one connection keeps its page and statement
    /// caches warm, where rotating through the pool makes each connection drop its page cache
    /// because another one wrote since it last ran.
    sqlite_writer: Arc<OnceCell<Arc<Mutex<SqliteWriter>>>>,
    table: Arc<Table>,
    model: PhantomData<fn() -> O>,
}

impl<O> Clone for SqlStore<O> {
    fn clone(&self) -> Self {
        SqlStore {
            db: self.db.clone(),
            sqlite_writer: Arc::clone(&self.sqlite_writer),
            table: Arc::clone(&self.table),
            model: PhantomData,
        }
    }
}

impl<O> SqlStore<O> {
    /// A store for `table` on `db`; the table and `audit_log` must exist (migrations).
    ///
    /// On SQLite the store opens one connection of its own to the pool's file (at the first
    /// `begin`) for its transactions; clones share it.
    pub fn new(db: Db, table: Table) -> Self {
        SqlStore {
            db,
            sqlite_writer: Arc::new(OnceCell::new()),
            table: Arc::new(table),
            model: PhantomData,
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The table declaration.
    pub fn table(&self) -> &Table {
        &self.table
    }
}

enum Connection {
    Sqlite(WriterTransaction),
    Postgres(Transaction<'static, Postgres>),
}

/// One database transaction of a [`SqlStore`]; dropping it rolls back.
pub struct SqlTransaction<O> {
    connection: Connection,
    table: Arc<Table>,
    /// Set when a race was lost: the transaction may be aborted and must write nothing more.
    poisoned: Option<String>,
    model: PhantomData<fn() -> O>,
}

/// A database or encoding error, as the engine reports it.
pub(crate) fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// Whether an error means another transaction got there first (retrying would see its write).
fn is_lost_race(error: &StoreError) -> bool {
    let StoreError::Backend(error) = error else {
        return false;
    };
    if let Some(error) = error.downcast_ref::<rusqlite::Error>() {
        return sqlite_writer::is_busy(error);
    }
    let Some(database) = error
        .downcast_ref::<sqlx::Error>()
        .and_then(|error| error.as_database_error())
    else {
        return false;
    };
    matches!(
        database.code().as_deref(),
        // PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
        Some("40001") | Some("40P01") | Some("55P03")
    )
}

impl<O: SqlModel> Store<O> for SqlStore<O> {
    type Tx = SqlTransaction<O>;

    async fn begin(&self, _lock: LockMode) -> Result<Self::Tx, StoreError> {
        let connection = match &self.db {
            Db::Sqlite(pool) => {
                let writer = self
                    .sqlite_writer
                    .get_or_try_init(|| async {
                        let file = sqlite_writer::database_file(pool).await.map_err(backend)?;
                        let writer = SqliteWriter::open(&file).map_err(backend)?;
                        Ok::<_, StoreError>(Arc::new(Mutex::new(writer)))
                    })
                    .await?;
                Connection::Sqlite(WriterTransaction::begin(writer).await?)
            }
            Db::Postgres(pool) => Connection::Postgres(pool.begin().await.map_err(backend)?),
        };
        Ok(SqlTransaction {
            connection,
            table: Arc::clone(&self.table),
            poisoned: None,
            model: PhantomData,
        })
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

impl<O: SqlModel> StoreTransaction<O> for SqlTransaction<O> {
    async fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> Result<Vec<StoredRow<O>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        match &mut self.connection {
            Connection::Sqlite(tx) => match ids {
                [one] => sqlite_writer::query_each(
                    tx.connection()?,
                    &self.table.sqlite.load_one,
                    &[vec![sqlite_encode::key(one)]],
                    |row| decode_row(row, &self.table),
                ),
                many => {
                    let keys: Vec<_> = many.iter().map(id_json).collect();
                    let document = serde_json::Value::Array(keys).to_string();
                    let table = Arc::clone(&self.table);
                    tx.run_blocking(move |connection| {
                        sqlite_writer::query_each(
                            connection,
                            &table.sqlite.load_many,
                            &[vec![SqlValue::Text(document)]],
                            |row| decode_row(row, &table),
                        )
                    })
                    .await
                }
            },
            Connection::Postgres(tx) => {
                let statement = match lock {
                    LockMode::Optimistic => &self.table.postgres.load,
                    LockMode::Pessimistic => &self.table.postgres.load_locked,
                };
                let query = match key_array(self.table.id_kind(), ids) {
                    KeyArray::Integers(keys) => sqlx::query(statement).bind(keys),
                    KeyArray::Texts(keys) => sqlx::query(statement).bind(keys),
                };
                let rows = query.fetch_all(&mut **tx).await.map_err(backend)?;
                decode_all(&rows, &self.table)
            }
        }
    }

    async fn compare_and_set(
        &mut self,
        writes: &[RowWrite<O>],
    ) -> Result<Vec<ObjectId>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let kind = self.table.id_kind();
        let matched = match &mut self.connection {
            Connection::Sqlite(tx) => {
                // A row no handler ran on writes only its state, version and time: nothing to
                // serialise, fewer values to bind, and no CHECK on the columns it leaves alone.
                let rows = writes
                    .iter()
                    .map(|write| match write.object_changed() {
                        true => {
                            sqlite_encode::write_row(&self.table, write).map(|row| (false, row))
                        }
                        false => Ok((true, sqlite_encode::state_write_row(write))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let table = Arc::clone(&self.table);
                let run = move |connection: &rusqlite::Connection| {
                    let sql = &table.sqlite;
                    let mut changed = vec![0; rows.len()];
                    for (state_only, statement) in [
                        (true, &sql.compare_and_set_state),
                        (false, &sql.compare_and_set),
                    ] {
                        let (positions, group): (Vec<usize>, Vec<&Vec<SqlValue>>) = rows
                            .iter()
                            .enumerate()
                            .filter(|(_, (only, _))| *only == state_only)
                            .map(|(position, (_, row))| (position, row))
                            .unzip();
                        if group.is_empty() {
                            continue;
                        }
                        let counts = sqlite_writer::execute_each(connection, statement, &group)?;
                        for (position, count) in positions.into_iter().zip(counts) {
                            changed[position] = count;
                        }
                    }
                    Ok(changed)
                };
                let changed = match writes {
                    [_] => run(tx.connection()?),
                    _ => tx.run_blocking(run).await,
                };
                changed.map(|changed| {
                    writes
                        .iter()
                        .zip(changed)
                        .filter(|(_, changed)| *changed > 0)
                        .map(|(write, _)| write.id().clone())
                        .collect()
                })
            }
            Connection::Postgres(tx) => {
                let document = writes_document(&self.table, writes)?;
                let rows = sqlx::query(&self.table.postgres.compare_and_set)
                    .bind(document)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(backend)?;
                rows.iter().map(|row| id_of(row, kind)).collect()
            }
        };
        match matched {
            Ok(ids) => Ok(ids),
            Err(error) if is_lost_race(&error) => {
                self.poisoned = Some(error.to_string());
                Ok(Vec::new())
            }
            Err(error) => Err(error),
        }
    }

    async fn insert_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if let Some(race) = &self.poisoned {
            return Err(StoreError::Backend(
                format!("the transaction lost a race and writes nothing more: {race}").into(),
            ));
        }
        if entries.is_empty() {
            return Ok(());
        }
        match &mut self.connection {
            Connection::Sqlite(tx) => {
                // Multi-row inserts of up to AUDIT_ROWS_PER_INSERT rows each.
                let chunks: Vec<_> = entries
                    .chunks(sqlite::statements::AUDIT_ROWS_PER_INSERT)
                    .map(sqlite_encode::audit_chunk)
                    .collect();
                let run = move |connection: &rusqlite::Connection| {
                    for (rows, shared, values) in &chunks {
                        let sql = sqlite::statements::insert_audit(*rows, *shared);
                        sqlite_writer::execute_each(
                            connection,
                            &sql,
                            std::slice::from_ref(values),
                        )?;
                    }
                    Ok(())
                };
                match entries {
                    [_] => run(tx.connection()?),
                    _ => tx.run_blocking(run).await,
                }
            }
            Connection::Postgres(tx) => sqlx::query(postgres::statements::INSERT_AUDIT)
                .bind(audit_document(entries)?)
                .execute(&mut **tx)
                .await
                .map(|_| ())
                .map_err(backend),
        }
    }

    async fn commit(self) -> Result<(), StoreError> {
        match self.connection {
            Connection::Sqlite(writer) => writer.finish(End::Commit).await,
            Connection::Postgres(tx) => tx.commit().await.map_err(backend),
        }
    }

    async fn rollback(self) -> Result<(), StoreError> {
        match self.connection {
            Connection::Sqlite(writer) => writer.finish(End::Rollback).await,
            Connection::Postgres(tx) => tx.rollback().await.map_err(backend),
        }
    }
}
