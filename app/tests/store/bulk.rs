//! Bulk fires over many rows: all-or-nothing and best-effort, with per-row outcomes.

use app::db::Backend;
use switchyard_engine::{BulkMode, BulkRequest, BulkRowOutcome, FireError, FireRequest, ObjectId};

use crate::support::{admin, audit_count, clerk, count_in_state, fixture, history, ids, order};

crate::on_both_backends!(
    an_all_or_nothing_bulk_moves_every_row_with_one_audit_row_each,
    an_all_or_nothing_bulk_with_one_refused_row_changes_nothing,
    a_best_effort_bulk_moves_what_it_can_and_says_why_for_the_rest,
    a_best_effort_fraud_check_stores_failed_states_beside_approved_ones,
);

async fn an_all_or_nothing_bulk_moves_every_row_with_one_audit_row_each(backend: Backend) {
    let Some(f) = fixture(backend, 1_200).await else {
        return;
    };
    let request = BulkRequest::new(ids(101..=1_100), "pay", clerk(), BulkMode::AllOrNothing);
    let report = f.machine.fire_bulk(&f.store, request).await.expect("bulk");
    assert_eq!((report.applied(), report.failed()), (1_000, 0));

    assert_eq!(count_in_state(&f.db, "paid").await, 1_000);
    assert_eq!(order(&f.db, 100).await.state, "new");
    assert_eq!(order(&f.db, 1_101).await.state, "new");
    let row = order(&f.db, 700).await;
    assert_eq!((row.version, row.payment_recorded), (2, true));
    assert_eq!(audit_count(&f.db).await, 1_000);
    let audit = history(&f.db, 1_100).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].transition.as_str(), audit[0].outcome.as_str()),
        ("pay", "completed")
    );
}

async fn an_all_or_nothing_bulk_with_one_refused_row_changes_nothing(backend: Backend) {
    let Some(f) = fixture(backend, 300).await else {
        return;
    };
    f.machine
        .fire(&f.store, FireRequest::new(150, "cancel", clerk()))
        .await
        .expect("cancel");
    let request = BulkRequest::new(ids(1..=300), "pay", clerk(), BulkMode::AllOrNothing);
    let report = f.machine.fire_bulk(&f.store, request).await.expect("bulk");

    assert_eq!((report.applied(), report.failed()), (0, 1));
    for (id, outcome) in &report.rows {
        match (id, outcome) {
            (ObjectId::Int(150), BulkRowOutcome::Failed(FireError::Unavailable { .. })) => {}
            (_, BulkRowOutcome::NotApplied) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(count_in_state(&f.db, "new").await, 299);
    assert_eq!(audit_count(&f.db).await, 1, "only the cancel");
}

async fn a_best_effort_bulk_moves_what_it_can_and_says_why_for_the_rest(backend: Backend) {
    let Some(f) = fixture(backend, 500).await else {
        return;
    };
    for id in [10, 20, 30] {
        f.machine
            .fire(&f.store, FireRequest::new(id, "pay", clerk()))
            .await
            .expect("pay");
    }
    let mut wanted = ids(1..=500);
    wanted.push(ObjectId::Int(9_999));
    let request = BulkRequest::new(wanted, "pay", clerk(), BulkMode::BestEffort);
    let report = f.machine.fire_bulk(&f.store, request).await.expect("bulk");

    assert_eq!((report.applied(), report.failed()), (497, 4));
    for (id, outcome) in &report.rows {
        match (id, outcome) {
            (
                ObjectId::Int(10 | 20 | 30),
                BulkRowOutcome::Failed(FireError::Unavailable { .. }),
            ) => {}
            (ObjectId::Int(9_999), BulkRowOutcome::Failed(FireError::NotFound(_))) => {}
            (_, BulkRowOutcome::Applied(fired)) => assert_eq!(fired.row.version().get(), 2),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(count_in_state(&f.db, "paid").await, 500);
    assert_eq!(
        order(&f.db, 10).await.version,
        2,
        "already paid rows are not written again"
    );
    assert_eq!(
        audit_count(&f.db).await,
        500,
        "3 single fires and 497 bulk rows"
    );
}

async fn a_best_effort_fraud_check_stores_failed_states_beside_approved_ones(backend: Backend) {
    // Two full insert chunks and a short one, each mixing completed and failed audit rows.
    const ROWS: i64 = 130;
    let Some(f) = fixture(backend, ROWS).await else {
        return;
    };
    let request = BulkRequest::new(ids(1..=ROWS), "fail_check", admin(), BulkMode::BestEffort);
    let report = f.machine.fire_bulk(&f.store, request).await.expect("bulk");

    let above: Vec<i64> = (1..=ROWS)
        .filter(|id| app::orders::Order::seeded(id - 1).amount_cents > 100_000)
        .collect();
    assert!(!above.is_empty());
    assert_eq!(report.failed(), above.len());
    assert_eq!(count_in_state(&f.db, "failed").await, above.len() as i64);
    assert_eq!(
        count_in_state(&f.db, "approved").await,
        ROWS - above.len() as i64
    );
    for id in 1..=ROWS {
        let audit = history(&f.db, id).await;
        assert_eq!(audit.len(), 1, "order {id}");
        let entry = &audit[0];
        let failed = above.contains(&id);
        assert_eq!(
            (
                entry.object_id.as_str(),
                entry.transition.as_str(),
                entry.source.as_str(),
                entry.actor_username.as_str(),
            ),
            (id.to_string().as_str(), "fail_check", "new", "admin"),
        );
        assert_eq!(
            (
                entry.outcome.as_str(),
                entry.target.as_deref(),
                entry.error.is_some()
            ),
            match failed {
                true => ("failed", Some("failed"), true),
                false => ("completed", Some("approved"), false),
            },
            "order {id}"
        );
    }
    assert_eq!(
        audit_count(&f.db).await,
        ROWS,
        "one row per attempt, failed ones included"
    );
}
