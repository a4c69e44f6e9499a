//! Queries: available transitions, reasons for unavailable ones, can_proceed and has_transition_perm.

use futures_executor::block_on;
use switchyard_engine::{
    Channel, FireRequest, Machine, Row, StateDecl, TransitionDecl, Unavailable,
};

use crate::support::{admin, clerk, id, orders_machine, seeded, viewer, Order};

fn order_in(machine: &Machine<Order>, steps: &[&str], amount_cents: i64) -> Row<Order> {
    let store = switchyard_engine::memory::MemoryStore::new();
    store.insert(machine, 1, Order::new("Someone", amount_cents));
    for step in steps {
        block_on(machine.fire(&store, FireRequest::new(1, step, admin()))).expect("setup step");
    }
    store.get(machine, &id(1)).expect("order 1 exists")
}

fn names<O>(transitions: Vec<&switchyard_engine::Transition<O>>) -> Vec<String> {
    transitions.iter().map(|t| t.name().to_string()).collect()
}

#[test]
fn each_state_offers_exactly_the_declared_transitions() {
    let machine = orders_machine();
    let cases: [(&[&str], &[&str]); 5] = [
        (&[], &["pay", "cancel", "hold", "fail_check"]),
        (&["pay"], &["ship", "cancel", "hold", "reopen"]),
        (&["hold"], &["hold", "resume", "reopen"]),
        (&["cancel"], &[]),
        (&["fail_check"], &["hold", "reopen"]),
    ];
    for (steps, expected) in cases {
        let row = order_in(&machine, steps, 100);
        assert_eq!(names(machine.available(&row)), expected, "after {steps:?}");
    }
}

#[test]
fn available_to_an_actor_applies_permission_and_console_visibility() {
    let machine = orders_machine();
    let row = order_in(&machine, &[], 100);
    let cases = [
        (
            admin(),
            Channel::Api,
            vec!["pay", "cancel", "hold", "fail_check"],
        ),
        (
            admin(),
            Channel::Console,
            vec!["pay", "cancel", "fail_check"],
        ),
        (
            clerk(),
            Channel::Console,
            vec!["pay", "cancel", "fail_check"],
        ),
        (viewer(), Channel::Console, vec!["fail_check"]),
    ];
    for (actor, channel, expected) in cases {
        assert_eq!(
            names(machine.available_to(&row, &actor, channel)),
            expected,
            "{} via {channel:?}",
            actor.username
        );
    }
}

#[test]
fn statuses_give_the_reason_for_every_unavailable_transition() {
    let machine = orders_machine();
    let row = order_in(&machine, &[], 100);
    let statuses = machine.statuses(&row, &clerk(), Channel::Console);
    let reason = |name: &str| {
        statuses
            .iter()
            .find(|s| s.transition.name().as_str() == name)
            .map(|s| s.status.clone())
            .expect("listed")
    };
    assert_eq!(reason("pay"), Ok(()));
    assert!(matches!(reason("ship"), Err(Unavailable::WrongState { state }) if state == "new"));
    // The console asks visibility before permission: the clerk is not told that a
    // transition the console hides would be forbidden.
    assert_eq!(reason("hold"), Err(Unavailable::Hidden));
    assert_eq!(
        machine.unavailable_reason("hold", &row, &admin(), Channel::Console),
        Some(Unavailable::Hidden)
    );
    assert_eq!(
        machine.unavailable_reason("hold", &row, &admin(), Channel::Api),
        None
    );
    assert_eq!(statuses.len(), 8, "one status per transition name");
}

#[test]
fn all_failing_conditions_are_reported_together_with_their_sentences() {
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .transition(
            TransitionDecl::new("pay")
                .from("new")
                .to("paid")
                .condition(
                    "has_customer",
                    "The order needs a customer.",
                    |o: &Order| !o.customer.is_empty(),
                )
                .condition("positive", "The amount must be positive.", |o: &Order| {
                    o.amount_cents > 0
                })
                .condition("small", "The amount must be below 1000.", |o: &Order| {
                    o.amount_cents < 100_000
                }),
        )
        .build()
        .expect("builds");
    let store = switchyard_engine::memory::MemoryStore::new();
    store.insert(&machine, 1, Order::new("", 0));
    let row = store.get(&machine, &id(1)).expect("exists");
    let reason = machine.unavailable_reason("pay", &row, &admin(), Channel::Api);
    let Some(Unavailable::ConditionsUnmet { unmet }) = reason else {
        panic!("expected unmet conditions, got {reason:?}");
    };
    let sentences: Vec<&str> = unmet.iter().map(|c| c.sentence.as_str()).collect();
    assert_eq!(
        sentences,
        [
            "The order needs a customer.",
            "The amount must be positive."
        ]
    );
    assert!(!machine.can_proceed("pay", &row, true));
    assert!(
        machine.can_proceed("pay", &row, false),
        "conditions can be skipped"
    );
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "pay", admin()))).expect_err("unmet");
    assert!(
        error
            .to_string()
            .contains("The order needs a customer. The amount must be positive."),
        "{error}"
    );
    let row = store.get(&machine, &id(1)).expect("exists");
    assert_eq!((row.state().as_str(), row.version().get()), ("new", 1));
    assert!(store.history(&id(1)).is_empty());
}

#[test]
fn has_transition_perm_checks_state_conditions_and_permission() {
    let machine = orders_machine();
    let row = order_in(&machine, &[], 100);
    assert!(machine.has_transition_perm("pay", &row, &clerk()));
    assert!(!machine.has_transition_perm("pay", &row, &viewer()));
    assert!(
        !machine.has_transition_perm("ship", &row, &clerk()),
        "wrong state"
    );
    assert!(machine.can_proceed("pay", &row, true));
    assert!(!machine.can_proceed("deliver", &row, true));
}

#[test]
fn resolution_uses_the_declaration_for_the_current_source_not_the_first_one() {
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .state(StateDecl::new("cancelled").final_state())
        .transition(TransitionDecl::new("pay").from("new").to("paid"))
        .transition(
            TransitionDecl::new("cancel")
                .from("new")
                .to("cancelled")
                .label("Drop draft")
                .permission("orders.drop"),
        )
        .transition(
            TransitionDecl::new("cancel")
                .from("paid")
                .to("cancelled")
                .label("Refund and cancel"),
        )
        .build()
        .expect("builds");
    let store = seeded(&machine, 1);
    block_on(machine.fire(&store, FireRequest::new(1, "pay", admin()))).expect("pay");
    let row = store.get(&machine, &id(1)).expect("exists");
    let cancel = machine
        .resolve("cancel", row.state())
        .expect("declared from paid");
    assert_eq!(cancel.label(), "Refund and cancel");
    assert!(cancel.permission().is_none());
    assert!(
        machine.has_transition_perm("cancel", &row, &viewer()),
        "the paid declaration has no permission"
    );
    let fired =
        block_on(machine.fire(&store, FireRequest::new(1, "cancel", viewer()))).expect("cancel");
    assert_eq!(fired.row.state().as_str(), "cancelled");
}

#[test]
fn transition_metadata_is_exposed_for_the_console() {
    let machine = orders_machine();
    let pay = machine
        .transitions()
        .iter()
        .find(|t| t.name().as_str() == "pay")
        .expect("declared");
    assert_eq!(pay.label(), "Mark as paid");
    assert_eq!(pay.help_text(), "Payment has been received.");
    let cancel = machine
        .transitions()
        .iter()
        .find(|t| t.name().as_str() == "cancel")
        .expect("declared");
    assert_eq!(cancel.confirmation(), Some("Cancel this order?"));
    let hold = machine
        .transitions()
        .iter()
        .find(|t| t.name().as_str() == "hold")
        .expect("declared");
    assert!(!hold.admin_visible());
    let ship = machine
        .transitions()
        .iter()
        .find(|t| t.name().as_str() == "ship")
        .expect("declared");
    assert_eq!(ship.form().map(|f| f.fields.len()), Some(3));
    let fail_check = machine
        .transitions()
        .iter()
        .find(|t| t.name().as_str() == "fail_check")
        .expect("declared");
    assert_eq!(fail_check.on_error().map(|s| s.as_str()), Some("failed"));
}
