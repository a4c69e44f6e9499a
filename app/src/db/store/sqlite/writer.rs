//! The SQLite store's one writer connection: rusqlite on the calling thread, with its
//! transactions run by hand.
//!
//! Why not sqlx here: sqlx runs each SQLite connection on a worker thread of its own, so every
//! statement is a round trip to that thread, and a single fire is five of them (begin, load,
//! compare-and-set, audit, commit) for a few microseconds of SQLite work each. On rusqlite the
//! same statements run where the fire runs, from cached prepared statements. The two crates link
//! the same bundled `libsqlite3-sys`.
//!
//! Nothing here may stall the async workers for long, so three things move to the blocking
//! pool: waiting for another connection's write lock (`begin` first tries without waiting), the
//! statements of a batch, which the store runs through [`WriterTransaction::run_blocking`], and
//! WAL checkpoints. SQLite's automatic checkpoint runs inside the commit that crosses its
//! threshold, fsyncs included, and cost a single fire more than all its statements; the writer
//! turns it off and a [`Checkpointer`] on a connection of its own runs a passive checkpoint
//! after every [`CHECKPOINT_EVERY`] commits (and after every batch) instead, as SQLite's WAL
//! documentation suggests for applications that care about commit latency.
//!
//! The WAL's length. SQLite starts the WAL again from its first frame only when a write
//! transaction begins with every frame already copied into the database file. A checkpoint
//! on another connection, racing a writer that commits all the time, never ends in that state,
//! so under a steady stream of fires the WAL grew by every commit's pages (220 MB over 10,000
//! fires) and every commit wrote into new file blocks. So every [`REWIND_COMMITS`] commits, or
//! when the checkpointer reports a WAL of [`REWIND_FRAMES`] or more (a batch's commit is
//! large), the committing transaction hands the writer to the blocking pool. There it waits
//! for a background checkpoint still running, runs one passive checkpoint on the writer's own
//! connection, which copies what the background ones left, and the next transaction starts the
//! WAL again. The fire that committed is answered at once; the next one waits for that
//! checkpoint. Counting commits, not only waiting for a report, keeps the bound when a slow
//! disk makes a background checkpoint outlast hundreds of commits.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use rusqlite::{ffi::ErrorCode, types::Value as SqlValue, Connection, OpenFlags};
use sqlx::SqlitePool;
use switchyard_engine::StoreError;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::db::{store::backend, SQLITE_BUSY_TIMEOUT};

/// The database file behind `pool`, as SQLite resolved it; an in-memory database is refused,
/// since a second connection could not reach it (and nothing in it would outlive the process).
pub(crate) async fn database_file(pool: &SqlitePool) -> Result<PathBuf, sqlx::Error> {
    let file: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(pool)
            .await?;
    if file.is_empty() {
        return Err(sqlx::Error::Configuration(
            "an in-memory SQLite database is not supported: give the console a file \
             (sqlite:PATH)"
                .into(),
        ));
    }
    Ok(PathBuf::from(file))
}

/// Commits between two background checkpoints: a single fire adds about five pages to the WAL,
/// so this keeps it near SQLite's default threshold of 1,000 pages.
const CHECKPOINT_EVERY: u32 = 200;

/// The WAL length, in frames (pages), from which the writer checkpoints itself so that the WAL
/// starts again: 40 MB with 4 KiB pages.
const REWIND_FRAMES: i64 = 10_000;

/// Commits after which the writer checkpoints itself whatever the last report said: about
/// [`REWIND_FRAMES`] frames of single fires.
const REWIND_COMMITS: u32 = 2_000;

/// Runs a passive checkpoint on `connection`: it waits for no reader and no writer, and what
/// it cannot copy now, the next one will. Answers how many frames the WAL holds.
fn checkpoint(connection: &Connection) -> Option<i64> {
    let checkpoint = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        row.get::<_, i64>(1)
    });
    match checkpoint {
        Ok(frames) => Some(frames),
        Err(error) => {
            tracing::warn!(%error, "a WAL checkpoint failed; the next commits retry");
            None
        }
    }
}

/// How a transaction ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    Commit,
    Rollback,
}

impl End {
    fn statement(self) -> &'static str {
        match self {
            End::Commit => "COMMIT",
            End::Rollback => "ROLLBACK",
        }
    }
}

/// Opens the existing database file (already in WAL mode, which is a property of the file).
/// Prepared statements the writer keeps.
const STATEMENT_CACHE: usize = 128;

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// A connection that copies committed pages from the WAL into the database file, one passive
/// checkpoint at a time, on the blocking pool.
#[derive(Debug)]
struct Checkpointer {
    connection: Arc<std::sync::Mutex<Connection>>,
    running: Arc<AtomicBool>,
    /// The WAL's length in frames when the last checkpoint ended.
    frames: Arc<AtomicI64>,
}

impl Checkpointer {
    fn open(path: &Path) -> rusqlite::Result<Self> {
        Ok(Checkpointer {
            connection: Arc::new(std::sync::Mutex::new(open_connection(path)?)),
            running: Arc::new(AtomicBool::new(false)),
            frames: Arc::new(AtomicI64::new(0)),
        })
    }

    /// Starts a passive checkpoint unless one is still running.
    fn start(&self) {
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.running.store(false, Ordering::Release);
            return;
        };
        let (connection, running, frames) = (
            Arc::clone(&self.connection),
            Arc::clone(&self.running),
            Arc::clone(&self.frames),
        );
        runtime.spawn_blocking(move || {
            if let Some(length) = connection.lock().ok().and_then(|c| checkpoint(&c)) {
                frames.store(length, Ordering::Release);
            }
            running.store(false, Ordering::Release);
        });
    }

    /// Whether the last checkpoint found the WAL long enough for the writer to start it again.
    fn reported_long(&self) -> bool {
        self.frames.load(Ordering::Acquire) >= REWIND_FRAMES
    }

    /// Waits for a background checkpoint still running (SQLite runs one checkpoint at a time,
    /// and a second passive one would give up at once) and keeps the next from starting while
    /// the guard lives. Forgets the length reported so far: the writer's checkpoint follows.
    fn quiet(&self) -> Option<std::sync::MutexGuard<'_, Connection>> {
        let guard = self.connection.lock().ok();
        self.frames.store(0, Ordering::Release);
        guard
    }
}

/// The connection a store writes through; one per store, shared by its clones.
#[derive(Debug)]
pub(crate) struct SqliteWriter {
    connection: Connection,
    checkpointer: Checkpointer,
    commits_since_checkpoint: u32,
    commits_since_rewind: u32,
}

impl SqliteWriter {
    /// Opens the existing database file with the pool's settings, and automatic checkpoints off.
    pub(crate) fn open(path: &Path) -> rusqlite::Result<Self> {
        let connection = open_connection(path)?;
        connection.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = 0;",
        )?;
        connection.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
        // Every resource's loads and compare-and-sets, audit inserts of each chunk size, job
        // records and batch counting: more than rusqlite's 16, which would prepare some again
        // for every batch.
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteWriter {
            connection,
            checkpointer: Checkpointer::open(path)?,
            commits_since_checkpoint: 0,
            commits_since_rewind: 0,
        })
    }

    /// Counts a commit, and starts a checkpoint after a batch or every `CHECKPOINT_EVERY`.
    /// Says whether the writer must checkpoint itself before the next transaction, to start
    /// the WAL again.
    fn committed(&mut self, batch: bool) -> bool {
        self.commits_since_rewind += 1;
        if self.commits_since_rewind >= REWIND_COMMITS || self.checkpointer.reported_long() {
            self.commits_since_rewind = 0;
            self.commits_since_checkpoint = 0;
            return true;
        }
        self.commits_since_checkpoint += 1;
        if batch || self.commits_since_checkpoint >= CHECKPOINT_EVERY {
            self.commits_since_checkpoint = 0;
            self.checkpointer.start();
        }
        false
    }

    /// The writer's own checkpoint, once no background one runs: with no reader in the way it
    /// copies every frame, so the next transaction starts the WAL again.
    fn rewind(&self) {
        let _quiet = self.checkpointer.quiet();
        // What it leaves (a reader in the way), the next rewind copies.
        let _ = checkpoint(&self.connection);
    }

    /// `BEGIN IMMEDIATE` without waiting: busy at once if another connection holds the lock.
    fn begin_now(&self) -> rusqlite::Result<()> {
        self.connection.busy_timeout(Duration::ZERO)?;
        let begun = self.begin_waiting();
        self.connection.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
        begun
    }

    /// `BEGIN IMMEDIATE`, waiting up to the busy timeout for the write lock.
    fn begin_waiting(&self) -> rusqlite::Result<()> {
        run_plain(&self.connection, "BEGIN IMMEDIATE")
    }

    fn finish(&self, end: End) -> rusqlite::Result<()> {
        run_plain(&self.connection, end.statement())
    }
}

/// Runs a cached statement with no parameters and no rows (`BEGIN`, `COMMIT`, `ROLLBACK`).
fn run_plain(connection: &Connection, statement: &str) -> rusqlite::Result<()> {
    connection
        .prepare_cached(statement)?
        .execute([])
        .map(|_| ())
}

/// Whether SQLite answered "busy" or "locked": another connection holds what we need.
pub(crate) fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn writer_lost() -> StoreError {
    StoreError::Backend(
        "the SQLite writer was lost by a failed batch; the transaction is over".into(),
    )
}

fn blocking_failed(error: tokio::task::JoinError) -> StoreError {
    StoreError::Backend(format!("a batch on the SQLite writer did not finish: {error}").into())
}

/// The writer, held for the length of one transaction; dropping it with the transaction still
/// open rolls it back.
pub(crate) struct WriterTransaction {
    /// `None` only while a batch runs on the blocking pool, or after that batch was lost
    /// (its thread panicked); the next `begin` then rolls the connection back.
    writer: Option<OwnedMutexGuard<SqliteWriter>>,
    /// Whether a batch ran: its commit may write many pages, so it goes to the blocking pool too.
    batched: bool,
}

impl WriterTransaction {
    /// Takes the writer (queueing behind this store's other transactions) and begins an
    /// immediate transaction, waiting on the blocking pool if another connection writes.
    pub(crate) async fn begin(writer: &Arc<Mutex<SqliteWriter>>) -> Result<Self, StoreError> {
        let writer = Arc::clone(writer).lock_owned().await;
        if !writer.connection.is_autocommit() {
            // Left open by a batch whose thread panicked.
            writer.finish(End::Rollback).map_err(backend)?;
        }
        let writer = match writer.begin_now() {
            Ok(()) => writer,
            Err(error) if is_busy(&error) => {
                let (writer, begun) = tokio::task::spawn_blocking(move || {
                    let begun = writer.begin_waiting();
                    (writer, begun)
                })
                .await
                .map_err(blocking_failed)?;
                begun.map_err(backend)?;
                writer
            }
            Err(error) => return Err(backend(error)),
        };
        Ok(WriterTransaction {
            writer: Some(writer),
            batched: false,
        })
    }

    /// The connection, for statements over one row, which run right here.
    pub(crate) fn connection(&self) -> Result<&Connection, StoreError> {
        self.writer
            .as_ref()
            .map(|writer| &writer.connection)
            .ok_or_else(writer_lost)
    }

    /// Runs `work` on the connection on the blocking pool: a statement over thousands of rows
    /// takes milliseconds, which an async worker must not spend.
    pub(crate) async fn run_blocking<T, F>(&mut self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let writer = self.writer.take().ok_or_else(writer_lost)?;
        self.batched = true;
        let (writer, result) = tokio::task::spawn_blocking(move || {
            let result = work(&writer.connection);
            (writer, result)
        })
        .await
        .map_err(blocking_failed)?;
        self.writer = Some(writer);
        result
    }

    /// Commits or rolls back, and gives the writer back: at once, or, when this commit found
    /// the WAL long, after the writer's own checkpoint on the blocking pool.
    pub(crate) async fn finish(mut self, end: End) -> Result<(), StoreError> {
        if self.batched {
            self.run_blocking(move |connection| {
                run_plain(connection, end.statement()).map_err(backend)
            })
            .await?;
        } else {
            let writer = self.writer.as_ref().ok_or_else(writer_lost)?;
            writer.finish(end).map_err(backend)?;
        }
        let batched = self.batched;
        if let Some(mut writer) = self.writer.take() {
            // A rollback leaves no frames: only commits count towards a checkpoint.
            if end == End::Commit && writer.committed(batched) {
                // The guard goes with the checkpoint: the next transaction takes the writer
                // once it is done.
                match tokio::runtime::Handle::try_current() {
                    Ok(runtime) => drop(runtime.spawn_blocking(move || writer.rewind())),
                    Err(_) => writer.rewind(),
                }
            }
        }
        Ok(())
    }
}

impl Drop for WriterTransaction {
    fn drop(&mut self) {
        if let Some(writer) = &self.writer {
            if !writer.connection.is_autocommit() {
                // Discarding a transaction's pages is quick; if it fails, the next `begin`
                // rolls back before anything else.
                writer.finish(End::Rollback).ok();
            }
        }
    }
}

/// Binds `parameters` to `?1`, `?2`, … (the writer's statements number their parameters).
fn bind(statement: &mut rusqlite::Statement<'_>, parameters: &[SqlValue]) -> rusqlite::Result<()> {
    if statement.parameter_count() != parameters.len() {
        return Err(rusqlite::Error::InvalidParameterCount(
            parameters.len(),
            statement.parameter_count(),
        ));
    }
    for (offset, value) in parameters.iter().enumerate() {
        statement.raw_bind_parameter(offset + 1, value)?;
    }
    Ok(())
}

/// Runs one cached statement once per parameter row, reading every row each run returns with
/// `read`. A batch is one call: SQLite runs in this thread, so a statement per row costs no
/// round trip, and it is cheaper than one statement that parses the rows out of a JSON document.
pub(crate) fn query_each<T>(
    connection: &Connection,
    sql: &str,
    parameter_rows: &[Vec<SqlValue>],
    mut read: impl FnMut(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection.prepare_cached(sql).map_err(backend)?;
    let mut read_rows = Vec::with_capacity(parameter_rows.len());
    for parameters in parameter_rows {
        bind(&mut statement, parameters).map_err(backend)?;
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next().map_err(backend)? {
            read_rows.push(read(row)?);
        }
    }
    Ok(read_rows)
}

/// Runs one cached statement that returns no rows once per parameter row, and says how many
/// rows each run changed.
pub(crate) fn execute_each(
    connection: &Connection,
    sql: &str,
    parameter_rows: &[impl AsRef<[SqlValue]>],
) -> Result<Vec<usize>, StoreError> {
    let mut statement = connection.prepare_cached(sql).map_err(backend)?;
    let mut changed = Vec::with_capacity(parameter_rows.len());
    for parameters in parameter_rows {
        bind(&mut statement, parameters.as_ref()).map_err(backend)?;
        changed.push(statement.raw_execute().map_err(backend)?);
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::{End, SqliteWriter, REWIND_COMMITS};

    /// A background checkpoint that outlasts every commit (a slow disk) used to keep the
    /// writer from ever starting the WAL again; counting commits bounds it all the same.
    #[test]
    fn the_wal_stays_bounded_while_a_background_checkpoint_never_ends() {
        const COMMITS: u32 = 6 * REWIND_COMMITS;
        let directory = std::env::temp_dir().join(format!("switchyard-wal-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("a temporary directory");
        let path = directory.join("wal.db");
        let setup = rusqlite::Connection::open(&path).expect("the database");
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS t (n INTEGER); \
                 DELETE FROM t;",
            )
            .expect("the table");
        let mut writer = SqliteWriter::open(&path).expect("the writer");
        // Stands for a background checkpoint still running: none other starts, none reports.
        writer.checkpointer.running.store(true, Ordering::Release);
        for n in 0..COMMITS {
            writer.begin_waiting().expect("begin");
            writer
                .connection
                .execute("INSERT INTO t (n) VALUES (?1)", [n])
                .expect("insert");
            writer.finish(End::Commit).expect("commit");
            if writer.committed(false) {
                writer.rewind();
            }
        }
        let page_size: u64 = setup
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .expect("the page size");
        let wal = std::fs::metadata(path.with_extension("db-wal"))
            .expect("the WAL file")
            .len();
        let frames = wal / (page_size + 24);
        drop((writer, setup));
        std::fs::remove_dir_all(&directory).expect("the temporary directory removed");
        // Each commit writes at least one frame; keeping them all would be COMMITS frames.
        assert!(
            frames < u64::from(COMMITS) / 3,
            "the WAL grew to {frames} frames over {COMMITS} commits"
        );
    }
}
