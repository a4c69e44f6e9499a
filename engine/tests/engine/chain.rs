//! The one check chain: every refusal in its documented order, on single and bulk fires; the
//! form cleaned inside the fire by the form the console picks; and the hooks of a failed handler.

use std::collections::BTreeMap;

use futures_executor::block_on;
use switchyard_engine::memory::MemoryStore;
use switchyard_engine::{
    Actor, BulkMode, BulkRequest, BulkRowOutcome, ConsoleRule, FieldKind, FireError, FireRequest,
    Form, FormField, HandlerError, Machine, StateDecl, Transition, TransitionDecl, Unavailable,
    Version,
};

use crate::support::{id, Journal, Order};

/// `approve` can fail every check: a console may hide it, it needs a permission, a
/// condition, a form with a required reason, and a before hook vetoes customer "veto".
/// `settle` moves an order out of `new` without any check.
fn chain_machine() -> Machine<Order> {
    Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .transition(
            TransitionDecl::new("approve")
                .from("new")
                .to("paid")
                .permission("orders.approve")
                .condition("small", "The amount is above the limit.", |o: &Order| {
                    o.amount_cents < 1_000
                })
                .form(reason_form("reason")),
        )
        .transition(TransitionDecl::new("settle").from("new").to("paid"))
        .before_transition(|event| {
            match (event.transition.as_str(), event.object.customer.as_str()) {
                ("approve", "veto") => Err(HandlerError::new("Vetoed by the hook.")),
                _ => Ok(()),
            }
        })
        .build()
        .expect("builds")
}

fn reason_form(field: &str) -> Form {
    Form::new()
        .field(FormField::new(field, FieldKind::Text).required())
        .description_field(field)
}

/// A console that hides everything or nothing, and may clean with a form of its own.
struct TestConsole {
    hides: bool,
    form: Option<Form>,
}

impl ConsoleRule<Order> for TestConsole {
    fn shows(&self, _: &Transition<Order>, _: &Order, _: &Actor) -> bool {
        !self.hides
    }

    fn form<'t>(&'t self, transition: &'t Transition<Order>) -> Option<&'t Form> {
        self.form.as_ref().or(transition.form())
    }
}

fn approver() -> Actor {
    Actor::new(1, "approver").with_permissions(["orders.approve"])
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// One way a fire can be refused, and how to provoke it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    Hidden,
    Stale,
    WrongState,
    Forbidden,
    Condition,
    Form,
    Veto,
}

/// Seeds one order failing exactly the `failing` checks, fires `approve` at it (single, or as
/// a bulk fire of one when `bulk`), and returns what the engine reported, having checked that
/// nothing was written.
fn refusal(failing: &[Check], bulk: bool) -> FireError {
    let machine = chain_machine();
    let store = MemoryStore::new();
    let fails = |check| failing.contains(&check);
    let customer = if fails(Check::Veto) { "veto" } else { "ok" };
    let amount = if fails(Check::Condition) { 5_000 } else { 100 };
    store.insert(&machine, 1, Order::new(customer, amount));
    if fails(Check::WrongState) {
        block_on(machine.fire(&store, FireRequest::new(1, "settle", approver()))).expect("settle");
    }
    let actor = if fails(Check::Forbidden) {
        Actor::new(2, "nobody")
    } else {
        approver()
    };
    let typed = if fails(Check::Form) {
        fields(&[])
    } else {
        fields(&[("reason", "checked")])
    };
    let console = TestConsole {
        hides: fails(Check::Hidden),
        form: None,
    };
    let before = store.get(&machine, &id(1)).expect("exists");
    let history = store.history(&id(1)).len();
    let error = if bulk {
        let request = BulkRequest::new(vec![id(1)], "approve", actor, BulkMode::BestEffort)
            .in_console(console)
            .fields(typed);
        let mut report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
        match report.rows.pop() {
            Some((_, BulkRowOutcome::Failed(error))) => error,
            other => panic!("expected a refusal for {failing:?}, got {other:?}"),
        }
    } else {
        let seen = if fails(Check::Stale) {
            before.version().next()
        } else {
            before.version()
        };
        let request = FireRequest::new(1, "approve", actor)
            .in_console(console)
            .expecting_version(seen)
            .fields(typed);
        block_on(machine.fire(&store, request)).expect_err("refused")
    };
    assert_eq!(store.get(&machine, &id(1)), Some(before), "{failing:?}");
    assert_eq!(
        store.history(&id(1)).len(),
        history,
        "{failing:?}: no audit row"
    );
    error
}

fn kind(error: &FireError) -> Check {
    match error {
        FireError::Unavailable { reason, .. } => match reason {
            Unavailable::Hidden => Check::Hidden,
            Unavailable::WrongState { .. } => Check::WrongState,
            Unavailable::Forbidden => Check::Forbidden,
            Unavailable::ConditionsUnmet { .. } => Check::Condition,
        },
        FireError::Conflict(_) => Check::Stale,
        FireError::FormInvalid { .. } => Check::Form,
        FireError::Vetoed { .. } => Check::Veto,
        other => panic!("not a refusal of the chain: {other:?}"),
    }
}

#[test]
fn each_refusal_outranks_every_later_one_on_single_fires() {
    use Check::*;
    let order = [Hidden, Stale, WrongState, Forbidden, Condition, Form, Veto];
    for (position, first) in order.iter().enumerate() {
        let failing = &order[position..];
        assert_eq!(
            kind(&refusal(failing, false)),
            *first,
            "failing {failing:?}"
        );
        assert_eq!(kind(&refusal(&[*first], false)), *first, "only {first:?}");
    }
}

#[test]
fn a_bulk_fire_meets_the_refusals_in_the_same_order() {
    use Check::*;
    let order = [Hidden, WrongState, Forbidden, Condition, Form, Veto];
    for (position, first) in order.iter().enumerate() {
        let failing = &order[position..];
        assert_eq!(kind(&refusal(failing, true)), *first, "failing {failing:?}");
    }
}

#[test]
fn a_form_error_names_every_refused_field() {
    let error = refusal(&[Check::Form], false);
    let FireError::FormInvalid { errors, .. } = error else {
        panic!("expected a form error, got {error:?}");
    };
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["reason"]);
}

#[test]
fn the_fields_are_cleaned_by_the_consoles_form_and_its_field_describes_the_audit_row() {
    let machine = chain_machine();
    let store = MemoryStore::new();
    store.insert(&machine, 1, Order::new("ok", 100));
    let console = TestConsole {
        hides: false,
        form: Some(reason_form("why")),
    };
    // The machine's form would refuse these fields (no `reason`); the console's accepts them.
    let request = FireRequest::new(1, "approve", approver())
        .in_console(console)
        .expecting_version(Version::new(1).expect("valid"))
        .fields(fields(&[("why", "customer called")]));
    let fired = block_on(machine.fire(&store, request)).expect("approve");
    assert_eq!(fired.audit.description.as_deref(), Some("customer called"));
    assert_eq!(fired.audit.arguments["why"], "customer called");
    assert_eq!(
        store.history(&id(1))[0].entry.description.as_deref(),
        Some("customer called")
    );
}

#[test]
fn a_job_batch_audits_a_reference_to_the_job_not_a_copy_of_its_note() {
    let machine = chain_machine();
    let store = MemoryStore::new();
    store.insert(&machine, 1, Order::new("ok", 100));
    let note = "late payment ".repeat(500);
    let console = TestConsole {
        hides: false,
        form: Some(
            Form::new()
                .field(FormField::new("note", FieldKind::Textarea))
                .description_field("note"),
        ),
    };
    let request = BulkRequest::new(vec![id(1)], "approve", approver(), BulkMode::BestEffort)
        .in_console(console)
        .fields(fields(&[("note", note.as_str())]))
        .in_job(7);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!(report.applied(), 1);
    let entry = &store.history(&id(1))[0].entry;
    assert_eq!(entry.job, Some(7));
    assert_eq!(entry.description, None);
    assert_eq!(entry.arguments, serde_json::Value::Null);
}

#[test]
fn a_failed_handler_without_on_error_runs_no_after_hook_but_is_audited() {
    let journal = Journal::default();
    let (after, committed) = (journal.clone(), journal.clone());
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .transition(
            TransitionDecl::new("pay")
                .from("new")
                .to("paid")
                .handler(|_: &mut Order, _| Err(HandlerError::new("The bank refused."))),
        )
        .after_transition(move |e| after.push(format!("after {}", e.transition)))
        .after_commit(move |e| committed.push(format!("committed {}", e.transition)))
        .build()
        .expect("builds");
    let store = MemoryStore::new();
    for n in 1..=2 {
        store.insert(&machine, n, Order::new("ok", 100));
    }
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "pay", approver()))).expect_err("fails");
    assert!(matches!(
        error,
        FireError::HandlerFailed {
            error_state: None,
            ..
        }
    ));
    let request = BulkRequest::new(vec![id(2)], "pay", approver(), BulkMode::BestEffort);
    let report = block_on(machine.fire_bulk(&store, request)).expect("bulk runs");
    assert_eq!(report.failed(), 1);
    assert!(journal.lines().is_empty(), "{:?}", journal.lines());
    for n in 1..=2 {
        let history = store.history(&id(n));
        assert_eq!(history.len(), 1, "the failed attempt is audited");
        assert_eq!(history[0].entry.target, None);
    }
}

#[test]
fn a_handler_that_panics_is_a_failed_attempt_audited_with_its_error_state() {
    let machine = Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .state(StateDecl::new("payment_failed"))
        .transition(
            TransitionDecl::new("pay")
                .from("new")
                .to("paid")
                .on_error("payment_failed")
                .handler(|order: &mut Order, _| {
                    order.customer = "half-changed".to_owned();
                    if order.amount_cents > 0 {
                        panic!("a bug in deployer code");
                    }
                    Ok(())
                }),
        )
        .build()
        .expect("builds");
    let store = MemoryStore::new();
    for n in 1..=2 {
        store.insert(&machine, n, Order::new("ok", 100));
    }
    let error =
        block_on(machine.fire(&store, FireRequest::new(1, "pay", approver()))).expect_err("fails");
    let FireError::HandlerFailed { error, .. } = error else {
        panic!("expected a failed handler, got {error:?}");
    };
    assert!(error.message().contains("failed unexpectedly"), "{error:?}");
    let request = BulkRequest::new(vec![id(2)], "pay", approver(), BulkMode::BestEffort);
    let report = block_on(machine.fire_bulk(&store, request)).expect("the bulk fire survives");
    assert_eq!(report.failed(), 1);
    for n in 1..=2 {
        let history = store.history(&id(n));
        assert_eq!(history.len(), 1, "the panicked attempt is audited");
        assert_eq!(
            history[0].entry.target.as_ref().map(|s| s.as_str()),
            Some("payment_failed")
        );
        let row = store.get(&machine, &id(n)).expect("the row");
        assert_eq!(row.state().as_str(), "payment_failed");
        assert_eq!(
            row.object().customer,
            "ok",
            "the half-changed object is dropped"
        );
    }
}
