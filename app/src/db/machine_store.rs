//! The sqlx store: the engine's `Store`/`StoreTransaction` on SQLite and PostgreSQL, for any
//! table described by a [`Table`] and any serde model.
//!
//! One database transaction per `begin`. Each call is one statement whatever the batch size:
//! a load by key list, one `UPDATE … FROM <json rows> … RETURNING id` compare-and-set, one
//! `INSERT … SELECT FROM <json rows>` of audit rows (see [`super::table`]). On SQLite a single
//! write or audit row binds its values as parameters instead, so a single fire writes and
//! parses no JSON.
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

use std::{marker::PhantomData, sync::Arc};

use serde::{de::DeserializeOwned, Serialize};
use sqlx::{Connection as _, Postgres, SqliteConnection, Transaction};
use switchyard_engine::{
    AuditEntry, LockMode, ObjectId, RowWrite, Store, StoreError, StoreTransaction, StoredRow,
};
use tokio::sync::{Mutex, OnceCell};

use super::{
    codec::{
        audit_document, decode_id, decode_row, id_json, write_values, writes_document,
        AuditDocument, Layout,
    },
    sqlite_writer::{SqliteWriter, WriterGuard},
    table::{
        ColumnKind, IdKind, Table, POSTGRES_INSERT_AUDIT, SQLITE_INSERT_AUDIT,
        SQLITE_INSERT_AUDIT_ONE,
    },
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
    /// On SQLite the store opens one connection of its own (at the first `begin`, with the
    /// pool's options) for its transactions; clones share it.
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
    Sqlite(WriterGuard),
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

fn backend(error: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// Whether an error means another transaction got there first (retrying would see its write).
fn is_lost_race(error: &sqlx::Error) -> bool {
    let Some(database) = error.as_database_error() else {
        return false;
    };
    matches!(
        database.code().as_deref(),
        // PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
        Some("40001") | Some("40P01") | Some("55P03")
        // SQLite: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT.
        | Some("5") | Some("6") | Some("517")
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
                        let connection =
                            SqliteConnection::connect_with(&pool.connect_options()).await?;
                        Ok::<_, sqlx::Error>(Arc::new(Mutex::new(SqliteWriter::new(connection))))
                    })
                    .await
                    .map_err(backend)?;
                Connection::Sqlite(WriterGuard::begin(writer).await.map_err(backend)?)
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

impl<O: SqlModel> SqlTransaction<O> {
    fn decode_all<R>(&self, rows: &[R]) -> Result<Vec<StoredRow<O>>, StoreError>
    where
        R: sqlx::Row,
        usize: sqlx::ColumnIndex<R>,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> sqlx::types::Json<serde_json::Value>:
            sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        rows.iter()
            .map(|row| decode_row(row, &self.table))
            .collect()
    }
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
        let sql = &self.table.sql;
        let rows = match &mut self.connection {
            Connection::Sqlite(tx) => {
                let query = match ids {
                    [ObjectId::Int(id)] => sqlx::query(&sql.sqlite_load_one).bind(*id),
                    [other] => sqlx::query(&sql.sqlite_load_one).bind(other.to_string()),
                    many => {
                        let keys: Vec<_> = many.iter().map(id_json).collect();
                        let document = serde_json::Value::Array(keys).to_string();
                        sqlx::query(&sql.sqlite_load_many).bind(document)
                    }
                };
                let rows = query.fetch_all(&mut **tx).await.map_err(backend)?;
                return self.decode_all(&rows);
            }
            Connection::Postgres(tx) => {
                let statement = match lock {
                    LockMode::Optimistic => &sql.postgres_load,
                    LockMode::Pessimistic => &sql.postgres_load_locked,
                };
                let query = match key_array(self.table.id_kind(), ids) {
                    KeyArray::Integers(keys) => sqlx::query(statement).bind(keys),
                    KeyArray::Texts(keys) => sqlx::query(statement).bind(keys),
                };
                query.fetch_all(&mut **tx).await.map_err(backend)?
            }
        };
        self.decode_all(&rows)
    }

    async fn compare_and_set(
        &mut self,
        writes: &[RowWrite<O>],
    ) -> Result<Vec<ObjectId>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let kind = self.table.id_kind();
        let sql = &self.table.sql;
        let matched = match &mut self.connection {
            // One write binds its values directly: no JSON to write or for SQLite to parse.
            Connection::Sqlite(tx) if writes.len() == 1 => {
                let mut query = sqlx::query(&sql.sqlite_compare_and_set_one);
                let json_columns = self
                    .table
                    .columns()
                    .iter()
                    .map(|c| c.kind == ColumnKind::Json);
                let is_json = std::iter::repeat_n(false, 5).chain(json_columns);
                for (value, is_json) in write_values(&self.table, &writes[0])?
                    .into_iter()
                    .zip(is_json)
                {
                    query = bind_sqlite_value(query, value, is_json);
                }
                query
                    .fetch_all(&mut **tx)
                    .await
                    .and_then(|rows| ids_of(&rows, kind))
            }
            Connection::Sqlite(tx) => {
                let document = writes_document(&self.table, writes, Layout::Arrays)?;
                sqlx::query(&sql.sqlite_compare_and_set)
                    .bind(document)
                    .fetch_all(&mut **tx)
                    .await
                    .and_then(|rows| ids_of(&rows, kind))
            }
            Connection::Postgres(tx) => {
                let document = writes_document(&self.table, writes, Layout::Objects)?;
                sqlx::query(&sql.postgres_compare_and_set)
                    .bind(document)
                    .fetch_all(&mut **tx)
                    .await
                    .and_then(|rows| ids_of(&rows, kind))
            }
        };
        match matched {
            Ok(ids) => Ok(ids),
            Err(error) if is_lost_race(&error) => {
                self.poisoned = Some(error.to_string());
                Ok(Vec::new())
            }
            Err(error) => Err(backend(error)),
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
                let query = match entries {
                    [entry] => {
                        let row = AuditDocument::new(entry);
                        sqlx::query(SQLITE_INSERT_AUDIT_ONE)
                            .bind(row.resource)
                            .bind(row.object_id)
                            .bind(row.transition)
                            .bind(row.source)
                            .bind(row.target)
                            .bind(row.actor_id)
                            .bind(row.actor_username)
                            .bind(row.arguments.to_string())
                            .bind(row.description)
                            .bind(row.outcome)
                            .bind(row.error)
                    }
                    many => {
                        sqlx::query(SQLITE_INSERT_AUDIT).bind(audit_document(many, Layout::Arrays)?)
                    }
                };
                query.execute(&mut **tx).await.map(|_| ()).map_err(backend)
            }
            Connection::Postgres(tx) => sqlx::query(POSTGRES_INSERT_AUDIT)
                .bind(audit_document(entries, Layout::Objects)?)
                .execute(&mut **tx)
                .await
                .map(|_| ())
                .map_err(backend),
        }
    }

    async fn commit(self) -> Result<(), StoreError> {
        match self.connection {
            Connection::Sqlite(writer) => writer.finish("COMMIT").await.map_err(backend),
            Connection::Postgres(tx) => tx.commit().await.map_err(backend),
        }
    }

    async fn rollback(self) -> Result<(), StoreError> {
        match self.connection {
            Connection::Sqlite(writer) => writer.finish("ROLLBACK").await.map_err(backend),
            Connection::Postgres(tx) => tx.rollback().await.map_err(backend),
        }
    }
}

type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds one JSON value as SQLite stores it: scalars as themselves, and JSON columns (or
/// nested values) as their JSON text, which is what `->` yields in the batch statement.
fn bind_sqlite_value(
    query: SqliteQuery<'_>,
    value: serde_json::Value,
    is_json: bool,
) -> SqliteQuery<'_> {
    use serde_json::Value;
    if is_json {
        return query.bind(value.to_string());
    }
    match value {
        Value::Null => query.bind(None::<i64>),
        Value::Bool(flag) => query.bind(flag),
        Value::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(integer), _) => query.bind(integer),
            (None, Some(real)) => query.bind(real),
            (None, None) => query.bind(number.to_string()),
        },
        Value::String(text) => query.bind(text),
        nested @ (Value::Array(_) | Value::Object(_)) => query.bind(nested.to_string()),
    }
}

fn ids_of<R>(rows: &[R], kind: IdKind) -> Result<Vec<ObjectId>, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|row| decode_id(row, 0, kind).map_err(|message| sqlx::Error::Decode(message.into())))
        .collect()
}
