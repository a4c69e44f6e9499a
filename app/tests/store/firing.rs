//! Single fires: rows and audit rows as stored, form arguments, `on_error`, computed targets.

use app::db::Backend;
use app::with_pool;
use serde_json::json;
use switchyard_engine::{FireError, FireRequest, Outcome};

use crate::support::{admin, clerk, fixture, history, order};

crate::on_both_backends!(
    paying_a_new_order_stores_paid_at_the_next_version_with_one_completed_audit_row,
    shipping_stores_the_tracking_number_and_logs_the_form_arguments,
    a_failed_fraud_check_stores_failed_with_a_failed_audit_row_and_still_returns_the_error,
    a_passed_fraud_check_stores_approved,
    resuming_returns_to_paid_or_new_as_the_payment_decides,
    paying_twice_is_refused_and_writes_nothing_more,
    a_pessimistic_fire_locks_and_stores_like_an_optimistic_one,
    a_transition_without_a_handler_stores_state_version_and_time_and_keeps_the_columns,
);

async fn paying_a_new_order_stores_paid_at_the_next_version_with_one_completed_audit_row(
    backend: Backend,
) {
    let Some(f) = fixture(backend, 3).await else {
        return;
    };
    let fired = f
        .machine
        .fire(
            &f.store,
            FireRequest::new(2, "pay", clerk()).description("cash"),
        )
        .await
        .expect("pay");
    assert!(matches!(&fired.outcome, Outcome::Moved { to, .. } if to == "paid"));
    assert_eq!(fired.row.version().get(), 2);

    let row = order(&f.db, 2).await;
    assert_eq!(
        (row.state.as_str(), row.version, row.payment_recorded),
        ("paid", 2, true)
    );
    assert_eq!(
        order(&f.db, 1).await.state,
        "new",
        "other rows are untouched"
    );
    let audit = history(&f.db, 2).await;
    assert_eq!(audit.len(), 1);
    let entry = &audit[0];
    assert_eq!(
        (
            entry.resource.as_str(),
            entry.object_id.as_str(),
            entry.transition.as_str()
        ),
        ("orders", "2", "pay")
    );
    assert_eq!(
        (entry.source.as_str(), entry.target.as_deref()),
        ("new", Some("paid"))
    );
    assert_eq!(
        (entry.outcome.as_str(), entry.error.as_deref()),
        ("completed", None)
    );
    assert_eq!(entry.actor_username, "clerk");
    assert_eq!(entry.description.as_deref(), Some("cash"));
    assert_eq!(entry.arguments, json!(null));
}

async fn shipping_stores_the_tracking_number_and_logs_the_form_arguments(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    f.machine
        .fire(&f.store, FireRequest::new(1, "pay", clerk()))
        .await
        .expect("pay");
    let arguments = json!({"tracking_number": "1Z999", "carrier": "ups", "note": "fragile"});
    f.machine
        .fire(
            &f.store,
            FireRequest::new(1, "ship", clerk()).arguments(arguments.clone()),
        )
        .await
        .expect("ship");

    let row = order(&f.db, 1).await;
    assert_eq!((row.state.as_str(), row.version), ("shipped", 3));
    assert_eq!(row.tracking_number, "1Z999");
    assert!(row.payment_recorded, "pay's change survives ship's write");
    let audit = history(&f.db, 1).await;
    let transitions: Vec<_> = audit.iter().map(|a| a.transition.as_str()).collect();
    assert_eq!(transitions, ["ship", "pay"], "newest first");
    assert_eq!(audit[0].arguments, arguments);
    assert_eq!(
        audit[0].description.as_deref(),
        Some("fragile"),
        "the form's description field"
    );
}

async fn a_failed_fraud_check_stores_failed_with_a_failed_audit_row_and_still_returns_the_error(
    backend: Backend,
) {
    // Seed row 27 (id 28) costs (27*37 % 1500 + 1) = 1000 units + 0.27: above 1000.
    let Some(f) = fixture(backend, 30).await else {
        return;
    };
    assert!(order(&f.db, 28).await.amount_cents > 100_000);
    let error = f
        .machine
        .fire(&f.store, FireRequest::new(28, "fail_check", admin()))
        .await
        .expect_err("the check fails");
    match error {
        FireError::HandlerFailed {
            error_state, error, ..
        } => {
            assert_eq!(error_state.as_ref().map(|s| s.as_str()), Some("failed"));
            assert_eq!(error.message(), "Amount above 1000 needs a manual review.");
        }
        other => panic!("expected HandlerFailed, got {other:?}"),
    }
    let row = order(&f.db, 28).await;
    assert_eq!((row.state.as_str(), row.version), ("failed", 2));
    let audit = history(&f.db, 28).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].source.as_str(), audit[0].target.as_deref()),
        ("new", Some("failed"))
    );
    assert_eq!(audit[0].outcome, "failed");
    assert_eq!(
        audit[0].error.as_deref(),
        Some("Amount above 1000 needs a manual review.")
    );
}

async fn a_passed_fraud_check_stores_approved(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    f.machine
        .fire(&f.store, FireRequest::new(1, "fail_check", admin()))
        .await
        .expect("passes");
    assert_eq!(order(&f.db, 1).await.state, "approved");
    assert_eq!(history(&f.db, 1).await[0].outcome, "completed");
}

async fn resuming_returns_to_paid_or_new_as_the_payment_decides(backend: Backend) {
    let Some(f) = fixture(backend, 2).await else {
        return;
    };
    let fire = |id: i64, name: &'static str| {
        f.machine
            .fire(&f.store, FireRequest::new(id, name, admin()))
    };
    fire(1, "pay").await.expect("pay 1");
    fire(1, "hold").await.expect("hold 1");
    fire(2, "hold").await.expect("hold 2");
    assert_eq!(order(&f.db, 1).await.state, "on_hold");
    fire(1, "resume").await.expect("resume 1");
    fire(2, "resume").await.expect("resume 2");

    assert_eq!(
        order(&f.db, 1).await.state,
        "paid",
        "a payment was recorded"
    );
    assert_eq!(
        order(&f.db, 2).await.state,
        "new",
        "no payment was recorded"
    );
    let resumed = &history(&f.db, 1).await[0];
    assert_eq!(
        (resumed.source.as_str(), resumed.target.as_deref()),
        ("on_hold", Some("paid"))
    );
    assert_eq!(order(&f.db, 1).await.version, 4);
}

async fn paying_twice_is_refused_and_writes_nothing_more(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    f.machine
        .fire(&f.store, FireRequest::new(1, "pay", clerk()))
        .await
        .expect("pay");
    let error = f
        .machine
        .fire(&f.store, FireRequest::new(1, "pay", clerk()))
        .await;
    assert!(
        matches!(error, Err(FireError::Unavailable { .. })),
        "{error:?}"
    );
    assert_eq!(order(&f.db, 1).await.version, 2);
    assert_eq!(history(&f.db, 1).await.len(), 1);
}

async fn a_pessimistic_fire_locks_and_stores_like_an_optimistic_one(backend: Backend) {
    let Some(f) = fixture(backend, 1).await else {
        return;
    };
    f.machine
        .fire(&f.store, FireRequest::new(1, "pay", clerk()).pessimistic())
        .await
        .expect("pay");
    assert_eq!(order(&f.db, 1).await.state, "paid");
    assert_eq!(history(&f.db, 1).await.len(), 1);
}

/// `cancel` has no handler, so the store writes only the state, the version and the time
/// (SQLite binds nothing else); the model's columns stay as they were.
async fn a_transition_without_a_handler_stores_state_version_and_time_and_keeps_the_columns(
    backend: Backend,
) {
    let Some(f) = fixture(backend, 2).await else {
        return;
    };
    let updated_at = |db: &app::db::Db| {
        let db = db.clone();
        async move {
            let stamp: String = with_pool!(&db, pool => {
                sqlx::query_scalar("SELECT CAST(updated_at AS TEXT) FROM orders WHERE id = 2")
                    .fetch_one(pool)
                    .await
                    .expect("updated_at")
            });
            stamp
        }
    };
    let before = order(&f.db, 2).await;
    let stamped = updated_at(&f.db).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    f.machine
        .fire(&f.store, FireRequest::new(2, "cancel", admin()))
        .await
        .expect("cancel");
    let after = order(&f.db, 2).await;
    assert_eq!((after.state.as_str(), after.version), ("cancelled", 2));
    assert_eq!(
        (
            after.tracking_number,
            after.payment_recorded,
            after.amount_cents
        ),
        (
            before.tracking_number,
            before.payment_recorded,
            before.amount_cents
        )
    );
    assert_ne!(updated_at(&f.db).await, stamped, "the write is stamped");
    assert_eq!(history(&f.db, 2).await.len(), 1);
}
