//! Switchyard's state engine: machines declared once, queried, and fired through one path.
//!
//! The engine decides and orchestrates; it does no I/O of its own. Storage is the
//! [`Store`]/[`StoreTransaction`] pair of traits (async, runtime-free); the [`memory`] store
//! implements them for tests and examples, and a sqlx store implements them for SQLite and
//! PostgreSQL in one database transaction per fire.
//!
//! # Declaring and firing
//!
//! The orders machine of `SCENARIO.md`, fired on the memory store:
//!
//! ```
//! use futures_executor::block_on;
//! use serde::Deserialize;
//! use switchyard_engine::memory::MemoryStore;
//! use switchyard_engine::{
//!     Actor, FieldKind, FireRequest, Form, FormField, HandlerError, Machine, ObjectId, Outcome,
//!     StateDecl, TransitionDecl,
//! };
//!
//! /// Every column of an order except its state, which only the engine writes.
//! #[derive(Clone, Debug)]
//! struct Order { amount_cents: i64, tracking_number: String, payment_recorded: bool }
//!
//! #[derive(Deserialize)]
//! struct Ship { tracking_number: String, carrier: String }
//!
//! let ship_form = Form::new()
//!     .field(FormField::new("tracking_number", FieldKind::Text).required().length(3, 64))
//!     .field(FormField::select("carrier", &[("dhl", "DHL"), ("ups", "UPS"), ("fedex", "FedEx")]))
//!     .field(FormField::new("note", FieldKind::Textarea))
//!     .description_field("note");
//!
//! let machine = Machine::<Order>::builder("orders")
//!     .state(StateDecl::new("new").label("New").initial())
//!     .state(StateDecl::new("paid").label("Paid"))
//!     .state(StateDecl::new("shipped").label("Shipped"))
//!     .state(StateDecl::new("delivered").label("Delivered").final_state())
//!     .state(StateDecl::new("cancelled").label("Cancelled").final_state())
//!     .state(StateDecl::new("on_hold").label("On hold"))
//!     .state(StateDecl::new("approved").label("Approved"))
//!     .state(StateDecl::new("failed").label("Failed"))
//!     .transition(TransitionDecl::new("pay").from("new").to("paid").label("Mark as paid")
//!         .help("Payment has been received.")
//!         .handler(|order: &mut Order, _| { order.payment_recorded = true; Ok(()) }))
//!     .transition(TransitionDecl::new("ship").from("paid").to("shipped").label("Ship").form(ship_form)
//!         .handler_with_args(|order: &mut Order, _, args: Ship| {
//!             order.tracking_number = format!("{} {}", args.carrier, args.tracking_number);
//!             Ok(())
//!         }))
//!     .transition(TransitionDecl::new("deliver").from("shipped").to("delivered"))
//!     .transition(TransitionDecl::new("cancel").from_states(&["new", "paid"]).to("cancelled")
//!         .label("Cancel order").help("Only before shipping."))
//!     .transition(TransitionDecl::new("hold").from_any().to("on_hold").hidden_from_admin())
//!     .transition(TransitionDecl::new("resume").from("on_hold")
//!         .to_computed(&["new", "paid"], |order: &Order| {
//!             if order.payment_recorded { "paid" } else { "new" }.to_owned()
//!         }))
//!     .transition(TransitionDecl::new("fail_check").from("new").to("approved").label("Fraud check")
//!         .on_error("failed")
//!         .handler(|order: &mut Order, _| match order.amount_cents > 100_000 {
//!             true => Err(HandlerError::new("Amount above 1000 needs a manual review.")),
//!             false => Ok(()),
//!         }))
//!     .transition(TransitionDecl::new("reopen").from_any_other().to("new").permission("orders.reopen"))
//!     .build()?;
//!
//! let store = MemoryStore::new();
//! store.insert(&machine, 1, Order { amount_cents: 4_200, tracking_number: String::new(), payment_recorded: false });
//!
//! let clerk = Actor::new(2, "clerk");
//! let fired = block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk.clone())))?;
//! assert!(matches!(&fired.outcome, Outcome::Moved { to, .. } if to == "paid"));
//! assert_eq!(fired.row.version().get(), 2);
//! assert_eq!(store.history(&ObjectId::Int(1)).len(), 1);
//!
//! // Paying twice is refused, with the reason, and changes nothing.
//! let again = block_on(machine.fire(&store, FireRequest::new(1, "pay", clerk)));
//! assert!(again.is_err());
//! assert_eq!(store.history(&ObjectId::Int(1)).len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The firing path
//!
//! [`Machine::fire`] and [`Machine::fire_bulk`] share one path; every caller (a console
//! button, a form page, a bulk job's batch, deployer code) goes through it, in this order:
//!
//! 1. open a transaction and load the row(s) in one call (locked when pessimistic);
//! 2. resolve the transition for each row's **current** state (exact source, then `*`, then
//!    `+`); a name the machine does not declare is refused before anything is read;
//! 3. the check chain ([`Machine::statuses`] and the other queries run the same chain, up to
//!    the conditions), each refusal outranking the ones after it:
//!
//!    | step | refusal | console status |
//!    |---|---|---|
//!    | visibility (only [`Channel::Console`], by the request's [`ConsoleRule`]) | [`Unavailable::Hidden`] | 403 |
//!    | the version the caller saw (single fires) | [`FireError::Conflict`] | 409 |
//!    | a declaration starts from the current state | [`Unavailable::WrongState`] | 422 |
//!    | permission | [`Unavailable::Forbidden`] | 403 |
//!    | **every** condition (all failing sentences together) | [`Unavailable::ConditionsUnmet`] | 422 |
//!    | the form's fields, cleaned by the form the rule picks ([`ConsoleRule::form`]) | [`FireError::FormInvalid`] | 422 |
//!
//!    In all-or-nothing mode every row is checked before any handler runs;
//! 4. before hooks (may veto: [`FireError::Vetoed`]), the handler on a copy of the object
//!    (typed arguments deserialized from JSON: [`FireError::InvalidArguments`]), the target
//!    (fixed, unchanged, or computed and checked against its allowed set:
//!    [`FireError::TargetNotAllowed`]), leave/enter hooks, after hooks;
//! 5. one compare-and-set of state **and** version for all rows (a stale read is caught even
//!    after A→B→A: [`FireError::Conflict`]), one audit insert, commit, then after-commit
//!    hooks.
//!
//! Any failure rolls back. Handler failures are the exception: with `on_error` the error
//! state is stored with a failed audit row, after hooks and after-commit hooks run with the
//! error, and the caller still gets [`FireError::HandlerFailed`]; without it the row is
//! untouched, only the failed attempt is logged (one audit row per attempt that reached the
//! handler), and no after or after-commit hook runs (django-fsm-2 sends no
//! `post_transition` then). Refusals before the handler write nothing.
//!
//! The audit description is the request's, else the form's description field, read out of
//! the arguments in one place, [`Form::description_of`]. A batch of a stored bulk job
//! ([`Request::in_job`]) writes audit rows that name the job instead of repeating its
//! arguments and description.
//!
//! # Decisions
//!
//! - **Protected state.** The object type `O` holds every column except the state. A [`Row`]
//!   (state + version + object) comes only from [`Machine::decode_row`] or a fire, and a
//!   [`RowWrite`] only from the engine, so deployer code cannot set the state.
//! - **Object payload.** The engine needs `O: Clone + Send + Sync`; stores add their own
//!   bounds. A generic sqlx store is expected to require `O: Serialize + DeserializeOwned` and
//!   map each top-level field to the column of the same name.
//! - **`*` and `+`** start from every *non-final* state; final states have no way out.
//! - **Unreachable states** are a warning ([`Machine::warnings`]), not an error: rows imported
//!   in an archived state are legitimate.
//! - **Clock-free.** Audit entries carry no time; the store stamps them.
//! - **Hooks** other than after-commit run inside the transaction and must not do I/O that
//!   cannot be undone; use after-commit hooks for e-mails and queues.
//! - **Diagrams.** SVG is laid out by the pure-Rust `layout-rs` crate; no Graphviz needed.

mod actor;
mod audit;
mod build;
mod commit_step;
mod declare;
mod error;
mod fire;
mod form;
mod graph;
mod guard;
mod hooks;
mod machine;
pub mod memory;
mod names;
mod plan;
mod request;
mod run;
mod state;
mod store;
mod transition;

pub use actor::Actor;
pub use audit::{AuditEntry, AuditOutcome};
pub use commit_step::{BeforeCommit, NoStep, Staged};
pub use error::{BuildError, BuildWarning, FireError, StoreError};
pub use form::{Cleaned, FieldErrors, FieldKind, Form, FormField, TEXTAREA_MAX, TEXT_MAX};
pub use graph::{svg_stack, Diagram, DiagramOptions, DiagramState, Edge};
pub use guard::{Channel, ConsoleRule, FlagRule, TransitionStatus, Unavailable, UnmetCondition};
pub use hooks::TransitionEvent;
pub use machine::{Machine, MachineBuilder};
pub use names::{NameError, NegativeVersion, ObjectId, StateName, TransitionName, Version};
pub use request::{
    Attempted, BulkMode, BulkReport, BulkRequest, BulkRowOutcome, FireRequest, Fired, ManyRows,
    OneRow, Outcome, Request,
};
pub use state::{GroupDecl, GroupKind, State, StateDecl, StateGroup, StateStorage, StoredState};
pub use store::{LockMode, Row, RowWrite, Store, StoreTransaction, StoredRow};
pub use transition::{
    Condition, HandlerError, Permission, Source, Target, Transition, TransitionDecl,
};
