//! `build()` refuses broken machines with precise errors and warns about unreachable states.

use crate::support::{orders_builder, Order};
use switchyard_engine::{
    BuildError, BuildWarning, GroupDecl, Machine, MachineBuilder, StateDecl, StateStorage,
    StoredState, TransitionDecl,
};

fn two_states() -> MachineBuilder<Order> {
    Machine::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("done").final_state())
}

#[test]
fn every_broken_declaration_is_refused_with_its_precise_error() {
    type Check = fn(&BuildError) -> bool;
    let cases: Vec<(&str, MachineBuilder<Order>, Check)> = vec![
        (
            "no initial state",
            Machine::builder("orders").state(StateDecl::new("new")),
            |e| matches!(e, BuildError::NoInitialState(m) if m == "orders"),
        ),
        (
            "several initial states",
            Machine::builder("orders")
                .state(StateDecl::new("new").initial())
                .state(StateDecl::new("old").initial()),
            |e| matches!(e, BuildError::SeveralInitialStates { states, .. } if states.len() == 2),
        ),
        (
            "a duplicate state",
            two_states().state(StateDecl::new("new")),
            |e| matches!(e, BuildError::DuplicateState(s) if s == "new"),
        ),
        (
            "an invalid state name",
            two_states().state(StateDecl::new("Not Valid")),
            |e| matches!(e, BuildError::InvalidName { .. }),
        ),
        (
            "an unknown source",
            two_states().transition(TransitionDecl::new("go").from("nowhere").to("done")),
            |e| matches!(e, BuildError::UnknownState { state, .. } if state == "nowhere"),
        ),
        (
            "an unknown target",
            two_states().transition(TransitionDecl::new("go").from("new").to("nowhere")),
            |e| matches!(e, BuildError::UnknownState { place, .. } if place.contains("target")),
        ),
        (
            "an unknown on_error state",
            two_states().transition(
                TransitionDecl::new("go")
                    .from("new")
                    .to("done")
                    .on_error("oops"),
            ),
            |e| matches!(e, BuildError::UnknownState { place, .. } if place.contains("on_error")),
        ),
        (
            "an allowed set naming an unknown state",
            two_states().transition(
                TransitionDecl::new("go")
                    .from("new")
                    .to_computed(&["done", "limbo"], |_| "done".into()),
            ),
            |e| matches!(e, BuildError::UnknownState { place, state } if place.contains("allowed") && state == "limbo"),
        ),
        (
            "an empty allowed set",
            two_states().transition(
                TransitionDecl::new("go")
                    .from("new")
                    .to_computed(&[], |_| "done".into()),
            ),
            |e| matches!(e, BuildError::EmptyAllowedSet(t) if t == "go"),
        ),
        (
            "a duplicate transition and source pair",
            two_states()
                .transition(TransitionDecl::new("go").from("new").to("done"))
                .transition(TransitionDecl::new("go").from_states(&["new"]).to("done")),
            |e| matches!(e, BuildError::DuplicateTransition { transition, from } if transition == "go" && from == "new"),
        ),
        (
            "a transition out of a final state",
            two_states().transition(TransitionDecl::new("undo").from("done").to("new")),
            |e| matches!(e, BuildError::TransitionFromFinalState { state, .. } if state == "done"),
        ),
        (
            "a transition without source",
            two_states().transition(TransitionDecl::new("go").to("done")),
            |e| matches!(e, BuildError::MissingSource(t) if t == "go"),
        ),
        (
            "a transition without target",
            two_states().transition(TransitionDecl::new("go").from("new")),
            |e| matches!(e, BuildError::MissingTarget(t) if t == "go"),
        ),
        (
            "integer storage with a state lacking a code",
            two_states().storage(StateStorage::IntegerCode),
            |e| matches!(e, BuildError::MissingStateCode(s) if s == "new"),
        ),
        (
            "two states sharing an integer code",
            Machine::builder("orders")
                .storage(StateStorage::IntegerCode)
                .state(StateDecl::new("new").initial().code(1))
                .state(StateDecl::new("done").code(1)),
            |e| matches!(e, BuildError::DuplicateStateCode { code: 1, .. }),
        ),
        (
            "a group naming an unknown state",
            two_states().group(GroupDecl::including("open", "Open", &["new", "ghost"])),
            |e| matches!(e, BuildError::UnknownState { state, .. } if state == "ghost"),
        ),
        (
            "a hook on an unknown state",
            two_states().on_enter("ghost", |_| {}),
            |e| matches!(e, BuildError::UnknownState { place, .. } if place.contains("on_enter")),
        ),
    ];
    for (name, builder, check) in cases {
        match builder.build() {
            Ok(_) => panic!("{name}: the machine was accepted"),
            Err(error) => assert!(
                check(&error),
                "{name}: unexpected error {error:?} ({error})"
            ),
        }
    }
}

#[test]
fn the_orders_machine_builds_without_warnings() {
    let machine = orders_builder().build().expect("builds");
    assert!(machine.warnings().is_empty(), "{:?}", machine.warnings());
    assert_eq!(machine.initial_state().as_str(), "new");
    assert_eq!(machine.states().len(), 8);
}

#[test]
fn an_unreachable_state_is_a_warning_not_an_error() {
    let machine = two_states()
        .state(StateDecl::new("archived"))
        .transition(TransitionDecl::new("finish").from("new").to("done"))
        .build()
        .expect("unreachable states are accepted");
    assert_eq!(
        machine.warnings(),
        &[BuildWarning::UnreachableState(
            machine.state("archived").expect("declared").name.clone()
        )]
    );
}

#[test]
fn integer_codes_and_text_values_encode_and_decode_each_state() {
    let integer = Machine::<Order>::builder("orders")
        .storage(StateStorage::IntegerCode)
        .state(StateDecl::new("new").initial().code(10))
        .state(StateDecl::new("done").final_state().code(20))
        .transition(TransitionDecl::new("finish").from("new").to("done"))
        .build()
        .expect("builds");
    let done = integer.state("done").expect("declared").name.clone();
    assert_eq!(integer.encode_state(&done), StoredState::Integer(20));
    assert_eq!(
        integer.decode_state(&StoredState::Integer(20)),
        Some(done.clone())
    );
    assert_eq!(integer.decode_state(&StoredState::Integer(30)), None);
    let keyed = two_states()
        .storage(StateStorage::StatesTable {
            table: "order_states".into(),
        })
        .build()
        .expect("builds");
    assert_eq!(keyed.encode_state(&done), StoredState::Text("done".into()));
    assert_eq!(
        keyed.decode_state(&StoredState::Text("done".into())),
        Some(done)
    );
    assert_eq!(keyed.decode_state(&StoredState::Text("gone".into())), None);
}

#[test]
fn inclusive_and_exclusive_groups_resolve_to_their_members() {
    let machine = orders_builder().build().expect("builds");
    let open = machine.group("open").expect("declared");
    let names: Vec<&str> = open.members.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["new", "paid", "shipped", "on_hold"]);
    let not_closed = machine.group("not_closed").expect("declared");
    let names: Vec<&str> = not_closed.members.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        ["new", "paid", "shipped", "on_hold", "approved", "failed"]
    );
    let delivered = machine.state("delivered").expect("declared").name.clone();
    assert!(!not_closed.contains(&delivered));
}

#[test]
fn a_group_filter_lists_the_stored_values_of_its_members() {
    let machine = orders_builder().build().expect("builds");
    let filter = machine.group_filter("open").expect("declared");
    let values: Vec<StoredState> = ["new", "paid", "shipped", "on_hold"]
        .iter()
        .map(|s| StoredState::Text((*s).to_owned()))
        .collect();
    assert_eq!(filter, values);
    assert_eq!(machine.group_filter("ghost"), None);
    assert_eq!(
        machine.declarations_of("cancel").count(),
        2,
        "cancel is declared from new and paid"
    );
}
