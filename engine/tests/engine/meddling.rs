//! A store that lets another writer commit between the engine's read and its compare-and-set.

use std::future::{ready, Future};
use std::sync::Arc;

use switchyard_engine::memory::{MemoryStore, MemoryTransaction};
use switchyard_engine::{
    AuditEntry, FireRequest, LockMode, Machine, ObjectId, RowWrite, Store, StoreError,
    StoreTransaction, StoredRow,
};

use crate::support::{admin, Order};

/// Runs a future on its own thread: executors cannot nest.
fn elsewhere<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| futures_executor::block_on(future))
            .join()
            .expect("the helper thread finishes")
    })
}

#[derive(Clone)]
pub struct Meddling {
    pub inner: MemoryStore<Order>,
    pub machine: Arc<Machine<Order>>,
    pub victim: i64,
    /// The transitions the other writer fires on the victim, each committed on its own.
    pub steps: &'static [&'static str],
}

pub struct MeddlingTx {
    inner: MemoryTransaction<Order>,
    store: Meddling,
}

impl Store<Order> for Meddling {
    type Tx = MeddlingTx;
    fn begin(&self, lock: LockMode) -> impl Future<Output = Result<MeddlingTx, StoreError>> + Send {
        let inner = elsewhere(self.inner.begin(lock));
        ready(inner.map(|inner| MeddlingTx {
            inner,
            store: self.clone(),
        }))
    }
}

impl StoreTransaction<Order> for MeddlingTx {
    fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> impl Future<Output = Result<Vec<StoredRow<Order>>, StoreError>> + Send {
        let rows = elsewhere(self.inner.load(ids, lock));
        for step in self.store.steps {
            let request = FireRequest::new(self.store.victim, step, admin());
            elsewhere(self.store.machine.fire(&self.store.inner, request))
                .expect("the meddler commits");
        }
        ready(rows)
    }
    fn compare_and_set(
        &mut self,
        writes: &[RowWrite<Order>],
    ) -> impl Future<Output = Result<Vec<ObjectId>, StoreError>> + Send {
        ready(elsewhere(self.inner.compare_and_set(writes)))
    }
    fn insert_audit(
        &mut self,
        entries: &[AuditEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(elsewhere(self.inner.insert_audit(entries)))
    }
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(elsewhere(self.inner.commit()))
    }
    fn rollback(self) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(elsewhere(self.inner.rollback()))
    }
}
