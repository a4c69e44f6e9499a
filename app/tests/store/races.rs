//! Conflicts: a stale version, two connections racing for one row, and a failure injected
//! between the compare-and-set and the audit insert.

use std::sync::Arc;

use app::db::Backend;
use switchyard_engine::{BulkMode, BulkRequest, FireError, FireRequest, Unavailable, Version};
use tokio::sync::Barrier;

use crate::support::{
    admin, audit_count, clerk, fixture, history, ids, order, Meddling, MeddlingStore,
};

crate::on_both_backends!(
    a_stale_version_is_a_conflict_that_changes_nothing,
    two_connections_racing_for_one_row_leave_exactly_one_winner_and_one_audit_row,
    two_pessimistic_fires_racing_for_one_row_leave_exactly_one_winner,
    a_failure_between_update_and_audit_persists_nothing,
    a_failure_between_update_and_audit_of_a_bulk_persists_nothing,
);

async fn a_stale_version_is_a_conflict_that_changes_nothing(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    // A→B→A: the state is `new` again, but the version moved on.
    f.machine
        .fire(&f.store, FireRequest::new(1, "hold", admin()))
        .await
        .expect("hold");
    f.machine
        .fire(&f.store, FireRequest::new(1, "resume", admin()))
        .await
        .expect("resume");
    assert_eq!(order(&f.db, 1).await.state, "new");

    let stale = Version::new(1).expect("a version");
    let error = f
        .machine
        .fire(
            &f.store,
            FireRequest::new(1, "pay", clerk()).expecting_version(stale),
        )
        .await;
    assert!(matches!(error, Err(FireError::Conflict(_))), "{error:?}");
    let row = order(&f.db, 1).await;
    assert_eq!((row.state.as_str(), row.version), ("new", 3));
    assert_eq!(history(&f.db, 1).await.len(), 2, "only hold and resume");
}

/// Both fires read the row before either writes (PostgreSQL), or queue on SQLite's write
/// lock; either way exactly one moves the row.
async fn two_connections_racing_for_one_row_leave_exactly_one_winner_and_one_audit_row(
    backend: Backend,
) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    // On SQLite the second transaction cannot begin before the first commits, so a barrier
    // after loading would wait forever: they simply start together.
    let after_load = match backend {
        Backend::Postgres => Some(Arc::new(Barrier::new(2))),
        Backend::Sqlite => None,
    };
    let store = Arc::new(MeddlingStore {
        inner: f.store.clone(),
        meddling: Meddling {
            after_load,
            ..Meddling::default()
        },
    });
    let machine = Arc::new(f.machine);
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (store, machine) = (Arc::clone(&store), Arc::clone(&machine));
            tokio::spawn(async move {
                machine
                    .fire(&*store, FireRequest::new(1, "pay", clerk()))
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.expect("the racer finishes"));
    }
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    let loser = results
        .into_iter()
        .find_map(Result::err)
        .expect("one loser");
    match backend {
        // Both read version 1; the second compare-and-set matched nothing.
        Backend::Postgres => assert!(matches!(loser, FireError::Conflict(_)), "{loser:?}"),
        // The second read the committed `paid` row.
        Backend::Sqlite => assert!(
            matches!(
                loser,
                FireError::Unavailable {
                    reason: Unavailable::WrongState { .. },
                    ..
                }
            ),
            "{loser:?}"
        ),
    }
    let row = order(&f.db, 1).await;
    assert_eq!((row.state.as_str(), row.version), ("paid", 2));
    let audit = history(&f.db, 1).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].outcome, "completed");
}

async fn two_pessimistic_fires_racing_for_one_row_leave_exactly_one_winner(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    let store = Arc::new(f.store.clone());
    let machine = Arc::new(f.machine);
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let (store, machine) = (Arc::clone(&store), Arc::clone(&machine));
            tokio::spawn(async move {
                machine
                    .fire(&*store, FireRequest::new(1, "pay", clerk()).pessimistic())
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for racer in racers {
        outcomes.push(racer.await.expect("the racer finishes"));
    }
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    // Waiting for the lock, the losers read `paid`: refused, never a storage error.
    assert!(
        outcomes
            .iter()
            .all(|r| !matches!(r, Err(FireError::Store(_)))),
        "{outcomes:?}"
    );
    assert_eq!(order(&f.db, 1).await.version, 2);
    assert_eq!(history(&f.db, 1).await.len(), 1);
}

async fn a_failure_between_update_and_audit_persists_nothing(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    let store = MeddlingStore {
        inner: f.store.clone(),
        meddling: Meddling {
            fail_audit_insert: true,
            ..Meddling::default()
        },
    };
    let error = f
        .machine
        .fire(&store, FireRequest::new(1, "pay", clerk()))
        .await;
    assert!(matches!(error, Err(FireError::Store(_))), "{error:?}");
    let row = order(&f.db, 1).await;
    assert_eq!(
        (row.state.as_str(), row.version, row.payment_recorded),
        ("new", 1, false)
    );
    assert_eq!(audit_count(&f.db).await, 0);
    // The connection went back to the pool clean: the next fire works.
    f.machine
        .fire(&f.store, FireRequest::new(1, "pay", clerk()))
        .await
        .expect("pay");
}

async fn a_failure_between_update_and_audit_of_a_bulk_persists_nothing(backend: Backend) {
    let Some(f) = fixture(backend, 50).await else {
        return;
    };
    let store = MeddlingStore {
        inner: f.store.clone(),
        meddling: Meddling {
            fail_audit_insert: true,
            ..Meddling::default()
        },
    };
    let request = BulkRequest::new(ids(1..=50), "pay", clerk(), BulkMode::BestEffort);
    let error = f.machine.fire_bulk(&store, request).await;
    assert!(matches!(error, Err(FireError::Store(_))), "{error:?}");
    assert_eq!(crate::support::count_in_state(&f.db, "new").await, 50);
    assert_eq!(audit_count(&f.db).await, 0);
}

/// A compare-and-set that PostgreSQL itself refuses (here a lock timeout while another
/// connection holds the row; a deadlock or serialization failure answers the same way) is a
/// lost race: the engine's `Conflict`, nothing stored, never a storage error.
#[tokio::test]
async fn a_compare_and_set_refused_by_postgresql_is_a_conflict_not_a_storage_error() {
    let Some(f) = fixture(Backend::Postgres, 1).await else {
        return;
    };
    let impatient = app::db::Db::connect(&format!("{}?options=-c%20lock_timeout%3D200", f.url()))
        .await
        .expect("connect with a lock timeout");
    let store = app::orders::OrdersStore::new(
        impatient.clone(),
        app::orders::orders_table().expect("orders table"),
    );
    let app::db::Db::Postgres(pool) = &f.db else {
        panic!("a PostgreSQL fixture");
    };
    let mut holder = pool.begin().await.expect("begin");
    sqlx::query("SELECT id FROM orders WHERE id = 1 FOR UPDATE")
        .execute(&mut *holder)
        .await
        .expect("lock the row");
    let error = f
        .machine
        .fire(&store, FireRequest::new(1, "pay", clerk()))
        .await;
    holder.rollback().await.expect("release the row");
    assert!(matches!(error, Err(FireError::Conflict(_))), "{error:?}");
    let row = order(&f.db, 1).await;
    assert_eq!((row.state.as_str(), row.version), ("new", 1));
    assert_eq!(audit_count(&f.db).await, 0);
    impatient.close().await;
}
