//! The sqlx store: the engine's `Store`/`StoreTransaction` on SQLite and PostgreSQL, for any
//! table described by a [`Table`] and any serde model.
//!
//! One database transaction per `begin`, and one call per step whatever the batch size. Each
//! backend has its own transaction type with the same steps ([`sqlite`], [`postgres`]);
//! [`SqlStore::begin`] opens the one of the backend its pool talks to. Neither backend's
//! folder imports the other's: what both use (decoding rows, the values a write and an audit
//! row carry, lost races) is here.
//!
//! Errors. A serialization failure, deadlock or busy/locked error during compare-and-set means
//! the race was lost: the call reports that no row matched (each row becomes the engine's
//! `Conflict`) and the transaction is poisoned so nothing more is written in it. Everything
//! else is `StoreError::Backend`.

mod decode;
pub(crate) mod postgres;
pub(crate) mod sqlite;
mod values;

pub(crate) use decode::{decode_other_states, decode_row};

use std::{marker::PhantomData, sync::Arc};

use serde::{de::DeserializeOwned, Serialize};
use switchyard_engine::{
    AuditEntry, LockMode, ObjectId, RowWrite, Store, StoreError, StoreTransaction, StoredRow,
};
use tokio::sync::{Mutex, OnceCell};

use postgres::PostgresTransaction;
use sqlite::{writer::SqliteWriter, SqliteTransaction};

use super::{
    jobs::{record_batch_postgres, record_batch_sqlite, BatchRecord, Recorded},
    table::Table,
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

    /// A store for another view of the same table (`Table::for_state`), sharing this one's
    /// SQLite writer connection: the stores of one row's machines write through one writer.
    pub fn sharing_writer(&self, table: Table) -> Self {
        SqlStore {
            db: self.db.clone(),
            sqlite_writer: Arc::clone(&self.sqlite_writer),
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

/// One database transaction of a [`SqlStore`], on the backend its pool talks to; dropping it
/// rolls back.
pub struct SqlTransaction<O>(BackendTransaction<O>);

/// The backend's own transaction. Each method of [`SqlTransaction`] forwards to it with one
/// `match` rather than through a box: a single fire on SQLite takes a few tens of
/// microseconds, and an allocation or a dynamic call per step would show in it.
enum BackendTransaction<O> {
    Sqlite(SqliteTransaction<O>),
    Postgres(PostgresTransaction<O>),
}

impl<O: SqlModel> Store<O> for SqlStore<O> {
    type Tx = SqlTransaction<O>;

    async fn begin(&self, _lock: LockMode) -> Result<Self::Tx, StoreError> {
        let transaction = match &self.db {
            Db::Sqlite(pool) => BackendTransaction::Sqlite(
                SqliteTransaction::begin(pool, &self.sqlite_writer, &self.table).await?,
            ),
            Db::Postgres(pool) => {
                BackendTransaction::Postgres(PostgresTransaction::begin(pool, &self.table).await?)
            }
        };
        Ok(SqlTransaction(transaction))
    }
}

impl<O: SqlModel> StoreTransaction<O> for SqlTransaction<O> {
    async fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> Result<Vec<StoredRow<O>>, StoreError> {
        match &mut self.0 {
            BackendTransaction::Sqlite(tx) => tx.load(ids, lock).await,
            BackendTransaction::Postgres(tx) => tx.load(ids, lock).await,
        }
    }

    async fn compare_and_set(
        &mut self,
        writes: &[RowWrite<O>],
    ) -> Result<Vec<ObjectId>, StoreError> {
        match &mut self.0 {
            BackendTransaction::Sqlite(tx) => tx.compare_and_set(writes).await,
            BackendTransaction::Postgres(tx) => tx.compare_and_set(writes).await,
        }
    }

    async fn insert_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        match &mut self.0 {
            BackendTransaction::Sqlite(tx) => tx.insert_audit(entries).await,
            BackendTransaction::Postgres(tx) => tx.insert_audit(entries).await,
        }
    }

    async fn commit(self) -> Result<(), StoreError> {
        match self.0 {
            BackendTransaction::Sqlite(tx) => tx.commit().await,
            BackendTransaction::Postgres(tx) => tx.commit().await,
        }
    }

    async fn rollback(self) -> Result<(), StoreError> {
        match self.0 {
            BackendTransaction::Sqlite(tx) => tx.rollback().await,
            BackendTransaction::Postgres(tx) => tx.rollback().await,
        }
    }
}

impl<O: SqlModel> SqlTransaction<O> {
    /// Records a bulk job's batch in this transaction: it commits with the rows it describes.
    pub(crate) async fn record_job_batch(
        &mut self,
        batch: BatchRecord,
    ) -> Result<Recorded, StoreError> {
        match &mut self.0 {
            BackendTransaction::Sqlite(tx) => {
                tx.run(move |connection| record_batch_sqlite(connection, &batch))
                    .await
            }
            BackendTransaction::Postgres(tx) => {
                record_batch_postgres(tx.connection(), &batch).await
            }
        }
    }
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
        return sqlite::writer::is_busy(error);
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

/// The database's sentence when an error is one of its constraints refusing the write
/// (foreign key, check, not null, unique), which no retry would get past.
fn constraint_refusal(error: &StoreError) -> Option<String> {
    let StoreError::Backend(error) = error else {
        return None;
    };
    if let Some(rusqlite::Error::SqliteFailure(failure, message)) =
        error.downcast_ref::<rusqlite::Error>()
    {
        return (failure.code == rusqlite::ErrorCode::ConstraintViolation)
            .then(|| message.clone().unwrap_or_else(|| failure.to_string()));
    }
    let database = error
        .downcast_ref::<sqlx::Error>()
        .and_then(|error| error.as_database_error())?;
    // PostgreSQL's class 23: integrity constraint violation.
    let code = database.code()?;
    code.starts_with("23")
        .then(|| database.message().to_owned())
}

/// A transaction's lost race, if it lost one: it may then be aborted and must write nothing
/// more.
#[derive(Debug, Default)]
pub(crate) struct LostRace(Option<String>);

impl LostRace {
    /// A compare-and-set's outcome: a lost race becomes "no row matched" (each row the
    /// engine's `Conflict`) and is remembered; any other error stays an error.
    pub(crate) fn settle(
        &mut self,
        matched: Result<Vec<ObjectId>, StoreError>,
    ) -> Result<Vec<ObjectId>, StoreError> {
        match matched {
            Ok(ids) => Ok(ids),
            Err(error) if is_lost_race(&error) => {
                self.0 = Some(error.to_string());
                Ok(Vec::new())
            }
            Err(error) => Err(match constraint_refusal(&error) {
                Some(sentence) => StoreError::Refused(sentence),
                None => error,
            }),
        }
    }

    /// Refuses a write once a race was lost.
    pub(crate) fn refuse_writes(&self) -> Result<(), StoreError> {
        match &self.0 {
            Some(race) => Err(StoreError::Backend(
                format!("the transaction lost a race and writes nothing more: {race}").into(),
            )),
            None => Ok(()),
        }
    }
}
