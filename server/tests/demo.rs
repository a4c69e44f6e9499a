//! `switchyard demo` prepares its database once: users and seeded orders, then never again.

use app::db::{scratch::ScratchDatabase, Backend};
use server::commands::prepare_demo_database;

/// A fresh, migrated database (kept alive by the returned guard), or `None` when PostgreSQL
/// is not configured outside CI.
async fn migrated_database(backend: Backend) -> Option<(ScratchDatabase, app::db::Db)> {
    let Some(scratch) = ScratchDatabase::create(backend)
        .await
        .expect("a scratch database")
    else {
        eprintln!("TEST_POSTGRES_ADMIN_URL is not set: skipping a PostgreSQL test");
        return None;
    };
    let db = scratch.connect().await.expect("connect");
    db.migrate().await.expect("migrate");
    Some((scratch, db))
}

async fn count(db: &app::db::Db, sql: &str) -> i64 {
    app::with_pool!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
        .expect("count")
}

async fn the_demo_database_is_created_once_with_its_users_and_orders(backend: Backend) {
    let Some((_scratch, db)) = migrated_database(backend).await else {
        return;
    };

    assert!(prepare_demo_database(&db, 250, 50).await.expect("prepare"));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE is_demo").await,
        3
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM orders WHERE state = 'new'").await,
        250
    );
    assert_eq!(count(&db, "SELECT MAX(id) FROM orders").await, 250);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM campaigns WHERE step = 1 AND review = 'pending' AND jobs = 0"
        )
        .await,
        50
    );
    assert_eq!(count(&db, "SELECT MAX(id) FROM campaigns").await, 50);

    assert!(!prepare_demo_database(&db, 250, 50)
        .await
        .expect("second prepare"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 250);
}

async fn an_interrupted_demo_creation_is_completed_by_the_next_run(backend: Backend) {
    let Some((_scratch, db)) = migrated_database(backend).await else {
        return;
    };
    // As if a first run had seeded the orders and stopped before creating the users.
    app::orders::seed_orders(&db, 40).await.expect("seed");

    assert!(prepare_demo_database(&db, 40, 5).await.expect("prepare"));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE is_demo").await,
        3
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 40);
}

#[tokio::test]
async fn on_sqlite_an_interrupted_demo_creation_is_completed_by_the_next_run() {
    an_interrupted_demo_creation_is_completed_by_the_next_run(Backend::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_an_interrupted_demo_creation_is_completed_by_the_next_run() {
    an_interrupted_demo_creation_is_completed_by_the_next_run(Backend::Postgres).await;
}

#[tokio::test]
async fn on_sqlite_the_demo_database_is_created_once_with_its_users_and_orders() {
    the_demo_database_is_created_once_with_its_users_and_orders(Backend::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_the_demo_database_is_created_once_with_its_users_and_orders() {
    the_demo_database_is_created_once_with_its_users_and_orders(Backend::Postgres).await;
}
