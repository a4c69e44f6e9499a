//! A fresh migrated database per test with the orders store, SQL read-backs of rows and audit
//! rows, a store wrapper that injects failures or pauses, and the demo actors.

use std::sync::Arc;

use app::db::{scratch::ScratchDatabase, Backend, Db};
use app::orders::{orders_machine, orders_table, seed_orders, Order, OrdersStore};
use app::with_pool;
use serde_json::Value;
use switchyard_engine::{
    Actor, AuditEntry, LockMode, Machine, ObjectId, RowWrite, Store, StoreError, StoreTransaction,
    StoredRow,
};
use tokio::sync::Barrier;

/// One test's database, store and machine.
pub struct Fixture {
    pub db: Db,
    pub store: OrdersStore,
    pub machine: Machine<Order>,
    database: ScratchDatabase,
}

/// A fresh database with `orders` rows 1..=n seeded; `None` when PostgreSQL is not configured
/// outside CI.
pub async fn fixture(backend: Backend, orders: i64) -> Option<Fixture> {
    let database = ScratchDatabase::create(backend)
        .await
        .expect("a scratch database")?;
    let db = database.connect().await.expect("connect and migrate");
    seed_orders(&db, orders).await.expect("seed");
    let store = OrdersStore::new(db.clone(), orders_table().expect("orders table"));
    Some(Fixture {
        db,
        store,
        machine: orders_machine().expect("orders machine"),
        database,
    })
}

impl Fixture {
    /// The database's address (a PostgreSQL URL, or the SQLite file's), for a second pool.
    pub fn url(&self) -> String {
        self.database.url()
    }
}

/// An order row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub state: String,
    pub version: i64,
    pub tracking_number: String,
    pub payment_recorded: bool,
    pub amount_cents: i64,
}

pub async fn order(db: &Db, id: i64) -> OrderRow {
    let sql = "SELECT state, version, tracking_number, payment_recorded, amount_cents \
               FROM orders WHERE id = $1";
    let (state, version, tracking_number, payment_recorded, amount_cents) = with_pool!(db, pool => {
        sqlx::query_as::<_, (String, i64, String, bool, i64)>(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("the order row")
    });
    OrderRow {
        state,
        version,
        tracking_number,
        payment_recorded,
        amount_cents,
    }
}

/// How many orders are in `state`.
pub async fn count_in_state(db: &Db, state: &str) -> i64 {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders WHERE state = $1")
            .bind(state)
            .fetch_one(pool)
            .await
            .expect("count")
    })
}

/// An audit row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub resource: String,
    pub object_id: String,
    pub transition: String,
    pub source: String,
    pub target: Option<String>,
    pub actor_username: String,
    pub arguments: Value,
    pub description: Option<String>,
    pub outcome: String,
    pub error: Option<String>,
}

type AuditTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// The audit rows of one order, newest first.
pub async fn history(db: &Db, id: i64) -> Vec<AuditRow> {
    let sql = "SELECT resource, object_id, transition, source, target, actor_username, \
               CAST(arguments AS TEXT), description, outcome, error FROM audit_log \
               WHERE resource = 'orders' AND object_id = $1 ORDER BY id DESC";
    let rows: Vec<AuditTuple> = with_pool!(db, pool => {
        sqlx::query_as(sql).bind(id.to_string()).fetch_all(pool).await.expect("audit rows")
    });
    rows.into_iter()
        .map(|r| AuditRow {
            resource: r.0,
            object_id: r.1,
            transition: r.2,
            source: r.3,
            target: r.4,
            actor_username: r.5,
            arguments: serde_json::from_str(&r.6).expect("arguments are JSON"),
            description: r.7,
            outcome: r.8,
            error: r.9,
        })
        .collect()
}

/// How many audit rows exist in all.
pub async fn audit_count(db: &Db) -> i64 {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
            .fetch_one(pool)
            .await
            .expect("count")
    })
}

pub fn admin() -> Actor {
    Actor::superuser(1, "admin")
}

pub fn clerk() -> Actor {
    Actor::new(2, "clerk").with_permissions([
        "orders.pay",
        "orders.ship",
        "orders.deliver",
        "orders.cancel",
    ])
}

pub fn ids(range: std::ops::RangeInclusive<i64>) -> Vec<ObjectId> {
    range.map(ObjectId::Int).collect()
}

/// What the wrapper does besides delegating.
#[derive(Clone, Default)]
pub struct Meddling {
    /// Fail the audit insert after the compare-and-set ran.
    pub fail_audit_insert: bool,
    /// Wait here after loading, so racers all read before any writes.
    pub after_load: Option<Arc<Barrier>>,
}

/// The sqlx store with a hand in its transactions.
pub struct MeddlingStore {
    pub inner: OrdersStore,
    pub meddling: Meddling,
}

pub struct MeddlingTransaction {
    inner: <OrdersStore as Store<Order>>::Tx,
    meddling: Meddling,
}

impl Store<Order> for MeddlingStore {
    type Tx = MeddlingTransaction;

    async fn begin(&self, lock: LockMode) -> Result<Self::Tx, StoreError> {
        Ok(MeddlingTransaction {
            inner: self.inner.begin(lock).await?,
            meddling: self.meddling.clone(),
        })
    }
}

impl StoreTransaction<Order> for MeddlingTransaction {
    async fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> Result<Vec<StoredRow<Order>>, StoreError> {
        let rows = self.inner.load(ids, lock).await?;
        if let Some(barrier) = &self.meddling.after_load {
            barrier.wait().await;
        }
        Ok(rows)
    }

    async fn compare_and_set(
        &mut self,
        writes: &[RowWrite<Order>],
    ) -> Result<Vec<ObjectId>, StoreError> {
        self.inner.compare_and_set(writes).await
    }

    async fn insert_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if self.meddling.fail_audit_insert {
            return Err(StoreError::Injected("insert audit"));
        }
        self.inner.insert_audit(entries).await
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await
    }

    async fn rollback(self) -> Result<(), StoreError> {
        self.inner.rollback().await
    }
}

/// Declares one test per backend from an async function taking a [`Backend`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(app::db::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(app::db::Backend::Postgres).await;
                }
            )*
        }
    };
}
