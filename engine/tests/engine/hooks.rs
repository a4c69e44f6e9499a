//! Hooks run in order (before, handler, leave, enter, after, commit, after-commit) and see the same facts.

use futures_executor::block_on;
use switchyard_engine::{FireError, FireRequest, HandlerError, Machine, StateDecl, TransitionDecl};

use crate::support::{admin, clerk, id, orders_builder, seeded, Journal, Order};

fn journaled_orders(journal: &Journal) -> Machine<Order> {
    let (before, after, enter, leave, commit) = (
        journal.clone(),
        journal.clone(),
        journal.clone(),
        journal.clone(),
        journal.clone(),
    );
    orders_builder()
        .before_transition(move |e| {
            before.push(format!(
                "before {} {}->{:?}",
                e.transition,
                e.source,
                e.target.map(|s| s.as_str())
            ));
            Ok(())
        })
        .on_leave("new", move |e| {
            leave.push(format!("leave new by {}", e.transition))
        })
        .on_enter("paid", move |e| {
            enter.push(format!("enter paid by {}", e.actor.username))
        })
        .after_transition(move |e| {
            after.push(format!(
                "after {} -> {:?} error {:?}",
                e.transition,
                e.target.map(|s| s.as_str()),
                e.error.map(|err| err.message().to_owned())
            ))
        })
        .after_commit(move |e| {
            commit.push(format!("committed {} on {}", e.transition, e.object_id))
        })
        .build()
        .expect("builds")
}

#[test]
fn a_successful_fire_runs_every_hook_in_order() {
    let journal = Journal::default();
    let machine = journaled_orders(&journal);
    let store = seeded(&machine, 1);
    block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk()))).expect("pay");
    assert_eq!(
        journal.lines(),
        [
            "before pay new->Some(\"paid\")",
            "leave new by pay",
            "enter paid by clerk",
            "after pay -> Some(\"paid\") error None",
            "committed pay on 1",
        ]
    );
}

#[test]
fn a_refused_fire_runs_no_hook() {
    let journal = Journal::default();
    let machine = journaled_orders(&journal);
    let store = seeded(&machine, 1);
    block_on(machine.fire(&store, FireRequest::new(1, "ship", clerk()))).expect_err("wrong state");
    assert!(journal.lines().is_empty());
}

#[test]
fn the_on_error_path_runs_after_hooks_with_the_error_and_the_error_state() {
    let journal = Journal::default();
    let machine = journaled_orders(&journal);
    let store = switchyard_engine::memory::MemoryStore::new();
    store.insert(&machine, 1, Order::new("large", 500_000));
    block_on(machine.fire(&store, FireRequest::new(1, "fail_check", admin()))).expect_err("fails");
    assert_eq!(
        journal.lines(),
        [
            "before fail_check new->Some(\"approved\")",
            "leave new by fail_check",
            "after fail_check -> Some(\"failed\") error Some(\"Amount above 1000 needs a manual review.\")",
            "committed fail_check on 1",
        ]
    );
}

#[test]
fn a_before_hook_can_veto_and_then_nothing_changes() {
    let machine = orders_builder()
        .before_transition(|e| {
            if e.actor.username == "clerk" && e.transition.as_str() == "cancel" {
                Err(HandlerError::new("Clerks cannot cancel today."))
            } else {
                Ok(())
            }
        })
        .build()
        .expect("builds");
    let store = seeded(&machine, 1);
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "cancel", clerk()))).expect_err("vetoed");
    assert!(
        matches!(&error, FireError::Vetoed { error, .. } if error.message() == "Clerks cannot cancel today.")
    );
    let row = store.get(&machine, &id(1)).expect("exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("new", 1));
    assert!(store.history(&id(1)).is_empty());
}

#[test]
fn after_commit_hooks_do_not_run_when_the_commit_fails() {
    let journal = Journal::default();
    let machine = journaled_orders(&journal);
    let store = seeded(&machine, 1);
    store.fail_once_at(switchyard_engine::memory::FailPoint::Commit);
    block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk()))).expect_err("commit fails");
    assert!(!journal
        .lines()
        .iter()
        .any(|line| line.starts_with("committed")));
    assert_eq!(
        store
            .get(&machine, &id(1))
            .expect("exists")
            .state()
            .as_str(),
        "new"
    );
}

#[test]
fn a_handler_failure_without_on_error_changes_nothing_but_logs_the_failed_attempt() {
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .transition(TransitionDecl::new("pay").from("new").to("paid").handler(
            |order: &mut Order, _| {
                order.payment_recorded = true;
                Err(HandlerError::new("The bank refused the payment."))
            },
        ))
        .build()
        .expect("builds");
    let store = seeded(&machine, 1);
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "pay", admin()))).expect_err("fails");
    assert!(
        matches!(
            &error,
            FireError::HandlerFailed {
                error_state: None,
                ..
            }
        ),
        "{error:?}"
    );
    let row = store.get(&machine, &id(1)).expect("exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("new", 1));
    assert!(
        !row.object().payment_recorded,
        "the handler's edits are discarded"
    );
    let history = store.history(&id(1));
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].entry.target, None);
}

#[test]
fn a_check_only_transition_keeps_the_state_bumps_the_version_and_logs_no_target() {
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .transition(
            TransitionDecl::new("touch")
                .from("new")
                .to_unchanged()
                .handler(|order: &mut Order, _| {
                    order.customer.push_str(" (checked)");
                    Ok(())
                }),
        )
        .build()
        .expect("builds");
    let store = seeded(&machine, 1);
    let fired =
        block_on(machine.fire(&store, FireRequest::new(1, "touch", admin()))).expect("touch");
    assert!(matches!(
        fired.outcome,
        switchyard_engine::Outcome::Stayed { .. }
    ));
    let row = store.get(&machine, &id(1)).expect("exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("new", 2));
    assert!(row.object().customer.ends_with("(checked)"));
    assert_eq!(store.history(&id(1))[0].entry.target, None);
}

#[test]
fn a_handler_returning_a_state_outside_its_allowed_set_is_refused_and_changes_nothing() {
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .state(StateDecl::new("shipped"))
        .transition(
            TransitionDecl::new("jump")
                .from("new")
                .to_returned_by(&["paid"], |_: &mut Order, _, wanted: String| Ok(wanted)),
        )
        .build()
        .expect("builds");
    let store = seeded(&machine, 1);
    let request = FireRequest::new(1, "jump", admin()).arguments(serde_json::json!("shipped"));
    let error = block_on(machine.fire(&store, request)).expect_err("outside");
    assert!(matches!(&error, FireError::TargetNotAllowed { target, .. } if target == "shipped"));
    assert_eq!(
        store.get(&machine, &id(1)).expect("exists").version().get(),
        1
    );
    let request = FireRequest::new(1, "jump", admin()).arguments(serde_json::json!("paid"));
    let fired = block_on(machine.fire(&store, request)).expect("inside");
    assert_eq!(fired.row.state().as_str(), "paid");
}
