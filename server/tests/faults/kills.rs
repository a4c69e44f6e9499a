//! Work interrupted: a server killed with SIGKILL in the middle of a job (the other server on
//! PostgreSQL takes it over within the lease and at its pace; a restarted SQLite server
//! finishes it), every connection to PostgreSQL cut under a job, and a batch held up for
//! longer than the lease, which must keep its claim.

use std::time::{Duration, Instant};

use app::{
    admin::bulk::job_runner,
    db::{jobs, Backend, Db},
    state::AppState,
};

use crate::servers::{
    apply, assert_applied_exactly_once, database, finished, logged_in, pay_all_new, progress,
    Database, Process,
};

/// The longest a dead run's job may wait for another after the kill: the lease (counted
/// from the last heartbeat, which came before the kill), a sixth of it until the resumer
/// looks again, and five seconds for a loaded machine.
fn takeover_limit() -> Duration {
    Duration::from_secs(jobs::LEASE_SECONDS.unsigned_abs() * 7 / 6 + 5)
}

/// Samples `applied` every 100 ms until `until` says stop; the last sample and when.
async fn watch(db: &Db, job: i64, until: impl Fn(i64) -> bool) -> (Instant, i64) {
    loop {
        let (status, applied, ..) = progress(db, job).await;
        if until(applied) || !matches!(status.as_str(), "queued" | "running") {
            return (Instant::now(), applied);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_job_is_taken_over_by_the_other_at_its_pace() {
    const ROWS: i64 = 100_000;
    let Some(database) = database(Backend::Postgres).await else {
        return;
    };
    app::orders::seed_orders(&database.db, ROWS)
        .await
        .expect("seed");
    let logs = tempfile::tempdir().expect("log dir");
    let mut first = Process::start(&database, logs.path(), "first").await;
    let second = Process::start(&database, logs.path(), "second").await;
    let clerk = logged_in(first.address, "clerk").await;
    let job = apply(first.address, &clerk, &pay_all_new()).await;

    // The rate before the kill, from the first recorded batch to about a third of the job.
    let (started, at_start) = watch(&database.db, job, |applied| applied > 0).await;
    let (killed_at, before_kill) = watch(&database.db, job, |applied| applied >= ROWS / 3).await;
    first.kill();
    assert!(
        before_kill < ROWS,
        "the job finished before the kill: make it bigger"
    );
    let rate_before = (before_kill - at_start) as f64 / (killed_at - started).as_secs_f64();

    // The other server takes over once the lease runs out, and goes on at the same pace.
    let (taken_over, resumed_from) =
        watch(&database.db, job, |applied| applied > before_kill).await;
    let waited = taken_over - killed_at;
    assert!(waited <= takeover_limit(), "taken over after {waited:?}");
    let (status, applied, skipped, failed) =
        finished(&database.db, job, Duration::from_secs(600)).await;
    let rate_after = (applied - resumed_from) as f64 / taken_over.elapsed().as_secs_f64();
    eprintln!(
        "before the kill {rate_before:.0} rows/s; after the takeover {rate_after:.0} rows/s; \
         taken over after {waited:?}"
    );
    assert_eq!(
        (status.as_str(), applied, skipped, failed),
        ("done", ROWS, 0, 0)
    );
    assert_applied_exactly_once(&database.db, job, ROWS).await;
    assert!(
        rate_after >= 0.8 * rate_before,
        "after the takeover {rate_after:.0} rows/s, before the kill {rate_before:.0}"
    );
    let log = second.log_text();
    assert!(
        !log.contains("another run took this job over"),
        "the run lost its claim while working:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_server_killed_mid_job_finishes_it_after_a_restart() {
    const ROWS: i64 = 30_000;
    let database = database(Backend::Sqlite).await.expect("SQLite");
    app::orders::seed_orders(&database.db, ROWS)
        .await
        .expect("seed");
    let logs = tempfile::tempdir().expect("log dir");
    let mut server = Process::start(&database, logs.path(), "before").await;
    let clerk = logged_in(server.address, "clerk").await;
    let job = apply(server.address, &clerk, &pay_all_new()).await;
    let (_, before_kill) = watch(&database.db, job, |applied| applied > 0).await;
    server.kill();
    assert!(
        before_kill < ROWS,
        "the job finished before the kill: make it bigger"
    );

    let _restarted = Process::start(&database, logs.path(), "after").await;
    let (status, applied, skipped, failed) = finished(
        &database.db,
        job,
        takeover_limit() + Duration::from_secs(120),
    )
    .await;
    assert_eq!(
        (status.as_str(), applied, skipped, failed),
        ("done", ROWS, 0, 0)
    );
    assert_applied_exactly_once(&database.db, job, ROWS).await;
}

/// The console's state over `database`, as a server in this process holds it.
fn state_of(database: &Database) -> AppState {
    AppState {
        leptos_options: database.config.leptos_options.clone(),
        db: database.db.clone(),
        registry: std::sync::Arc::new(app::resources::registry().expect("registry")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_rides_out_every_postgres_connection_being_cut() {
    const ROWS: i64 = 30_000;
    let Some(database) = database(Backend::Postgres).await else {
        return;
    };
    app::orders::seed_orders(&database.db, ROWS)
        .await
        .expect("seed");
    let ids: Vec<String> = (1..=ROWS).map(|id| id.to_string()).collect();
    let job = stored_pay_job(&database.db, &ids).await;
    let run = tokio::spawn(job_runner::run_job(state_of(&database), job));
    watch(&database.db, job, |applied| applied > 0).await;

    // A second pool, so the cut does not take this test's own connection with it.
    let admin = Db::connect(&database.scratch.url())
        .await
        .expect("admin pool");
    let cut = app::with_pool!(&admin, pool => {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) AS cut",
        )
        .fetch_one(pool)
        .await
    })
    .expect("cut");
    assert!(cut > 0, "no connection was cut");

    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the run ends")
        .expect("the run task");
    let (status, applied, skipped, failed) = progress(&admin, job).await;
    assert_eq!(
        (status.as_str(), applied, skipped, failed),
        ("done", ROWS, 0, 0)
    );
    assert_applied_exactly_once(&admin, job, ROWS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_held_up_longer_than_the_lease_keeps_its_claim() {
    let Some(database) = database(Backend::Postgres).await else {
        return;
    };
    app::orders::seed_orders(&database.db, 10)
        .await
        .expect("seed");
    let ids: Vec<String> = (1..=10).map(|id| id.to_string()).collect();
    let job = stored_pay_job(&database.db, &ids).await;

    // Another transaction holds order 5, so the batch waits on it for longer than the lease.
    let Db::Postgres(pool) = &database.db else {
        unreachable!("a PostgreSQL database");
    };
    let mut blocker = pool.begin().await.expect("begin");
    sqlx::query("SELECT id FROM orders WHERE id = 5 FOR UPDATE")
        .execute(&mut *blocker)
        .await
        .expect("lock");
    let run = tokio::spawn(job_runner::run_job(state_of(&database), job));
    tokio::time::sleep(Duration::from_secs(jobs::LEASE_SECONDS.unsigned_abs() + 5)).await;

    // Past the lease, a second run (another server's resumer) finds the claim alive.
    let holder = runner_of(&database.db, job).await;
    tokio::time::timeout(
        Duration::from_secs(10),
        job_runner::run_job(state_of(&database), job),
    )
    .await
    .expect("a second run leaves a job with a live claim at once");
    assert_eq!(
        runner_of(&database.db, job).await,
        holder,
        "the claim changed hands"
    );
    assert_eq!(
        progress(&database.db, job).await.1,
        0,
        "still waiting on order 5"
    );

    blocker.rollback().await.expect("release");
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the run ends")
        .expect("the run task");
    let (status, applied, ..) = progress(&database.db, job).await;
    assert_eq!((status.as_str(), applied), ("done", 10));
    assert_applied_exactly_once(&database.db, job, 10).await;
}

async fn runner_of(db: &Db, job: i64) -> Option<String> {
    app::with_pool!(db, pool => {
        sqlx::query_scalar::<_, Option<String>>("SELECT runner FROM bulk_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(pool)
            .await
    })
    .expect("runner")
}

/// Stores a best-effort `pay` job over `ids` by the clerk, as the console does.
async fn stored_pay_job(db: &Db, ids: &[String]) -> i64 {
    let clerk = app::auth::users::find_active_by_username(db, "clerk")
        .await
        .expect("read")
        .expect("clerk");
    let job = jobs::NewJob {
        resource: "orders".to_owned(),
        transition: "pay".to_owned(),
        label: "Mark as paid".to_owned(),
        mode: "best_effort",
        arguments: serde_json::json!({}),
        description: None,
        actor_id: clerk.id,
        actor_username: clerk.username,
        channel: "console",
    };
    let snapshot = jobs::Snapshot::Keys(ids.to_vec());
    match jobs::create_job(db, &job, &snapshot, i64::MAX)
        .await
        .expect("job")
    {
        jobs::Created::Job(id) => id,
        other => panic!("no job stored: {other:?}"),
    }
}
