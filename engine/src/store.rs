//! The storage contract: a store opens transactions that load rows, compare-and-set them and write audit rows.
//!
//! The traits are async but runtime-free: every method returns `impl Future + Send`, so a
//! sqlx store implements them with one database transaction and axum handlers stay `Send`.
//!
//! How the sqlx store (`app::db::SqlStore`) maps each call (one transaction per fire or bulk
//! fire; on PostgreSQL a batch travels as one JSON document, so each call is one statement of
//! fixed text; on SQLite statements run in process, so a batch steps prepared one-row
//! statements):
//!
//! | call | PostgreSQL | SQLite |
//! |---|---|---|
//! | `begin(lock)` | `BEGIN` (READ COMMITTED) | `BEGIN IMMEDIATE` in both modes, on the store's one writer connection: one writer, and a stale deferred reader could not upgrade |
//! | `load(ids, lock)` | `SELECT id, state, version, … WHERE id = ANY($1)` (+ `ORDER BY id FOR UPDATE`) | `… WHERE id = $1` or `… IN (SELECT value FROM json_each($1))` |
//! | `compare_and_set(writes)` | `UPDATE t SET … FROM json_to_recordset($1) w WHERE t.id = w.id AND t.state = w.expected_state AND t.version = w.expected_version RETURNING t.id` | per row, one prepared `UPDATE … WHERE id = ?1 AND state = ?2 AND version = ?3`, matched by its change count |
//! | `insert_audit(entries)` | one `INSERT … SELECT FROM json_to_recordset($1)` stamping `now()` | multi-row `INSERT … VALUES (…), (…)` of up to 64 rows |
//! | `commit` / `rollback` | `COMMIT` / `ROLLBACK` | the same |
//!
//! The state column holds [`StoredState`] values (text or integer code) and the store never
//! needs the machine: the engine encodes and decodes states itself.

use std::future::Future;

use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::names::{ObjectId, StateName, Version};
use crate::state::StoredState;

/// Whether loads take row locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockMode {
    /// Read without locking; compare-and-set catches concurrent changes (retry on conflict).
    #[default]
    Optimistic,
    /// Lock the rows while reading (`SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on
    /// SQLite), for deployers who prefer waiting to retrying. Compare-and-set still runs.
    Pessimistic,
}

/// A row as the store reads it: key, raw state column, version and the object's other columns.
///
/// The store knows nothing of machines; `Machine::decode_row` turns this into a `Row`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow<O> {
    /// The key.
    pub id: ObjectId,
    /// The state column as stored (text or integer code).
    pub state: StoredState,
    /// The version column.
    pub version: Version,
    /// Every other column, as the deployer's model type.
    pub object: O,
}

/// A row with its decoded state. Only decoding a stored row or firing a transition yields one,
/// so deployer code cannot invent a state: the state is protected by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<O> {
    pub(crate) id: ObjectId,
    pub(crate) state: StateName,
    pub(crate) stored: StoredState,
    pub(crate) version: Version,
    pub(crate) object: O,
}

impl<O> Row<O> {
    /// The key.
    pub fn id(&self) -> &ObjectId {
        &self.id
    }
    /// The current state; for a stored value the machine does not declare (a retired state),
    /// that value as text, which [`Machine::state`](crate::Machine::state) does not find.
    pub fn state(&self) -> &StateName {
        &self.state
    }
    /// The state column as stored.
    pub fn stored_state(&self) -> &StoredState {
        &self.stored
    }
    /// The version read.
    pub fn version(&self) -> Version {
        self.version
    }
    /// The object (every column but the state).
    pub fn object(&self) -> &O {
        &self.object
    }
    /// Gives the object away.
    pub fn into_object(self) -> O {
        self.object
    }
}

/// One compare-and-set: write `state`, `version` and the object's columns where the row still
/// holds `expected_state` and `expected_version`. Only the engine builds these.
#[derive(Debug, Clone, PartialEq)]
pub struct RowWrite<O> {
    pub(crate) id: ObjectId,
    pub(crate) expected_state: StoredState,
    pub(crate) expected_version: Version,
    pub(crate) state: StoredState,
    pub(crate) version: Version,
    pub(crate) object: O,
    pub(crate) object_changed: bool,
}

impl<O> RowWrite<O> {
    /// The key.
    pub fn id(&self) -> &ObjectId {
        &self.id
    }
    /// The state the row must still hold.
    pub fn expected_state(&self) -> &StoredState {
        &self.expected_state
    }
    /// The version the row must still hold.
    pub fn expected_version(&self) -> Version {
        self.expected_version
    }
    /// The state to write.
    pub fn state(&self) -> &StoredState {
        &self.state
    }
    /// The version to write (always `expected_version.next()`).
    pub fn version(&self) -> Version {
        self.version
    }
    /// The object's columns to write.
    pub fn object(&self) -> &O {
        &self.object
    }
    /// Whether a handler ran on the object, so that its columns may differ from the ones
    /// loaded. When `false` the object is the loaded one, and a store may write only the
    /// state and the version (the compare-and-set still guards the whole row).
    pub fn object_changed(&self) -> bool {
        self.object_changed
    }
}

/// A storage backend for one resource's rows and their audit log.
pub trait Store<O>: Send + Sync {
    /// The transaction type.
    type Tx: StoreTransaction<O>;

    /// Opens a transaction (`BEGIN IMMEDIATE` on SQLite when `lock` is pessimistic).
    fn begin(&self, lock: LockMode) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send;
}

/// One database transaction. Dropping it without `commit` must roll it back.
pub trait StoreTransaction<O>: Send {
    /// Loads the rows with these ids in one query (missing ids are simply absent), locking them
    /// when `lock` is pessimistic.
    fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> impl Future<Output = Result<Vec<StoredRow<O>>, StoreError>> + Send;

    /// Applies every write whose row still holds the expected state and version, in as few
    /// statements as the backend allows, and returns the ids that matched.
    fn compare_and_set(
        &mut self,
        writes: &[RowWrite<O>],
    ) -> impl Future<Output = Result<Vec<ObjectId>, StoreError>> + Send;

    /// Inserts audit rows (one multi-row insert where possible), stamping the time.
    fn insert_audit(
        &mut self,
        entries: &[AuditEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Commits.
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Rolls back.
    fn rollback(self) -> impl Future<Output = Result<(), StoreError>> + Send;
}
