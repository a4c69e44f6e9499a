//! The two machines of a campaign exactly as `SCENARIO.md` declares them, and their table.
//!
//! `step` stores integers (django-fsm's `FSMIntegerField`); `review` stores a key into the
//! `review_states` table (`FSMKeyField`), whose rows give the labels and descriptions the
//! console shows. Transition names are unique across both machines, as the console requires.

use serde::Deserialize;
use switchyard_engine::{
    BuildError, FieldKind, Form, FormField, GroupDecl, Machine, StateDecl, StateStorage,
    TransitionDecl,
};

use super::model::Campaign;
use crate::db::{ColumnKind, StateKind, Table, TableDecl, TableError};

/// The arguments of `reject`, as its form cleans them.
#[derive(Debug, Clone, Deserialize)]
pub struct RejectArguments {
    /// Why, 5..500 characters; it becomes the audit row's description.
    pub reason: String,
}

/// The `step` machine: draft → producing → closed, or cancelled on the way.
pub fn step_machine() -> Result<Machine<Campaign>, BuildError> {
    Machine::builder("campaigns")
        .field("step")
        .storage(StateStorage::IntegerCode)
        .state(
            StateDecl::new("draft")
                .label("Draft")
                .description("Being planned")
                .code(1)
                .initial()
                .colour("grey"),
        )
        .state(
            StateDecl::new("producing")
                .label("Being produced")
                .description("Jobs are being produced")
                .code(2)
                .colour("blue"),
        )
        .state(
            StateDecl::new("closed")
                .label("Closed")
                .description("Delivered to the client")
                .code(3)
                .final_state()
                .colour("green"),
        )
        .state(
            StateDecl::new("cancelled")
                .label("Cancelled")
                .description("Stopped before delivery")
                .code(4)
                .final_state()
                .colour("red"),
        )
        .group(GroupDecl::including(
            "active",
            "Active",
            &["draft", "producing"],
        ))
        .transition(
            TransitionDecl::new("add_job")
                .from_states(&["draft", "producing"])
                .to_unchanged()
                .label("Add job")
                .permission("campaigns.add_job")
                .handler(|campaign: &mut Campaign, _| {
                    campaign.jobs += 1;
                    Ok(())
                }),
        )
        .transition(
            TransitionDecl::new("produce")
                .from("draft")
                .to("producing")
                .label("Start production")
                .permission("campaigns.produce")
                .condition("has_jobs", "Add a job first.", |campaign: &Campaign| {
                    campaign.jobs >= 1
                }),
        )
        .transition(
            TransitionDecl::new("deliver")
                .from("producing")
                .to("closed")
                .label("Deliver campaign")
                .permission("campaigns.deliver"),
        )
        .transition(
            TransitionDecl::new("cancel")
                .from_states(&["draft", "producing"])
                .to("cancelled")
                .label("Cancel campaign")
                .permission("campaigns.cancel")
                .confirm("Cancel this campaign? This cannot be undone."),
        )
        .build()
}

fn reject_form() -> Form {
    Form::new()
        .field(
            FormField::new("reason", FieldKind::Textarea)
                .label("Reason")
                .required()
                .length(5, 500)
                .help("Tell the team what to change; it is kept in the history."),
        )
        .description_field("reason")
}

/// The `review` machine, over the keys of `review_states`.
pub fn review_machine() -> Result<Machine<Campaign>, BuildError> {
    Machine::builder("campaigns")
        .field("review")
        .storage(StateStorage::StatesTable {
            table: "review_states".to_owned(),
        })
        .state(
            StateDecl::new("pending")
                .label("Pending review")
                .initial()
                .colour("orange"),
        )
        .state(StateDecl::new("approved").label("Approved").colour("green"))
        .state(StateDecl::new("rejected").label("Rejected").colour("red"))
        .transition(
            TransitionDecl::new("approve")
                .from("pending")
                .to("approved")
                .label("Approve")
                .permission("campaigns.review"),
        )
        .transition(
            TransitionDecl::new("reject")
                .from("pending")
                .to("rejected")
                .label("Reject")
                .permission("campaigns.review")
                .form(reject_form())
                .handler_with_args(|_: &mut Campaign, _, _: RejectArguments| Ok(())),
        )
        .transition(
            TransitionDecl::new("reset_review")
                .from_any_other()
                .to("pending")
                .label("Back to review")
                .permission("campaigns.review"),
        )
        .build()
}

/// The `campaigns` table (migration 0009): integer key, integer `step`, text `review`
/// (a foreign key into `review_states`), one version, `updated_at`.
pub fn campaigns_table() -> Result<Table, TableError> {
    TableDecl::new("campaigns")
        .state("step", StateKind::Integer)
        .and_state("review", StateKind::Text)
        .column("name", ColumnKind::Text)
        .column("jobs", ColumnKind::Integer)
        .build()
}
