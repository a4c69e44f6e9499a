//! Firing details: keys of every kind, lock modes, channels, Send futures and serializable reasons.

use futures_executor::block_on;
use serde_json::json;
use switchyard_engine::memory::MemoryStore;
use switchyard_engine::{FireError, FireRequest, Unavailable};

use crate::support::{admin, clerk, id, orders_machine, seeded, Order};

#[test]
fn the_fire_future_is_send_so_web_handlers_stay_send() {
    fn assert_send<T: Send>(_: &T) {}
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    let future = machine.fire(&store, FireRequest::new(1, "pay", clerk()));
    assert_send(&future);
    let fired = block_on(future).expect("pay");
    assert_eq!(fired.row.state().as_str(), "paid");
}

#[test]
fn uuid_and_text_keys_fire_and_are_audited_under_their_own_key() {
    let machine = orders_machine();
    let store = MemoryStore::new();
    let uuid = switchyard_engine::ObjectId::Uuid(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    let text = switchyard_engine::ObjectId::Text("ORD-7".to_owned());
    assert_eq!(uuid.to_string(), "01234567-89ab-cdef-0123-456789abcdef");
    for key in [uuid, text] {
        store.insert(&machine, key.clone(), Order::new("Keyed", 100));
        let fired = block_on(machine.fire(&store, FireRequest::new(key.clone(), "pay", clerk())))
            .expect("pay");
        assert_eq!(fired.row.id(), &key);
        let history = store.history(&key);
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].entry.object_id, key);
    }
}

#[test]
fn a_pessimistic_fire_behaves_like_an_optimistic_one_on_success() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    let fired = block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk()).pessimistic()))
        .expect("pay");
    assert_eq!(
        (fired.row.state().as_str(), fired.row.version().get()),
        ("paid", 2)
    );
    assert_eq!(store.history(&id(1)).len(), 1);
}

#[test]
fn a_hidden_transition_is_refused_through_the_console_but_allowed_through_the_api() {
    let machine = orders_machine();
    let store = seeded(&machine, 1);
    let console = FireRequest::new(1, "hold", admin()).from_console();
    let error = block_on(machine.fire(&store, console)).expect_err("hidden");
    assert!(matches!(
        error,
        FireError::Unavailable {
            reason: Unavailable::Hidden,
            ..
        }
    ));
    assert!(store.history(&id(1)).is_empty());
    let fired = block_on(machine.fire(&store, FireRequest::new(1, "hold", admin()))).expect("api");
    assert_eq!(fired.row.state().as_str(), "on_hold");
}

#[test]
fn a_console_rule_decides_visibility_inside_the_fire_and_the_queries() {
    let machine = orders_machine();
    let store = seeded(&machine, 3);
    // The rule shows `hold` (hidden by its flag) and hides `pay` for orders above 10.00.
    let rule = |transition: &switchyard_engine::Transition<Order>,
                order: &Order,
                _: &switchyard_engine::Actor| {
        match transition.name().as_str() {
            "hold" => true,
            "pay" => order.amount_cents <= 1_000,
            _ => transition.admin_visible(),
        }
    };
    let row = store.get(&machine, &id(1)).expect("order 1");
    let reason = machine.console_unavailable_reason("hold", &row, &admin(), &rule);
    assert_eq!(reason, None, "the rule shows what the flag hides");
    let statuses = machine.console_statuses(&row, &admin(), &rule);
    let hold = statuses
        .iter()
        .find(|status| status.transition.name().as_str() == "hold")
        .expect("hold");
    assert!(hold.status.is_ok());

    let fired = block_on(machine.fire(
        &store,
        FireRequest::new(1, "hold", admin()).in_console(rule),
    ))
    .expect("the rule lets the console fire it");
    assert_eq!(fired.row.state().as_str(), "on_hold");

    store.insert(&machine, 9, Order::new("Big", 5_000));
    let refused =
        block_on(machine.fire(&store, FireRequest::new(9, "pay", clerk()).in_console(rule)))
            .expect_err("hidden by the rule");
    assert!(matches!(
        refused,
        FireError::Unavailable {
            reason: Unavailable::Hidden,
            ..
        }
    ));
    assert!(
        store.history(&id(9)).is_empty(),
        "nothing changed, nothing audited"
    );
    let fired = block_on(machine.fire(&store, FireRequest::new(9, "pay", clerk())))
        .expect("the API channel ignores console visibility");
    assert_eq!(fired.row.state().as_str(), "paid");
}

#[test]
fn refusal_reasons_serialize_for_the_console() {
    let reason = Unavailable::ConditionsUnmet {
        unmet: vec![switchyard_engine::UnmetCondition {
            name: "small".to_owned(),
            sentence: "Too big.".to_owned(),
        }],
    };
    assert_eq!(
        serde_json::to_value(&reason).expect("serializes"),
        json!({"reason": "conditions_unmet", "unmet": [{"name": "small", "sentence": "Too big."}]})
    );
    assert_eq!(
        serde_json::to_value(Unavailable::Forbidden).expect("serializes"),
        json!({"reason": "forbidden"})
    );
}
