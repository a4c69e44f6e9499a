//! An in-memory store honouring the storage contract (transactions that roll back,
//! compare-and-set, audit rows), for tests and doc examples.
//!
//! Writes reach the shared table at compare-and-set time and are undone on rollback, so a
//! second transaction racing for the same row sees the new version and loses its
//! compare-and-set, like a row-locking database. Pessimistic loads need no extra locking here.

use std::collections::BTreeMap;
use std::future::{ready, Future};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::machine::Machine;
use crate::names::{ObjectId, Version};
use crate::store::{LockMode, Row, RowWrite, Store, StoreTransaction, StoredRow};

/// A step at which the memory store can be told to fail once, to test rollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// Opening a transaction.
    Begin,
    /// Loading rows.
    Load,
    /// The compare-and-set.
    CompareAndSet,
    /// Inserting audit rows.
    InsertAudit,
    /// Committing.
    Commit,
}

/// An audit row as the memory store keeps it; `sequence` stands in for the time.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAudit {
    /// Increases with every row written, so it orders the log.
    pub sequence: u64,
    /// The row.
    pub entry: AuditEntry,
}

/// How many calls of each kind the store served: proves that bulk fires are batched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Transactions opened.
    pub begins: usize,
    /// `load` calls.
    pub loads: usize,
    /// `compare_and_set` calls.
    pub compare_and_sets: usize,
    /// `insert_audit` calls.
    pub audit_inserts: usize,
    /// Commits.
    pub commits: usize,
    /// Rollbacks (explicit or by drop).
    pub rollbacks: usize,
}

struct Tables<O> {
    rows: BTreeMap<ObjectId, StoredRow<O>>,
    audit: Vec<StoredAudit>,
    next_sequence: u64,
    fail_at: Vec<FailPoint>,
    calls: CallCounts,
}

/// A store holding rows and audit rows in memory; clones share the same tables.
pub struct MemoryStore<O> {
    tables: Arc<Mutex<Tables<O>>>,
}

impl<O> Clone for MemoryStore<O> {
    fn clone(&self) -> Self {
        MemoryStore {
            tables: Arc::clone(&self.tables),
        }
    }
}

impl<O> std::fmt::Debug for MemoryStore<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

impl<O: Clone> Default for MemoryStore<O> {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<O>(tables: &Mutex<Tables<O>>) -> MutexGuard<'_, Tables<O>> {
    // A panicking test thread must not hide the tables from the others.
    tables
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn take_failure<O>(tables: &mut Tables<O>, point: FailPoint) -> Result<(), StoreError> {
    match tables.fail_at.iter().position(|p| *p == point) {
        Some(index) => {
            tables.fail_at.remove(index);
            Err(StoreError::Injected(match point {
                FailPoint::Begin => "begin",
                FailPoint::Load => "load",
                FailPoint::CompareAndSet => "compare-and-set",
                FailPoint::InsertAudit => "insert audit",
                FailPoint::Commit => "commit",
            }))
        }
        None => Ok(()),
    }
}

impl<O: Clone> MemoryStore<O> {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore {
            tables: Arc::new(Mutex::new(Tables {
                rows: BTreeMap::new(),
                audit: Vec::new(),
                next_sequence: 1,
                fail_at: Vec::new(),
                calls: CallCounts::default(),
            })),
        }
    }

    /// Inserts a new row in the machine's initial state at the first version; the only way in.
    pub fn insert(&self, machine: &Machine<O>, id: impl Into<ObjectId>, object: O) -> Row<O> {
        let stored = StoredRow {
            id: id.into(),
            state: machine.encode_state(machine.initial_state()),
            version: Version::FIRST,
            object,
        };
        lock(&self.tables)
            .rows
            .insert(stored.id.clone(), stored.clone());
        machine.decode_row(stored)
    }

    /// Writes a raw row as an import or a migration might, in any stored state (one the
    /// machine may not declare, such as a state retired by a later release).
    pub fn insert_stored(&self, stored: StoredRow<O>) {
        lock(&self.tables).rows.insert(stored.id.clone(), stored);
    }

    /// The stored row, decoded by the machine.
    pub fn get(&self, machine: &Machine<O>, id: &ObjectId) -> Option<Row<O>> {
        let stored = lock(&self.tables).rows.get(id).cloned()?;
        Some(machine.decode_row(stored))
    }

    /// The stored row, raw.
    pub fn get_stored(&self, id: &ObjectId) -> Option<StoredRow<O>> {
        lock(&self.tables).rows.get(id).cloned()
    }

    /// The audit rows of one object, newest first.
    pub fn history(&self, id: &ObjectId) -> Vec<StoredAudit> {
        let tables = lock(&self.tables);
        let mut rows: Vec<StoredAudit> = tables
            .audit
            .iter()
            .filter(|record| &record.entry.object_id == id)
            .cloned()
            .collect();
        rows.sort_by_key(|record| std::cmp::Reverse(record.sequence));
        rows
    }

    /// Every audit row, oldest first.
    pub fn audit_log(&self) -> Vec<StoredAudit> {
        lock(&self.tables).audit.clone()
    }

    /// Makes the next call at `point` fail once.
    pub fn fail_once_at(&self, point: FailPoint) {
        lock(&self.tables).fail_at.push(point);
    }

    /// The calls served so far.
    pub fn call_counts(&self) -> CallCounts {
        lock(&self.tables).calls
    }
}

/// A memory transaction: writes applied with an undo log, audit rows held until commit.
pub struct MemoryTransaction<O> {
    tables: Arc<Mutex<Tables<O>>>,
    undo: Vec<StoredRow<O>>,
    pending_audit: Vec<AuditEntry>,
    finished: bool,
}

impl<O> MemoryTransaction<O> {
    fn undo_all(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let mut tables = lock(&self.tables);
        for previous in self.undo.drain(..).rev() {
            tables.rows.insert(previous.id.clone(), previous);
        }
        self.pending_audit.clear();
        tables.calls.rollbacks += 1;
    }
}

impl<O> Drop for MemoryTransaction<O> {
    fn drop(&mut self) {
        self.undo_all();
    }
}

impl<O: Clone + Send + Sync> Store<O> for MemoryStore<O> {
    type Tx = MemoryTransaction<O>;

    fn begin(&self, _lock: LockMode) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send {
        let mut tables = lock(&self.tables);
        tables.calls.begins += 1;
        let result = take_failure(&mut tables, FailPoint::Begin).map(|()| MemoryTransaction {
            tables: Arc::clone(&self.tables),
            undo: Vec::new(),
            pending_audit: Vec::new(),
            finished: false,
        });
        ready(result)
    }
}

impl<O: Clone + Send + Sync> StoreTransaction<O> for MemoryTransaction<O> {
    fn load(
        &mut self,
        ids: &[ObjectId],
        _lock: LockMode,
    ) -> impl Future<Output = Result<Vec<StoredRow<O>>, StoreError>> + Send {
        let mut tables = lock(&self.tables);
        tables.calls.loads += 1;
        let result = take_failure(&mut tables, FailPoint::Load).map(|()| {
            ids.iter()
                .filter_map(|id| tables.rows.get(id).cloned())
                .collect()
        });
        ready(result)
    }

    fn compare_and_set(
        &mut self,
        writes: &[RowWrite<O>],
    ) -> impl Future<Output = Result<Vec<ObjectId>, StoreError>> + Send {
        let mut tables = lock(&self.tables);
        tables.calls.compare_and_sets += 1;
        let result = take_failure(&mut tables, FailPoint::CompareAndSet).map(|()| {
            let mut matched = Vec::new();
            for write in writes {
                let Some(current) = tables.rows.get_mut(&write.id) else {
                    continue;
                };
                if current.state != write.expected_state
                    || current.version != write.expected_version
                {
                    continue;
                }
                let previous = std::mem::replace(
                    current,
                    StoredRow {
                        id: write.id.clone(),
                        state: write.state.clone(),
                        version: write.version,
                        object: write.object.clone(),
                    },
                );
                self.undo.push(previous);
                matched.push(write.id.clone());
            }
            matched
        });
        ready(result)
    }

    fn insert_audit(
        &mut self,
        entries: &[AuditEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let mut tables = lock(&self.tables);
        tables.calls.audit_inserts += 1;
        let result = take_failure(&mut tables, FailPoint::InsertAudit);
        if result.is_ok() {
            self.pending_audit.extend(entries.iter().cloned());
        }
        ready(result)
    }

    fn commit(mut self) -> impl Future<Output = Result<(), StoreError>> + Send {
        let result = {
            let mut tables = lock(&self.tables);
            let failure = take_failure(&mut tables, FailPoint::Commit);
            if failure.is_ok() {
                for entry in self.pending_audit.drain(..) {
                    let sequence = tables.next_sequence;
                    tables.next_sequence += 1;
                    tables.audit.push(StoredAudit { sequence, entry });
                }
                tables.calls.commits += 1;
                self.undo.clear();
            }
            failure
        };
        if result.is_ok() {
            self.finished = true;
        }
        // On failure, dropping `self` rolls back.
        ready(result)
    }

    fn rollback(mut self) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.undo_all();
        ready(Ok(()))
    }
}
