//! SCENARIO step e, in process: the engine on the sqlx store beside the raw SQL floor, on
//! SQLite (temporary file, WAL, synchronous NORMAL, as the app runs) and on PostgreSQL (when
//! `TEST_POSTGRES_ADMIN_URL` is set or 127.0.0.1:5432 answers).
//!
//! Cases, each over 10,000 fresh `new` orders, medians of 5 rounds reported. Each round runs
//! the three cases one after the other, so that this machine's drift (its speed changes from
//! minute to minute) falls on all three alike; the bulk/floor ratio is reported per round
//! and as the median of the rounds. Before every timed case the WAL is checkpointed, so no
//! case pays for the pages another one left; no case checkpoints inside its commit.
//! - `e.single`: 10,000 fires of `pay`, each its own transaction with its audit row;
//! - `e.bulk`: one all-or-nothing bulk `pay` over the 10,000 rows;
//! - `e.floor`: one `UPDATE orders SET state='paid', version=version+1 WHERE state='new' AND
//!   id BETWEEN lo AND hi` plus one `INSERT … SELECT` of their 10,000 audit rows, one transaction.
//!
//! Run: `cargo bench -p app --features ssr --bench engine_store`. Prints a table, then one
//! JSON line per figure. `SWITCHYARD_BENCH_BACKENDS=sqlite` (or `postgres`) runs only those.

use std::time::{Duration, Instant};

use app::db::{scratch::ScratchDatabase, Backend, Db};
use app::orders::{orders_machine, orders_table, seed_orders_range, Order, OrdersStore};
use app::with_pool;
use switchyard_engine::{
    Actor, AuditEntry, BulkMode, BulkRequest, FireRequest, LockMode, Machine, ObjectId, RowWrite,
    Store, StoreError, StoreTransaction, StoredRow,
};

const ROWS: i64 = 10_000;
const REPEATS: usize = 5;
const CASES: [&str; 3] = ["e.single", "e.bulk", "e.floor"];

type Failure = Box<dyn std::error::Error>;

fn clerk() -> Actor {
    Actor::new(2, "clerk").with_permissions(["orders.pay"])
}

/// The seed rows one run of one case uses: fresh `new` rows, ids `lo..=hi`.
fn block(case: usize, repeat: usize) -> (i64, i64) {
    let index = (case * REPEATS + repeat) as i64;
    (index * ROWS + 1, (index + 1) * ROWS)
}

async fn single(
    machine: &Machine<Order>,
    store: &TimedStore,
    lo: i64,
    hi: i64,
) -> Result<(), Failure> {
    for id in lo..=hi {
        machine
            .fire(store, FireRequest::new(id, "pay", clerk()))
            .await?;
    }
    Ok(())
}

async fn bulk(
    machine: &Machine<Order>,
    store: &TimedStore,
    lo: i64,
    hi: i64,
) -> Result<(), Failure> {
    let ids = (lo..=hi).map(ObjectId::Int).collect();
    let report = machine
        .fire_bulk(
            store,
            BulkRequest::new(ids, "pay", clerk(), BulkMode::AllOrNothing),
        )
        .await?;
    if report.applied() != ROWS as usize {
        return Err(format!("bulk applied {} rows", report.applied()).into());
    }
    Ok(())
}

const FLOOR_UPDATE: &str = "UPDATE orders SET state = 'paid', version = version + 1 \
    WHERE state = 'new' AND id BETWEEN $1 AND $2";
const FLOOR_AUDIT_SQLITE: &str = "INSERT INTO audit_log (resource, object_id, transition, source, \
    target, actor_id, actor_username, arguments, outcome) SELECT 'orders', CAST(id AS TEXT), 'pay', \
    'new', 'paid', 2, 'clerk', 'null', 'completed' FROM orders WHERE id BETWEEN $1 AND $2";
const FLOOR_AUDIT_POSTGRES: &str = "INSERT INTO audit_log (resource, object_id, transition, source, \
    target, actor_id, actor_username, arguments, outcome) SELECT 'orders', CAST(id AS TEXT), 'pay', \
    'new', 'paid', 2, 'clerk', 'null'::jsonb, 'completed' FROM orders WHERE id BETWEEN $1 AND $2";

async fn floor(db: &Db, lo: i64, hi: i64) -> Result<(), Failure> {
    match db {
        Db::Sqlite(pool) => {
            // As on the store's writer, no checkpoint inside the commit: each case's
            // checkpoint is left to `settle`, untimed.
            let mut connection = pool.acquire().await?;
            sqlx::query("PRAGMA wal_autocheckpoint = 0")
                .execute(&mut *connection)
                .await?;
            let mut tx = sqlx::Connection::begin(&mut *connection).await?;
            sqlx::query(FLOOR_UPDATE)
                .bind(lo)
                .bind(hi)
                .execute(&mut *tx)
                .await?;
            sqlx::query(FLOOR_AUDIT_SQLITE)
                .bind(lo)
                .bind(hi)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            // The connection goes back to the pool with SQLite's default again.
            sqlx::query("PRAGMA wal_autocheckpoint = 1000")
                .execute(&mut *connection)
                .await?;
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query(FLOOR_UPDATE)
                .bind(lo)
                .bind(hi)
                .execute(&mut *tx)
                .await?;
            sqlx::query(FLOOR_AUDIT_POSTGRES)
                .bind(lo)
                .bind(hi)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Every row of the block is `paid` at version 2 with exactly one audit row.
async fn verify(db: &Db, lo: i64, hi: i64) -> Result<(), Failure> {
    let (paid, audited): (i64, i64) = with_pool!(db, pool => {
        let paid = sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE id BETWEEN $1 AND $2 AND state = 'paid' AND version = 2",
        )
        .bind(lo).bind(hi).fetch_one(pool).await?;
        let audited = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT object_id) FROM audit_log WHERE resource = 'orders' \
             AND object_id IN (SELECT CAST(id AS TEXT) FROM orders WHERE id BETWEEN $1 AND $2)",
        )
        .bind(lo).bind(hi).fetch_one(pool).await?;
        (paid, audited)
    });
    if paid != ROWS || audited != ROWS {
        return Err(format!("rows {lo}..={hi}: {paid} paid, {audited} audited").into());
    }
    Ok(())
}

/// Time spent inside each store call, to say where a bulk fire's time goes.
#[derive(Default)]
struct Phases {
    load: Duration,
    compare_and_set: Duration,
    insert_audit: Duration,
    begin: Duration,
    commit: Duration,
}

static PHASES: std::sync::Mutex<Option<Phases>> = std::sync::Mutex::new(None);

fn add_phase(pick: impl FnOnce(&mut Phases) -> &mut Duration, started: Instant) {
    let mut phases = PHASES.lock().unwrap_or_else(|p| p.into_inner());
    *pick(phases.get_or_insert_with(Phases::default)) += started.elapsed();
}

/// The store with a stopwatch around each call.
struct TimedStore(OrdersStore);
struct TimedTransaction(<OrdersStore as Store<Order>>::Tx);

impl Store<Order> for TimedStore {
    type Tx = TimedTransaction;
    async fn begin(&self, lock: LockMode) -> Result<Self::Tx, StoreError> {
        let started = Instant::now();
        let tx = self.0.begin(lock).await?;
        add_phase(|p| &mut p.begin, started);
        Ok(TimedTransaction(tx))
    }
}

impl StoreTransaction<Order> for TimedTransaction {
    async fn load(
        &mut self,
        ids: &[ObjectId],
        lock: LockMode,
    ) -> Result<Vec<StoredRow<Order>>, StoreError> {
        let started = Instant::now();
        let rows = self.0.load(ids, lock).await;
        add_phase(|p| &mut p.load, started);
        rows
    }
    async fn compare_and_set(
        &mut self,
        writes: &[RowWrite<Order>],
    ) -> Result<Vec<ObjectId>, StoreError> {
        let started = Instant::now();
        let matched = self.0.compare_and_set(writes).await;
        add_phase(|p| &mut p.compare_and_set, started);
        matched
    }
    async fn insert_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let started = Instant::now();
        let done = self.0.insert_audit(entries).await;
        add_phase(|p| &mut p.insert_audit, started);
        done
    }
    async fn commit(self) -> Result<(), StoreError> {
        let started = Instant::now();
        let done = self.0.commit().await;
        add_phase(|p| &mut p.commit, started);
        done
    }
    async fn rollback(self) -> Result<(), StoreError> {
        self.0.rollback().await
    }
}

/// Adds one run's stopwatches to a case's.
fn merge(sum: Option<Phases>, run: Option<Phases>) -> Option<Phases> {
    match (sum, run) {
        (Some(a), Some(b)) => Some(Phases {
            load: a.load + b.load,
            compare_and_set: a.compare_and_set + b.compare_and_set,
            insert_audit: a.insert_audit + b.insert_audit,
            begin: a.begin + b.begin,
            commit: a.commit + b.commit,
        }),
        (a, b) => a.or(b),
    }
}

/// Waits until the previous case's background work is done and its WAL pages are in the
/// database file (SQLite), so the next case starts from the same place: a WAL whose next
/// writer starts again at its first frame. Not timed. `RESTART`, not `TRUNCATE`: the app never
/// shrinks its WAL, so a case that regrew it from nothing would pay for file blocks the app
/// only pays for once.
async fn settle(db: &Db) -> Result<(), Failure> {
    if let Db::Sqlite(pool) = db {
        sqlx::query("PRAGMA wal_checkpoint(RESTART)")
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Prints where the time of one case went, over all its runs.
fn report_phases(label: &str, step: &str, taken: Option<Phases>, total: Duration) {
    if let Some(p) = taken {
        let engine =
            total.saturating_sub(p.load + p.compare_and_set + p.insert_audit + p.begin + p.commit);
        eprintln!(
            "{label} {step} ({REPEATS} runs): load {:.3}s, compare-and-set {:.3}s, audit {:.3}s, begin {:.3}s, commit {:.3}s, engine {:.3}s",
            p.load.as_secs_f64(), p.compare_and_set.as_secs_f64(), p.insert_audit.as_secs_f64(),
            p.begin.as_secs_f64(), p.commit.as_secs_f64(), engine.as_secs_f64()
        );
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

async fn run_backend(backend: Backend) -> Result<Option<Vec<(String, Vec<Duration>)>>, Failure> {
    let Some(database) = ScratchDatabase::create(backend).await? else {
        return Ok(None);
    };
    let db = database.connect().await?;
    seed_orders_range(&db, 0..(CASES.len() * REPEATS) as i64 * ROWS).await?;
    if let Db::Postgres(pool) = &db {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    let store = TimedStore(OrdersStore::new(db.clone(), orders_table()?));
    let machine = orders_machine()?;
    let mut runs = vec![Vec::new(); CASES.len()];
    let mut phases: Vec<Option<Phases>> = (0..CASES.len()).map(|_| None).collect();
    for repeat in 0..REPEATS {
        for (case, times) in runs.iter_mut().enumerate() {
            let (lo, hi) = block(case, repeat);
            settle(&db).await?;
            let started = Instant::now();
            match case {
                0 => single(&machine, &store, lo, hi).await?,
                1 => bulk(&machine, &store, lo, hi).await?,
                _ => floor(&db, lo, hi).await?,
            }
            times.push(started.elapsed());
            verify(&db, lo, hi).await?;
            let taken = PHASES.lock().unwrap_or_else(|p| p.into_inner()).take();
            phases[case] = merge(phases[case].take(), taken);
        }
    }
    for ((name, times), taken) in CASES.iter().zip(&runs).zip(phases) {
        report_phases(&format!("{backend:?}"), name, taken, times.iter().sum());
    }
    db.close().await;
    Ok(Some(
        CASES
            .iter()
            .map(|name| (*name).to_owned())
            .zip(runs)
            .collect(),
    ))
}

/// Uses a local PostgreSQL when none is configured and one answers on the default port.
fn find_postgres() {
    let configured = std::env::var("TEST_POSTGRES_ADMIN_URL").is_ok_and(|url| !url.is_empty());
    let local = std::net::TcpStream::connect_timeout(
        &([127, 0, 0, 1], 5432).into(),
        Duration::from_millis(300),
    )
    .is_ok();
    if !configured && local {
        // Single-threaded here: nothing else reads the environment yet.
        std::env::set_var(
            "TEST_POSTGRES_ADMIN_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        );
    }
}

fn main() -> Result<(), Failure> {
    find_postgres();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut lines = Vec::new();
    println!(
        "{:<10} {:<9} {:>10} {:>12}   runs (s)",
        "backend", "step", "median s", "rows/s"
    );
    let selected = std::env::var("SWITCHYARD_BENCH_BACKENDS").unwrap_or_default();
    for (backend, label) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        if !selected.is_empty() && !selected.split(',').any(|name| name.trim() == label) {
            continue;
        }
        let figures = match runtime.block_on(run_backend(backend)) {
            Ok(Some(figures)) => figures,
            Ok(None) => {
                println!("{label:<10} skipped: no PostgreSQL");
                continue;
            }
            Err(error) => {
                println!("{label:<10} failed: {error}");
                continue;
            }
        };
        let mut medians = Vec::new();
        for (step, runs) in &figures {
            let m = median(runs.clone()).as_secs_f64();
            medians.push(m);
            let per_second = ROWS as f64 / m;
            let runs_s: Vec<String> = runs
                .iter()
                .map(|r| format!("{:.4}", r.as_secs_f64()))
                .collect();
            println!(
                "{label:<10} {step:<9} {m:>10.4} {per_second:>12.0}   [{}]",
                runs_s.join(", ")
            );
            lines.push(format!(
                "{{\"system\":\"switchyard\",\"backend\":\"{label}\",\"step\":\"{step}\",\"rows\":{ROWS},\
                 \"repeats\":{REPEATS},\"median_s\":{m:.6},\"transitions_per_s\":{per_second:.1},\"runs_s\":[{}]}}",
                runs_s.join(",")
            ));
        }
        let ratio = medians[1] / medians[2];
        // The same ratio within each round, whose cases ran minutes apart at most.
        let rounds: Vec<f64> = figures[1]
            .1
            .iter()
            .zip(&figures[2].1)
            .map(|(bulk, floor)| bulk.as_secs_f64() / floor.as_secs_f64())
            .collect();
        let mut sorted = rounds.clone();
        sorted.sort_by(f64::total_cmp);
        let round_median = sorted[sorted.len() / 2];
        let rounds_text: Vec<String> = rounds.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "{label:<10} bulk/floor ratio: {ratio:.2} (medians); per round [{}], median {round_median:.2}",
            rounds_text.join(", ")
        );
        lines.push(format!(
            "{{\"system\":\"switchyard\",\"backend\":\"{label}\",\"step\":\"e.bulk_over_floor\",\"ratio\":{ratio:.3},\"round_ratios\":[{}],\"round_median\":{round_median:.3}}}",
            rounds_text.join(",")
        ));
    }
    println!();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
