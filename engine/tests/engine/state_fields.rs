//! Retired states and named state fields: a stored value the machine does not declare is kept,
//! left only by transitions from any state, and written back as it was read; a machine's
//! field names its audit rows.

use crate::support::{admin, clerk, id, orders_machine, seeded, Order};
use futures_executor::block_on;
use switchyard_engine::memory::MemoryStore;
use switchyard_engine::{
    BuildError, FireError, FireRequest, Machine, Outcome, StateDecl, StateStorage, StoredRow,
    StoredState, TransitionDecl, Unavailable, Version,
};

fn stored(id_value: i64, state: StoredState) -> StoredRow<Order> {
    StoredRow {
        id: id(id_value),
        state,
        version: Version::FIRST,
        object: Order::new("Retired", 1_000),
    }
}

#[test]
fn a_retired_text_state_is_kept_and_only_transitions_from_any_state_leave_it() {
    let machine = orders_machine();
    let store = seeded(&machine, 0);
    store.insert_stored(stored(1, StoredState::Text("escalated".to_owned())));

    let row = store.get(&machine, &id(1)).expect("the row decodes");
    assert_eq!(row.state().as_str(), "escalated");
    assert!(machine.state("escalated").is_none(), "not a declared state");

    let pay = block_on(machine.fire(&store, FireRequest::new(1, "pay", admin())));
    assert!(
        matches!(
            pay,
            Err(FireError::Unavailable {
                reason: Unavailable::WrongState { .. },
                ..
            })
        ),
        "pay starts only from new: {pay:?}"
    );
    assert!(store.history(&id(1)).is_empty(), "a refusal writes nothing");

    let reopened = block_on(machine.fire(&store, FireRequest::new(1, "reopen", admin())))
        .expect("reopen (+) leaves any non-final state");
    assert_eq!(
        reopened.outcome,
        Outcome::Moved {
            from: row.state().clone(),
            to: machine.initial_state().clone()
        }
    );
    let history = store.history(&id(1));
    assert_eq!(history[0].entry.source.as_str(), "escalated");
    assert_eq!(
        store.get_stored(&id(1)).map(|row| row.state),
        Some(StoredState::Text("new".to_owned()))
    );
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Ticket {
    touched: u32,
}

/// A machine on integer codes with a self-transition from any state.
fn step_machine() -> Machine<Ticket> {
    Machine::builder("tickets")
        .field("step")
        .storage(StateStorage::IntegerCode)
        .state(StateDecl::new("draft").code(1).initial())
        .state(StateDecl::new("done").code(2).final_state())
        .transition(TransitionDecl::new("finish").from("draft").to("done"))
        .transition(
            TransitionDecl::new("touch")
                .from_any()
                .to_unchanged()
                .handler(|ticket: &mut Ticket, _| {
                    ticket.touched += 1;
                    Ok(())
                }),
        )
        .build()
        .expect("a valid machine")
}

#[test]
fn a_retired_integer_code_is_written_back_as_read_by_a_self_transition() {
    let machine = step_machine();
    let store = MemoryStore::new();
    store.insert_stored(StoredRow {
        id: id(7),
        state: StoredState::Integer(9),
        version: Version::FIRST,
        object: Ticket { touched: 0 },
    });
    let row = store.get(&machine, &id(7)).expect("the row decodes");
    assert_eq!(row.state().as_str(), "9");
    assert_eq!(row.stored_state(), &StoredState::Integer(9));

    let finish = block_on(machine.fire(&store, FireRequest::new(7, "finish", admin())));
    assert!(matches!(finish, Err(FireError::Unavailable { .. })));

    let touched = block_on(machine.fire(&store, FireRequest::new(7, "touch", admin())))
        .expect("a transition from any state leaves a retired one");
    assert!(matches!(touched.outcome, Outcome::Stayed { .. }));
    let written = store.get_stored(&id(7)).expect("still there");
    assert_eq!(written.state, StoredState::Integer(9), "the code is kept");
    assert_eq!(written.object.touched, 1);
    assert_eq!(written.version, Version::FIRST.next());
}

#[test]
fn every_audit_row_names_the_field_its_machine_drives() {
    let orders = orders_machine();
    assert_eq!(orders.field(), "state", "the default field");
    let store = seeded(&orders, 1);
    block_on(orders.fire(&store, FireRequest::new(1, "pay", clerk()))).expect("pay");
    assert_eq!(store.history(&id(1))[0].entry.field, "state");

    let steps = step_machine();
    let tickets = MemoryStore::new();
    tickets.insert(&steps, 1, Ticket { touched: 0 });
    block_on(steps.fire(&tickets, FireRequest::new(1, "finish", admin()))).expect("finish");
    let entry = &tickets.history(&id(1))[0].entry;
    assert_eq!(
        (entry.field.as_str(), entry.resource.as_str()),
        ("step", "tickets")
    );
    assert_eq!(
        tickets.get_stored(&id(1)).map(|row| row.state),
        Some(StoredState::Integer(2))
    );
}

#[test]
fn a_field_must_be_a_plain_name() {
    let built = Machine::<Ticket>::builder("tickets")
        .field("Step-1")
        .state(StateDecl::new("draft").initial())
        .build();
    assert!(
        matches!(built, Err(BuildError::InvalidName { .. })),
        "{built:?}"
    );
}
