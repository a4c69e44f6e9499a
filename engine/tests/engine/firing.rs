//! Single fires on the memory store: state, version and audit rows after every kind of attempt.

use crate::support::{admin, clerk, id, orders_machine, seeded, viewer, Order};
use futures_executor::block_on;
use serde_json::json;
use switchyard_engine::memory::{FailPoint, MemoryStore};
use switchyard_engine::{
    Actor, AuditOutcome, FireError, FireRequest, Machine, Outcome, Unavailable, Version,
};

/// Fires a list of (transition, actor) steps on order 1, expecting each to succeed.
fn walk(machine: &Machine<Order>, store: &MemoryStore<Order>, steps: &[(&str, Actor)]) {
    for (transition, actor) in steps {
        let request =
            FireRequest::new(1, transition, actor.clone()).arguments(arguments(transition));
        if let Err(error) = block_on(machine.fire(store, request)) {
            panic!("setup step {transition} failed: {error}");
        }
    }
}

fn arguments(transition: &str) -> serde_json::Value {
    if transition == "ship" {
        json!({"tracking_number": "TRK123", "carrier": "dhl", "note": "fragile"})
    } else {
        serde_json::Value::Null
    }
}

#[derive(Debug)]
enum Expect {
    Moved(&'static str),
    Refused(fn(&FireError) -> bool),
}

struct Case {
    name: &'static str,
    setup: Vec<(&'static str, Actor)>,
    actor: Actor,
    transition: &'static str,
    expect: Expect,
    /// (state, version, audit rows) of order 1 afterwards.
    after: (&'static str, i64, usize),
}

#[test]
fn every_single_fire_case_leaves_the_expected_state_version_and_audit_rows() {
    let cases = vec![
        Case {
            name: "paying a new order moves it to paid",
            setup: vec![],
            actor: clerk(),
            transition: "pay",
            expect: Expect::Moved("paid"),
            after: ("paid", 2, 1),
        },
        Case {
            name: "paying a paid order is refused and changes nothing",
            setup: vec![("pay", clerk())],
            actor: clerk(),
            transition: "pay",
            expect: Expect::Refused(|e| {
                matches!(
                    e,
                    FireError::Unavailable {
                        reason: Unavailable::WrongState { .. },
                        ..
                    }
                )
            }),
            after: ("paid", 2, 1),
        },
        Case {
            name: "a viewer paying is forbidden and changes nothing",
            setup: vec![],
            actor: viewer(),
            transition: "pay",
            expect: Expect::Refused(|e| {
                matches!(
                    e,
                    FireError::Unavailable {
                        reason: Unavailable::Forbidden,
                        ..
                    }
                )
            }),
            after: ("new", 1, 0),
        },
        Case {
            name: "cancelling from paid resolves the paid source",
            setup: vec![("pay", clerk())],
            actor: clerk(),
            transition: "cancel",
            expect: Expect::Moved("cancelled"),
            after: ("cancelled", 3, 2),
        },
        Case {
            name: "holding an on-hold order is a self transition",
            setup: vec![("hold", admin())],
            actor: admin(),
            transition: "hold",
            expect: Expect::Moved("on_hold"),
            after: ("on_hold", 3, 2),
        },
        Case {
            name: "resuming an unpaid order returns it to new",
            setup: vec![("hold", admin())],
            actor: clerk(),
            transition: "resume",
            expect: Expect::Moved("new"),
            after: ("new", 3, 2),
        },
        Case {
            name: "resuming a paid order returns it to paid",
            setup: vec![("pay", clerk()), ("hold", admin())],
            actor: clerk(),
            transition: "resume",
            expect: Expect::Moved("paid"),
            after: ("paid", 4, 3),
        },
        Case {
            name: "reopening needs the reopen permission",
            setup: vec![("pay", clerk())],
            actor: clerk(),
            transition: "reopen",
            expect: Expect::Refused(|e| {
                matches!(
                    e,
                    FireError::Unavailable {
                        reason: Unavailable::Forbidden,
                        ..
                    }
                )
            }),
            after: ("paid", 2, 1),
        },
        Case {
            name: "reopening a paid order as admin moves it back to new",
            setup: vec![("pay", clerk())],
            actor: admin(),
            transition: "reopen",
            expect: Expect::Moved("new"),
            after: ("new", 3, 2),
        },
        Case {
            name: "reopening a new order is refused because plus excludes the target",
            setup: vec![],
            actor: admin(),
            transition: "reopen",
            expect: Expect::Refused(|e| {
                matches!(
                    e,
                    FireError::Unavailable {
                        reason: Unavailable::WrongState { .. },
                        ..
                    }
                )
            }),
            after: ("new", 1, 0),
        },
        Case {
            name: "nothing leaves a final state, not even a star transition",
            setup: vec![("cancel", clerk())],
            actor: admin(),
            transition: "hold",
            expect: Expect::Refused(|e| {
                matches!(
                    e,
                    FireError::Unavailable {
                        reason: Unavailable::WrongState { .. },
                        ..
                    }
                )
            }),
            after: ("cancelled", 2, 1),
        },
        Case {
            name: "an unknown transition is refused by name",
            setup: vec![],
            actor: admin(),
            transition: "teleport",
            expect: Expect::Refused(
                |e| matches!(e, FireError::UnknownTransition(name) if name == "teleport"),
            ),
            after: ("new", 1, 0),
        },
        Case {
            name: "shipping with its form arguments stores the tracking number",
            setup: vec![("pay", clerk())],
            actor: clerk(),
            transition: "ship",
            expect: Expect::Moved("shipped"),
            after: ("shipped", 3, 2),
        },
    ];
    for case in cases {
        let machine = orders_machine();
        let store = seeded(&machine, 1);
        walk(&machine, &store, &case.setup);
        let request = FireRequest::new(1, case.transition, case.actor.clone())
            .arguments(arguments(case.transition));
        let result = block_on(machine.fire(&store, request));
        match (&case.expect, &result) {
            (Expect::Moved(to), Ok(fired)) => {
                assert!(
                    matches!(&fired.outcome, Outcome::Moved { to: actual, .. } if actual == to),
                    "{}: outcome {:?}",
                    case.name,
                    fired.outcome
                );
                assert_eq!(
                    fired.audit.outcome,
                    AuditOutcome::Completed,
                    "{}",
                    case.name
                );
            }
            (Expect::Refused(check), Err(error)) => {
                assert!(check(error), "{}: unexpected error {error:?}", case.name)
            }
            (expect, result) => panic!("{}: expected {expect:?}, got {result:?}", case.name),
        }
        let row = store.get(&machine, &id(1)).expect("order 1 exists");
        let (state, version, audit_rows) = case.after;
        assert_eq!(row.state().as_str(), state, "{}: state", case.name);
        assert_eq!(row.version().get(), version, "{}: version", case.name);
        assert_eq!(
            store.history(&id(1)).len(),
            audit_rows,
            "{}: audit rows",
            case.name
        );
    }
}

#[test]
fn shipping_passes_typed_arguments_to_the_handler_and_the_audit_row() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    walk(&machine, &store, &[("pay", clerk()), ("ship", clerk())]);
    let row = store.get(&machine, &id(1)).expect("order 1 exists");
    assert_eq!(row.object().tracking_number, "TRK123");
    assert_eq!(row.object().carrier.as_deref(), Some("dhl"));
    let newest = &store.history(&id(1))[0].entry;
    assert_eq!(newest.transition.as_str(), "ship");
    assert_eq!(newest.source.as_str(), "paid");
    assert_eq!(newest.target.as_ref().map(|s| s.as_str()), Some("shipped"));
    assert_eq!(newest.actor_username, "clerk");
    assert_eq!(newest.arguments["carrier"], "dhl");
    assert_eq!(
        newest.description.as_deref(),
        Some("fragile"),
        "the form's description field"
    );
}

#[test]
fn arguments_of_the_wrong_shape_are_refused_before_the_handler_and_change_nothing() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    walk(&machine, &store, &[("pay", clerk())]);
    let request = FireRequest::new(1, "ship", clerk()).arguments(json!({"carrier": 7}));
    let error = block_on(machine.fire(&store, request)).expect_err("bad arguments");
    assert!(
        matches!(error, FireError::InvalidArguments { .. }),
        "{error:?}"
    );
    let row = store.get(&machine, &id(1)).expect("order 1 exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("paid", 2));
    assert_eq!(store.history(&id(1)).len(), 1);
}

#[test]
fn a_failing_fraud_check_persists_failed_with_a_failed_audit_row_and_returns_the_error() {
    let machine = orders_machine();
    let store = MemoryStore::new();
    store.insert(&machine, 1, Order::new("Big spender", 150_000));
    let error = block_on(machine.fire(&store, FireRequest::new(1, "fail_check", admin())))
        .expect_err("amount above 1000 fails");
    match &error {
        FireError::HandlerFailed {
            error, error_state, ..
        } => {
            assert_eq!(error.message(), "Amount above 1000 needs a manual review.");
            assert_eq!(error_state.as_ref().map(|s| s.as_str()), Some("failed"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let row = store.get(&machine, &id(1)).expect("order 1 exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("failed", 2));
    let history = store.history(&id(1));
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0].entry.target.as_ref().map(|s| s.as_str()),
        Some("failed")
    );
    assert_eq!(
        history[0].entry.outcome,
        AuditOutcome::Failed {
            error: "Amount above 1000 needs a manual review.".to_owned()
        }
    );
}

#[test]
fn a_passing_fraud_check_approves_the_order() {
    let machine = orders_machine();
    let store = MemoryStore::new();
    store.insert(&machine, 1, Order::new("Small spender", 50_000));
    let fired = block_on(machine.fire(&store, FireRequest::new(1, "fail_check", admin())))
        .expect("amount below 1000 passes");
    assert_eq!(fired.row.state().as_str(), "approved");
    assert_eq!(store.history(&id(1)).len(), 1);
}

#[test]
fn a_stale_expected_version_is_a_conflict_even_after_a_round_trip_back_to_the_same_state() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    let seen = store
        .get(&machine, &id(1))
        .expect("order 1 exists")
        .version();
    // new -> paid -> new: same state as seen, different version.
    walk(&machine, &store, &[("pay", clerk()), ("reopen", admin())]);
    let request = FireRequest::new(1, "pay", clerk()).expecting_version(seen);
    let error = block_on(machine.fire(&store, request)).expect_err("stale");
    assert!(
        matches!(&error, FireError::Conflict(conflicted) if *conflicted == id(1)),
        "{error:?}"
    );
    let row = store.get(&machine, &id(1)).expect("order 1 exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("new", 3));
    assert_eq!(store.history(&id(1)).len(), 2);
}

#[test]
fn a_current_expected_version_fires() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    let request = FireRequest::new(1, "pay", clerk()).expecting_version(Version::FIRST);
    let fired = block_on(machine.fire(&store, request)).expect("fresh");
    assert_eq!(fired.row.version().get(), 2);
}

#[test]
fn a_missing_object_is_reported_as_not_found() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    let error =
        block_on(machine.fire(&store, FireRequest::new(99, "pay", admin()))).expect_err("missing");
    assert!(
        matches!(&error, FireError::NotFound(missing) if *missing == id(99)),
        "{error:?}"
    );
}

#[test]
fn a_store_failure_at_any_step_rolls_everything_back() {
    for point in [
        FailPoint::Begin,
        FailPoint::Load,
        FailPoint::CompareAndSet,
        FailPoint::InsertAudit,
        FailPoint::Commit,
    ] {
        let machine = orders_machine();
        let store = seeded(&machine, 1);
        store.fail_once_at(point);
        let error = block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk())))
            .expect_err("injected failure");
        assert!(matches!(error, FireError::Store(_)), "{point:?}: {error:?}");
        let row = store.get(&machine, &id(1)).expect("order 1 exists");
        assert_eq!(
            (row.state().as_str(), row.version().get()),
            ("new", 1),
            "{point:?}"
        );
        assert!(store.history(&id(1)).is_empty(), "{point:?}: no audit row");
        assert!(
            !row.object().payment_recorded,
            "{point:?}: object untouched"
        );
    }
}
