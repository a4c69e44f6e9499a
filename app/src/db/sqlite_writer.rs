//! The SQLite store's one writer connection and the transactions it runs by hand.

use std::sync::Arc;

use sqlx::SqliteConnection;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The SQLite writer connection, and whether a transaction is open on it.
///
/// The store runs `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` itself on this long-lived
/// connection rather than through a pooled `sqlx::Transaction`: returning a connection to the
/// pool costs a round trip to its worker thread (the pool pings it), once per fire.
#[derive(Debug)]
pub(crate) struct SqliteWriter {
    connection: SqliteConnection,
    open_transaction: bool,
}

impl SqliteWriter {
    /// A writer on a fresh connection, with no transaction open.
    pub(crate) fn new(connection: SqliteConnection) -> Self {
        SqliteWriter {
            connection,
            open_transaction: false,
        }
    }
}

/// The writer, held for the length of one transaction; dropping it with the transaction still
/// open rolls it back in the background (or at the next `begin`, whichever comes first).
pub(crate) struct WriterGuard {
    guard: OwnedMutexGuard<SqliteWriter>,
    writer: Arc<Mutex<SqliteWriter>>,
}

impl WriterGuard {
    /// Takes the writer (waiting for any other transaction) and runs `BEGIN IMMEDIATE`.
    pub(crate) async fn begin(writer: &Arc<Mutex<SqliteWriter>>) -> Result<Self, sqlx::Error> {
        let mut guard = Arc::clone(writer).lock_owned().await;
        if guard.open_transaction {
            // A dropped transaction whose background rollback has not run yet; if it has
            // nothing to roll back, `BEGIN` below says whether the connection is usable.
            sqlx::query("ROLLBACK")
                .execute(&mut guard.connection)
                .await
                .ok();
            guard.open_transaction = false;
        }
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut guard.connection)
            .await?;
        guard.open_transaction = true;
        Ok(WriterGuard {
            guard,
            writer: Arc::clone(writer),
        })
    }

    /// Runs `COMMIT` or `ROLLBACK` and gives the writer back.
    pub(crate) async fn finish(mut self, statement: &'static str) -> Result<(), sqlx::Error> {
        sqlx::query(statement)
            .execute(&mut self.guard.connection)
            .await?;
        self.guard.open_transaction = false;
        Ok(())
    }
}

impl std::ops::Deref for WriterGuard {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.guard.connection
    }
}

impl std::ops::DerefMut for WriterGuard {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.guard.connection
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        if !self.guard.open_transaction {
            return;
        }
        // Roll back now rather than at the next `begin`, so the write lock is not held idle.
        let writer = Arc::clone(&self.writer);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut guard = writer.lock().await;
                if guard.open_transaction
                    && sqlx::query("ROLLBACK")
                        .execute(&mut guard.connection)
                        .await
                        .is_ok()
                {
                    guard.open_transaction = false;
                }
            });
        }
    }
}
