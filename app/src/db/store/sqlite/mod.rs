//! The store's transactions on SQLite: the engine's `StoreTransaction` on the store's one
//! writer connection.
//!
//! Transactions run on the store's writer connection in the calling thread ([`writer`]), so a
//! single fire never leaves it. A batch's steps each run in one call on the blocking pool: the
//! compare-and-set steps one prepared one-row statement per row (in process there is no round
//! trip to save, and binding values beats writing and parsing a JSON document), counting a
//! batch's state changes itself rather than through a trigger per row ([`counting`]), and
//! audit rows go in multi-row inserts.
//!
//! Locking. SQLite has one writer and every firing transaction writes, so both modes begin
//! with `BEGIN IMMEDIATE`: a deferred transaction whose snapshot went stale could not upgrade
//! to a writer (`SQLITE_BUSY_SNAPSHOT`); waiting for the store's one writer connection (and,
//! against other writers, on the write lock within the busy timeout) serialises fires instead,
//! and the later one reads the new state. A busy or locked error during compare-and-set is a
//! lost race ([`LostRace`]).

mod counting;
mod encode;
mod model;
mod statements;
pub(crate) mod writer;

pub(crate) use statements::Statements;

use std::{marker::PhantomData, sync::Arc};

use rusqlite::types::Value as SqlValue;
use sqlx::SqlitePool;
use switchyard_engine::{
    AuditEntry, LockMode, ObjectId, RowWrite, StoreError, StoreTransaction, StoredRow,
};
use tokio::sync::{Mutex, OnceCell};

use writer::{End, SqliteWriter, WriterTransaction};

use super::{backend, decode_row, values::id_json, LostRace, SqlModel};
use crate::db::table::Table;

/// One transaction of a store on SQLite; dropping it rolls back.
pub(crate) struct SqliteTransaction<O> {
    tx: WriterTransaction,
    table: Arc<Table>,
    race: LostRace,
    model: PhantomData<fn() -> O>,
}

impl<O> SqliteTransaction<O> {
    /// Takes the store's writer (opening it at the store's first `begin`) and begins an
    /// immediate transaction on it.
    pub(crate) async fn begin(
        pool: &SqlitePool,
        store_writer: &OnceCell<Arc<Mutex<SqliteWriter>>>,
        table: &Arc<Table>,
    ) -> Result<Self, StoreError> {
        let store_writer = store_writer
            .get_or_try_init(|| async {
                let file = writer::database_file(pool).await.map_err(backend)?;
                let opened = SqliteWriter::open(&file).map_err(backend)?;
                Ok::<_, StoreError>(Arc::new(Mutex::new(opened)))
            })
            .await?;
        Ok(SqliteTransaction {
            tx: WriterTransaction::begin(store_writer).await?,
            table: Arc::clone(table),
            race: LostRace::default(),
            model: PhantomData,
        })
    }
}

impl<O> SqliteTransaction<O> {
    /// Runs statements of the caller's own on the writer, in this transaction, on the
    /// blocking pool (a batch's commit goes there anyway).
    pub(crate) async fn run<T, F>(&mut self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.tx.run_blocking(work).await
    }
}

impl<O: SqlModel> StoreTransaction<O> for SqliteTransaction<O> {
    async fn load(
        &mut self,
        ids: &[ObjectId],
        _lock: LockMode,
    ) -> Result<Vec<StoredRow<O>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        match ids {
            [one] => writer::query_each(
                self.tx.connection()?,
                &self.table.sqlite.load_one,
                &[vec![encode::key(one)]],
                |row| decode_row(row, &self.table),
            ),
            many => {
                let keys: Vec<_> = many.iter().map(id_json).collect();
                let document = serde_json::Value::Array(keys).to_string();
                let table = Arc::clone(&self.table);
                self.tx
                    .run_blocking(move |connection| {
                        writer::query_each(
                            connection,
                            &table.sqlite.load_many,
                            &[vec![SqlValue::Text(document)]],
                            |row| decode_row(row, &table),
                        )
                    })
                    .await
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
        // A row no handler ran on writes only its state, version and time: nothing to
        // serialise, fewer values to bind, and no CHECK on the columns it leaves alone.
        let rows = writes
            .iter()
            .map(|write| match write.object_changed() {
                true => encode::write_row(&self.table, write).map(|row| (false, row)),
                false => Ok((true, encode::state_write_row(write))),
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
                let counts = counting::update_states(
                    connection,
                    (table.name(), table.state_column()),
                    statement,
                    &group,
                )?;
                for (position, count) in positions.into_iter().zip(counts) {
                    changed[position] = count;
                }
            }
            Ok(changed)
        };
        let changed = match writes {
            [_] => run(self.tx.connection()?),
            _ => self.tx.run_blocking(run).await,
        };
        let matched = changed.map(|changed| {
            writes
                .iter()
                .zip(changed)
                .filter(|(_, changed)| *changed > 0)
                .map(|(write, _)| write.id().clone())
                .collect()
        });
        self.race.settle(matched)
    }

    async fn insert_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.race.refuse_writes()?;
        if entries.is_empty() {
            return Ok(());
        }
        // Multi-row inserts of up to AUDIT_ROWS_PER_INSERT rows each.
        let chunks: Vec<_> = entries
            .chunks(statements::AUDIT_ROWS_PER_INSERT)
            .map(encode::audit_chunk)
            .collect();
        let run = move |connection: &rusqlite::Connection| {
            for (rows, shared, values) in &chunks {
                let sql = statements::insert_audit(*rows, *shared);
                writer::execute_each(connection, &sql, std::slice::from_ref(values))?;
            }
            Ok(())
        };
        match entries {
            [_] => run(self.tx.connection()?),
            _ => self.tx.run_blocking(run).await,
        }
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.finish(End::Commit).await
    }

    async fn rollback(self) -> Result<(), StoreError> {
        self.tx.finish(End::Rollback).await
    }
}
