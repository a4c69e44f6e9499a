//! Bulk fires: all-or-nothing and best-effort, batched calls, same checks and audit rows as single fires.

use futures_executor::block_on;
use switchyard_engine::memory::MemoryStore;
use switchyard_engine::{
    AuditOutcome, BulkMode, BulkRequest, BulkRowOutcome, FireError, FireRequest, ObjectId,
    Unavailable,
};

use crate::meddling::Meddling;
use crate::support::{admin, clerk, id, orders_machine, seeded, Order};

fn ids(range: std::ops::RangeInclusive<i64>) -> Vec<ObjectId> {
    range.map(ObjectId::Int).collect()
}

fn states(
    store: &MemoryStore<Order>,
    machine: &switchyard_engine::Machine<Order>,
    n: i64,
) -> Vec<String> {
    (1..=n)
        .map(|i| {
            store
                .get(machine, &id(i))
                .expect("exists")
                .state()
                .to_string()
        })
        .collect()
}

#[test]
fn bulk_pay_over_many_rows_uses_one_load_one_compare_and_set_and_one_audit_insert() {
    let machine = orders_machine();
    let store = seeded(&machine, 500);
    let request = BulkRequest::new(ids(1..=500), "pay", clerk(), BulkMode::AllOrNothing);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk");
    assert_eq!(report.applied(), 500);
    let calls = store.call_counts();
    assert_eq!(
        (
            calls.begins,
            calls.loads,
            calls.compare_and_sets,
            calls.audit_inserts,
            calls.commits
        ),
        (1, 1, 1, 1, 1)
    );
    assert!(states(&store, &machine, 500).iter().all(|s| s == "paid"));
    for i in 1..=500 {
        let history = store.history(&id(i));
        assert_eq!(history.len(), 1, "exactly one audit row for order {i}");
        assert_eq!(history[0].entry.outcome, AuditOutcome::Completed);
        assert_eq!(
            store.get(&machine, &id(i)).expect("exists").version().get(),
            2
        );
    }
}

#[test]
fn all_or_nothing_refuses_every_row_when_one_is_in_the_wrong_state() {
    let machine = orders_machine();
    let store = seeded(&machine, 3);
    block_on(machine.fire(&store, FireRequest::new(2, "pay", clerk()))).expect("pay 2");
    let request = BulkRequest::new(ids(1..=3), "pay", clerk(), BulkMode::AllOrNothing);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!(report.applied(), 0);
    assert!(matches!(report.rows[0].1, BulkRowOutcome::NotApplied));
    assert!(matches!(
        &report.rows[1].1,
        BulkRowOutcome::Failed(FireError::Unavailable {
            reason: Unavailable::WrongState { .. },
            ..
        })
    ));
    assert!(matches!(report.rows[2].1, BulkRowOutcome::NotApplied));
    assert_eq!(states(&store, &machine, 3), ["new", "paid", "new"]);
    assert_eq!(store.audit_log().len(), 1, "only the earlier single pay");
}

#[test]
fn best_effort_applies_the_rows_that_can_move_and_reports_the_others() {
    let machine = orders_machine();
    let store = seeded(&machine, 4);
    block_on(machine.fire(&store, FireRequest::new(2, "pay", clerk()))).expect("pay 2");
    let mut request = BulkRequest::new(ids(1..=4), "pay", clerk(), BulkMode::BestEffort);
    request.target.ids.push(id(99));
    request.target.ids.push(id(1));
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!(
        report.rows.len(),
        5,
        "duplicates are ignored, missing ids reported"
    );
    assert_eq!((report.applied(), report.failed()), (3, 2));
    assert!(matches!(
        &report.rows[4].1,
        BulkRowOutcome::Failed(FireError::NotFound(_))
    ));
    assert_eq!(
        states(&store, &machine, 4),
        ["paid", "paid", "paid", "paid"]
    );
    assert_eq!(store.audit_log().len(), 4);
}

#[test]
fn bulk_fires_apply_the_same_permission_and_visibility_checks() {
    let machine = orders_machine();
    let store = seeded(&machine, 2);
    let request =
        BulkRequest::new(ids(1..=2), "hold", admin(), BulkMode::BestEffort).from_console();
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!(report.failed(), 2);
    assert!(matches!(
        &report.rows[0].1,
        BulkRowOutcome::Failed(FireError::Unavailable {
            reason: Unavailable::Hidden,
            ..
        })
    ));
    let request = BulkRequest::new(ids(1..=2), "hold", clerk(), BulkMode::BestEffort);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert!(matches!(
        &report.rows[1].1,
        BulkRowOutcome::Failed(FireError::Unavailable {
            reason: Unavailable::Forbidden,
            ..
        })
    ));
    assert_eq!(states(&store, &machine, 2), ["new", "new"]);
    assert!(store.audit_log().is_empty());
}

#[test]
fn a_bulk_fraud_check_in_best_effort_persists_error_states_for_failing_rows_only() {
    let machine = orders_machine();
    let store = MemoryStore::new();
    store.insert(&machine, 1, Order::new("small", 10_000));
    store.insert(&machine, 2, Order::new("large", 200_000));
    let request = BulkRequest::new(ids(1..=2), "fail_check", admin(), BulkMode::BestEffort);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!((report.applied(), report.failed()), (1, 1));
    assert_eq!(states(&store, &machine, 2), ["approved", "failed"]);
    let log = store.audit_log();
    assert_eq!(log.len(), 2);
    assert!(matches!(log[1].entry.outcome, AuditOutcome::Failed { .. }));
}

#[test]
fn a_bulk_fraud_check_in_all_or_nothing_moves_no_passing_row_but_keeps_the_error_state() {
    let machine = orders_machine();
    let store = MemoryStore::new();
    store.insert(&machine, 1, Order::new("small", 10_000));
    store.insert(&machine, 2, Order::new("large", 200_000));
    let request = BulkRequest::new(ids(1..=2), "fail_check", admin(), BulkMode::AllOrNothing);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert!(matches!(report.rows[0].1, BulkRowOutcome::NotApplied));
    assert!(matches!(
        &report.rows[1].1,
        BulkRowOutcome::Failed(FireError::HandlerFailed {
            error_state: Some(_),
            ..
        })
    ));
    assert_eq!(states(&store, &machine, 2), ["new", "failed"]);
    assert_eq!(
        store.audit_log().len(),
        1,
        "only the failed attempt is logged"
    );
}

#[test]
fn a_store_failure_during_a_bulk_fire_persists_nothing() {
    let machine = orders_machine();
    let store = seeded(&machine, 10);
    store.fail_once_at(switchyard_engine::memory::FailPoint::InsertAudit);
    let request = BulkRequest::new(ids(1..=10), "pay", clerk(), BulkMode::BestEffort);
    let error = block_on(machine.fire_bulk(&store, request)).expect_err("injected");
    assert!(matches!(error, FireError::Store(_)));
    assert!(states(&store, &machine, 10).iter().all(|s| s == "new"));
    assert!(store.audit_log().is_empty());
}

#[test]
fn two_racing_transactions_on_one_row_leave_exactly_one_winner_and_one_audit_row() {
    use switchyard_engine::{LockMode, Store, StoreTransaction};
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    // The loser read the row before the winner committed.
    let mut loser = block_on(store.begin(LockMode::Optimistic)).expect("begin");
    let stale = block_on(loser.load(&[id(1)], LockMode::Optimistic)).expect("load");
    assert_eq!(stale.len(), 1);
    block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk()))).expect("winner");
    drop(loser);
    // Replaying the stale read through the engine is a conflict.
    let request = FireRequest::new(1, "cancel", clerk()).expecting_version(stale[0].version);
    let error = block_on(machine.fire(&store, request)).expect_err("stale");
    assert!(matches!(error, FireError::Conflict(_)));
    let row = store.get(&machine, &id(1)).expect("exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("paid", 2));
    assert_eq!(store.history(&id(1)).len(), 1);
}

#[test]
fn concurrent_threads_paying_the_same_rows_pay_each_exactly_once() {
    let machine = std::sync::Arc::new(orders_machine());
    let store = seeded(&machine, 50);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (machine, store) = (machine.clone(), store.clone());
            std::thread::spawn(move || {
                (1..=50)
                    .filter(|i| {
                        block_on(machine.fire(&store, FireRequest::new(*i, "pay", clerk()))).is_ok()
                    })
                    .count()
            })
        })
        .collect();
    let wins: usize = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    assert_eq!(wins, 50);
    assert_eq!(store.audit_log().len(), 50);
    assert!(states(&store, &machine, 50).iter().all(|s| s == "paid"));
}

#[test]
fn a_row_changed_between_read_and_write_is_a_conflict_and_changes_nothing_of_this_fire() {
    let machine = std::sync::Arc::new(orders_machine());
    let inner = seeded(&machine, 1);
    let store = Meddling {
        inner: inner.clone(),
        machine: machine.clone(),
        victim: 1,
        steps: &["hold"],
    };
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk()))).expect_err("conflict");
    assert!(
        matches!(&error, FireError::Conflict(conflicted) if *conflicted == id(1)),
        "{error:?}"
    );
    let row = inner.get(&machine, &id(1)).expect("exists");
    assert_eq!(
        (row.state().as_str(), row.version().get()),
        ("on_hold", 2),
        "only the meddler's write"
    );
    let history = inner.history(&id(1));
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].entry.transition.as_str(), "hold");
}

#[test]
fn a_best_effort_bulk_reports_the_conflicting_row_and_applies_the_others() {
    let machine = std::sync::Arc::new(orders_machine());
    let inner = seeded(&machine, 3);
    let store = Meddling {
        inner: inner.clone(),
        machine: machine.clone(),
        victim: 2,
        steps: &["hold"],
    };
    let request = BulkRequest::new(ids(1..=3), "pay", clerk(), BulkMode::BestEffort);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!((report.applied(), report.failed()), (2, 1));
    assert!(matches!(
        &report.rows[1].1,
        BulkRowOutcome::Failed(FireError::Conflict(_))
    ));
    assert_eq!(states(&inner, &machine, 3), ["paid", "on_hold", "paid"]);
    assert_eq!(
        inner.audit_log().len(),
        3,
        "two pays and the meddler's hold"
    );
}

#[test]
fn an_all_or_nothing_bulk_with_one_conflicting_row_moves_nothing() {
    let machine = std::sync::Arc::new(orders_machine());
    let inner = seeded(&machine, 3);
    let store = Meddling {
        inner: inner.clone(),
        machine: machine.clone(),
        victim: 3,
        steps: &["hold"],
    };
    let request = BulkRequest::new(ids(1..=3), "pay", clerk(), BulkMode::AllOrNothing);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!(report.applied(), 0);
    assert!(matches!(report.rows[0].1, BulkRowOutcome::NotApplied));
    assert!(matches!(
        &report.rows[2].1,
        BulkRowOutcome::Failed(FireError::Conflict(_))
    ));
    assert_eq!(states(&inner, &machine, 3), ["new", "new", "on_hold"]);
    assert_eq!(inner.audit_log().len(), 1, "only the meddler's hold");
}

#[test]
fn bulk_ship_passes_the_same_typed_arguments_and_description_to_every_row() {
    let machine = orders_machine();
    let store = seeded(&machine, 2);
    let pay = BulkRequest::new(ids(1..=2), "pay", clerk(), BulkMode::AllOrNothing);
    block_on(machine.fire_bulk(&store, pay)).expect("pay");
    let arguments =
        serde_json::json!({"tracking_number": "BULK1", "carrier": "ups", "note": "batch"});
    let ship =
        BulkRequest::new(ids(1..=2), "ship", clerk(), BulkMode::AllOrNothing).arguments(arguments);
    let report = block_on(machine.fire_bulk(&store, ship)).expect("ship");
    assert_eq!(report.applied(), 2);
    for i in 1..=2 {
        let row = store.get(&machine, &id(i)).expect("exists");
        assert_eq!(
            (row.state().as_str(), row.object().tracking_number.as_str()),
            ("shipped", "BULK1")
        );
        assert_eq!(
            store.history(&id(i))[0].entry.description.as_deref(),
            Some("batch")
        );
    }
}

#[test]
fn a_row_that_went_a_to_b_to_a_between_read_and_write_is_caught_by_its_version() {
    let machine = std::sync::Arc::new(orders_machine());
    let inner = seeded(&machine, 1);
    let store = Meddling {
        inner: inner.clone(),
        machine: machine.clone(),
        victim: 1,
        steps: &["hold", "resume"],
    };
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk()))).expect_err("conflict");
    assert!(matches!(error, FireError::Conflict(_)), "{error:?}");
    let row = inner.get(&machine, &id(1)).expect("exists");
    assert_eq!(
        (row.state().as_str(), row.version().get()),
        ("new", 3),
        "back to new, two versions later"
    );
    assert_eq!(
        inner.history(&id(1)).len(),
        2,
        "only the meddler's hold and resume"
    );
}
