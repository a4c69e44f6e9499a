//! The SQLite writer connection: what it refuses, and how it shares the file with other
//! connections.

use std::time::Duration;

use app::db::{Backend, Db};
use switchyard_engine::{BulkMode, BulkRequest, FireRequest};

use crate::support::{audit_count, clerk, count_in_state, fixture, history, ids, order};

#[tokio::test]
async fn an_in_memory_sqlite_database_is_refused_with_a_sentence() {
    for url in ["sqlite::memory:", "sqlite://orders.db?mode=memory"] {
        let error = Db::connect(url).await.expect_err(url);
        assert!(
            error
                .to_string()
                .contains("in-memory SQLite database is not supported"),
            "{url}: {error}"
        );
    }
}

/// Another connection holds the write lock (an edit, a session write); the fire waits for it
/// on the blocking pool instead of failing, and then reads what that connection committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fire_waits_for_another_connections_write_lock_and_then_succeeds() {
    let Some(f) = fixture(Backend::Sqlite, 1).await else {
        return;
    };
    let Db::Sqlite(pool) = &f.db else {
        unreachable!("a SQLite fixture")
    };
    let mut other = pool.acquire().await.expect("a pool connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *other)
        .await
        .expect("the other connection takes the write lock");
    sqlx::query("UPDATE orders SET tracking_number = 'HELD-BY-OTHER' WHERE id = 1")
        .execute(&mut *other)
        .await
        .expect("the other connection writes");

    let (machine, store) = (f.machine, f.store.clone());
    let fire = tokio::spawn(async move {
        machine
            .fire(&store, FireRequest::new(1, "pay", clerk()))
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!fire.is_finished(), "the fire waits while the lock is held");
    assert_eq!(order(&f.db, 1).await.state, "new");
    sqlx::query("COMMIT")
        .execute(&mut *other)
        .await
        .expect("the other connection commits");

    fire.await.expect("the fire finishes").expect("pay");
    let row = order(&f.db, 1).await;
    assert_eq!(
        (
            row.state.as_str(),
            row.version,
            row.tracking_number.as_str()
        ),
        ("paid", 2, "HELD-BY-OTHER")
    );
    assert_eq!(history(&f.db, 1).await.len(), 1);
}

/// A bulk fire's statements run on the blocking pool; the writer comes back for the next fire,
/// and what another connection reads afterwards is every row moved with its audit row.
#[tokio::test]
async fn a_bulk_fire_on_the_blocking_pool_gives_the_writer_back() {
    let Some(f) = fixture(Backend::Sqlite, 500).await else {
        return;
    };
    let request = BulkRequest::new(ids(1..=499), "pay", clerk(), BulkMode::AllOrNothing);
    let report = f.machine.fire_bulk(&f.store, request).await.expect("bulk");
    assert_eq!(report.applied(), 499);
    f.machine
        .fire(&f.store, FireRequest::new(500, "pay", clerk()))
        .await
        .expect("the next single fire");
    assert_eq!(count_in_state(&f.db, "paid").await, 500);
    assert_eq!(audit_count(&f.db).await, 500);
}

/// Under a steady stream of fires the WAL does not keep every commit's pages: once the
/// checkpointer reports it long, the writer checkpoints itself and the WAL starts again from
/// its first frame, so the file stops growing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_stream_of_fires_keeps_the_wal_bounded() {
    const FIRES: i64 = 12_000;
    let Some(f) = fixture(Backend::Sqlite, FIRES).await else {
        return;
    };
    let Db::Sqlite(pool) = &f.db else {
        unreachable!("a SQLite fixture")
    };
    for id in 1..=FIRES {
        f.machine
            .fire(&f.store, FireRequest::new(id, "pay", clerk()))
            .await
            .expect("pay");
    }
    let file: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(pool)
            .await
            .expect("the database file");
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(pool)
        .await
        .expect("the page size");
    let wal = std::fs::metadata(format!("{file}-wal"))
        .expect("the WAL file")
        .len();
    // Each fire writes at least three pages (the order, its audit row, that row's index
    // entry), each a frame of a page and a 24-byte header.
    let kept_every_commit = FIRES as u64 * 3 * (page_size as u64 + 24);
    assert!(
        wal < kept_every_commit / 2,
        "the WAL holds {wal} bytes; keeping every commit would be {kept_every_commit}"
    );
    assert_eq!(count_in_state(&f.db, "paid").await, FIRES);
    assert_eq!(audit_count(&f.db).await, FIRES);
}
