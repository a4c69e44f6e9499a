//! The database: one pool for SQLite or PostgreSQL, chosen by URL, with migrations.
//!
//! Queries are written once and run on either backend through [`with_pool!`], which
//! expands the same body for each concrete pool type. Both backends accept `$1`-style
//! placeholders, so the SQL text is shared too; only migrations differ per backend.
//!
//! [`SqlStore`] is the state engine's storage on either backend, for any table declared
//! with [`TableDecl`]; [`scratch`] makes throwaway databases for tests and benchmarks.

pub mod counts;
pub mod edit;
pub mod history;
pub mod job_list;
pub mod jobs;
pub mod list;
pub mod scratch;
pub mod settings;
mod store;
pub(crate) mod table;

pub use store::{SqlModel, SqlStore, SqlTransaction};
pub use table::{Column, ColumnKind, IdKind, StateColumn, StateKind, Table, TableDecl, TableError};

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` uses.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// How long an SQLite writer waits for another connection's write lock before giving up.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(20);

/// A connection pool on one of the supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// An SQLite file (WAL journal, busy timeout), the embedded default.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Which backend a [`Db`] talks to; shown in logs and `/health`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Db {
    /// Opens a pool for a `sqlite:` or `postgres://` URL; an SQLite file is created if missing.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Self::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?;
            Self::connect_sqlite(options).await
        } else {
            Err(sqlx::Error::Configuration(
                format!("unsupported database URL {url:?}: use sqlite:PATH or postgres://…").into(),
            ))
        }
    }

    /// Opens (creating if missing) the embedded SQLite database file at `path`.
    pub async fn open_sqlite_file(path: &Path) -> Result<Self, sqlx::Error> {
        Self::connect_sqlite(SqliteConnectOptions::new().filename(path)).await
    }

    async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        // WAL lets readers run beside the one writer; NORMAL sync is durable across
        // application crashes, and the busy timeout makes writers queue instead of failing.
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        // A connection to a local file cannot go stale, so the round trip that tests each
        // connection before lending it (about a fifth of a single fire's time) is skipped.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        // Refuses an in-memory database now rather than at the first fire: the stores write
        // through connections of their own, which must reach the same file.
        store::sqlite::writer::database_file(&pool).await?;
        Ok(Self::Sqlite(pool))
    }

    /// The backend this pool talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    /// After rows were inserted with explicit integer ids into `table` (a seed), moves its
    /// PostgreSQL identity sequence past them so later inserts do not collide; nothing to do
    /// on SQLite. `table` is a name from code, never from a request.
    pub async fn catch_up_identity(&self, table: &'static str) -> Result<(), sqlx::Error> {
        if let Db::Postgres(pool) = self {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 GREATEST((SELECT MAX(id) FROM {table}), 1))"
            );
            sqlx::query(&sql).execute(pool).await?;
        }
        Ok(())
    }

    /// Answers whether the database responds to a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Closes every connection; used at shutdown so SQLite checkpoints its WAL.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}
