//! The SCENARIO orders machine, a memory store seeded with orders, and the demo actors.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use switchyard_engine::memory::MemoryStore;
use switchyard_engine::{
    Actor, FieldKind, Form, FormField, GroupDecl, HandlerError, Machine, MachineBuilder, ObjectId,
    StateDecl, TransitionDecl,
};

/// An order, without its state column: only the engine writes the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub customer: String,
    pub amount_cents: i64,
    pub tracking_number: String,
    pub carrier: Option<String>,
    pub payment_recorded: bool,
}

impl Order {
    pub fn new(customer: &str, amount_cents: i64) -> Self {
        Order {
            customer: customer.to_owned(),
            amount_cents,
            tracking_number: String::new(),
            carrier: None,
            payment_recorded: false,
        }
    }
}

/// The arguments of `ship`, as cleaned by its form.
#[derive(Debug, Deserialize)]
pub struct ShipArguments {
    pub tracking_number: String,
    pub carrier: String,
}

pub fn ship_form() -> Form {
    Form::new()
        .field(
            FormField::new("tracking_number", FieldKind::Text)
                .label("Tracking number")
                .required()
                .length(3, 64)
                .initial_from("tracking_number"),
        )
        .field(
            FormField::select(
                "carrier",
                &[("dhl", "DHL"), ("ups", "UPS"), ("fedex", "FedEx")],
            )
            .label("Carrier")
            .required(),
        )
        .field(FormField::new("note", FieldKind::Textarea).label("Note"))
        .description_field("note")
}

/// The orders machine of SCENARIO.md, before `build()`, so tests can add hooks.
pub fn orders_builder() -> MachineBuilder<Order> {
    Machine::builder("orders")
        .state(StateDecl::new("new").label("New").initial().colour("grey"))
        .state(StateDecl::new("paid").label("Paid").colour("blue"))
        .state(StateDecl::new("shipped").label("Shipped").colour("purple"))
        .state(
            StateDecl::new("delivered")
                .label("Delivered")
                .final_state()
                .colour("green"),
        )
        .state(
            StateDecl::new("cancelled")
                .label("Cancelled")
                .final_state()
                .colour("red"),
        )
        .state(StateDecl::new("on_hold").label("On hold").colour("orange"))
        .state(StateDecl::new("approved").label("Approved").colour("teal"))
        .state(StateDecl::new("failed").label("Failed").colour("black"))
        .transition(
            TransitionDecl::new("pay")
                .from("new")
                .to("paid")
                .label("Mark as paid")
                .help("Payment has been received.")
                .permission("orders.pay")
                .handler(|order: &mut Order, _| {
                    order.payment_recorded = true;
                    Ok(())
                }),
        )
        .transition(
            TransitionDecl::new("ship")
                .from("paid")
                .to("shipped")
                .label("Ship")
                .permission("orders.ship")
                .form(ship_form())
                .handler_with_args(|order: &mut Order, _, arguments: ShipArguments| {
                    order.tracking_number = arguments.tracking_number;
                    order.carrier = Some(arguments.carrier);
                    Ok(())
                }),
        )
        .transition(
            TransitionDecl::new("deliver")
                .from("shipped")
                .to("delivered")
                .permission("orders.deliver"),
        )
        .transition(
            TransitionDecl::new("cancel")
                .from_states(&["new", "paid"])
                .to("cancelled")
                .label("Cancel order")
                .help("Only before shipping.")
                .permission("orders.cancel")
                .confirm("Cancel this order?"),
        )
        .transition(
            TransitionDecl::new("hold")
                .from_any()
                .to("on_hold")
                .label("Put on hold")
                .permission("orders.hold")
                .hidden_from_admin(),
        )
        .transition(
            TransitionDecl::new("resume")
                .from("on_hold")
                .to_computed(&["new", "paid"], |order: &Order| {
                    if order.payment_recorded {
                        "paid"
                    } else {
                        "new"
                    }
                    .to_owned()
                })
                .label("Resume"),
        )
        .transition(
            TransitionDecl::new("fail_check")
                .from("new")
                .to("approved")
                .label("Fraud check")
                .on_error("failed")
                .handler(|order: &mut Order, _| {
                    if order.amount_cents > 100_000 {
                        Err(HandlerError::new(
                            "Amount above 1000 needs a manual review.",
                        ))
                    } else {
                        Ok(())
                    }
                }),
        )
        .transition(
            TransitionDecl::new("reopen")
                .from_any_other()
                .to("new")
                .label("Reopen")
                .permission("orders.reopen"),
        )
        .group(GroupDecl::including(
            "open",
            "Open",
            &["new", "paid", "shipped", "on_hold"],
        ))
        .group(GroupDecl::excluding(
            "not_closed",
            "Not closed",
            &["delivered", "cancelled"],
        ))
}

pub fn orders_machine() -> Machine<Order> {
    match orders_builder().build() {
        Ok(machine) => machine,
        Err(error) => panic!("the orders machine must build: {error}"),
    }
}

pub fn admin() -> Actor {
    Actor::superuser(1, "admin")
}

pub fn clerk() -> Actor {
    Actor::new(2, "clerk").with_permissions([
        "orders.pay",
        "orders.ship",
        "orders.deliver",
        "orders.cancel",
    ])
}

pub fn viewer() -> Actor {
    Actor::new(3, "viewer")
}

/// A store with orders 1..=n in `new`; order i has amount (i * 37 % 1500 + 1) units.
pub fn seeded(machine: &Machine<Order>, n: i64) -> MemoryStore<Order> {
    let store = MemoryStore::new();
    for i in 1..=n {
        let amount_cents = ((i * 37) % 1500 + 1) * 100;
        store.insert(
            machine,
            i,
            Order::new(&format!("Customer {i:07}"), amount_cents),
        );
    }
    store
}

pub fn id(n: i64) -> ObjectId {
    ObjectId::Int(n)
}

/// Records hook calls as lines, for asserting their order.
#[derive(Clone, Default)]
pub struct Journal(Arc<Mutex<Vec<String>>>);

impl Journal {
    pub fn push(&self, line: String) {
        self.0.lock().expect("journal lock").push(line);
    }
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().expect("journal lock").clone()
    }
}
