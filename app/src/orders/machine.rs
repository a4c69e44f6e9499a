//! The orders machine exactly as `SCENARIO.md` declares it, and the table it lives in.
//!
//! Every transition needs the permission `orders.<transition>` (superusers hold all), so the
//! demo's viewer can fire nothing and the clerk exactly `pay`, `ship`, `deliver`, `cancel`.

use serde::Deserialize;
use switchyard_engine::{
    BuildError, FieldKind, Form, FormField, GroupDecl, HandlerError, Machine, StateDecl,
    TransitionDecl,
};

use super::model::Order;
use crate::db::{ColumnKind, SqlStore, Table, TableDecl, TableError};

/// The engine's storage for orders.
pub type OrdersStore = SqlStore<Order>;

/// The arguments of `ship`, as its form cleans them.
#[derive(Debug, Clone, Deserialize)]
pub struct ShipArguments {
    /// The carrier's tracking number, 3..64 characters.
    pub tracking_number: String,
    /// `dhl`, `ups` or `fedex`.
    pub carrier: String,
}

/// Amounts above 1000 (in cents: 100,000) fail the fraud check.
const FRAUD_CHECK_LIMIT_CENTS: i64 = 100_000;

fn ship_form() -> Form {
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

/// The orders machine of SCENARIO.md.
pub fn orders_machine() -> Result<Machine<Order>, BuildError> {
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
        .group(GroupDecl::including(
            "open",
            "Open",
            &["new", "paid", "on_hold", "approved"],
        ))
        .group(GroupDecl::excluding(
            "closed",
            "Closed",
            &["new", "paid", "on_hold", "approved", "shipped"],
        ))
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
                    Ok(())
                }),
        )
        .transition(
            TransitionDecl::new("deliver")
                .from("shipped")
                .to("delivered")
                .label("Deliver")
                .permission("orders.deliver"),
        )
        .transition(
            TransitionDecl::new("cancel")
                .from_states(&["new", "paid"])
                .to("cancelled")
                .label("Cancel order")
                .help("Only before shipping.")
                .permission("orders.cancel"),
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
                .label("Resume")
                .permission("orders.resume"),
        )
        .transition(
            TransitionDecl::new("fail_check")
                .from("new")
                .to("approved")
                .label("Fraud check")
                .permission("orders.fail_check")
                .on_error("failed")
                .handler(|order: &mut Order, _| {
                    if order.amount_cents > FRAUD_CHECK_LIMIT_CENTS {
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
        .build()
}

/// The `orders` table (migration 0003): integer key, text state, version, `updated_at`.
pub fn orders_table() -> Result<Table, TableError> {
    TableDecl::new("orders")
        .column("customer", ColumnKind::Text)
        .column("amount_cents", ColumnKind::Integer)
        .column("tracking_number", ColumnKind::Text)
        .column("payment_recorded", ColumnKind::Boolean)
        .build()
}
