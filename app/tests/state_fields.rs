//! Registering a resource with several state fields: each machine must drive a state column
//! of the table with a fitting storage, belong to the resource, and take no transition or
//! group name another field declares.

use app::{
    admin::resource::{options::AdminOptions, MachineResource},
    campaigns::{
        machine::{campaigns_table, review_machine, step_machine},
        Campaign,
    },
};
use switchyard_engine::{GroupDecl, Machine, StateDecl, StateStorage, TransitionDecl};

fn options() -> AdminOptions<Campaign> {
    AdminOptions::new("Campaigns", "campaign")
}

fn step() -> MachineResource<Campaign> {
    MachineResource::new(
        step_machine().expect("step"),
        campaigns_table().expect("table"),
        options(),
    )
    .expect("the step field registers")
}

/// A review-like machine over `field`, declaring `transition` and a group `group`.
fn review_like(resource: &str, field: &str, transition: &str, group: &str) -> Machine<Campaign> {
    Machine::builder(resource)
        .field(field)
        .state(StateDecl::new("pending").initial())
        .state(StateDecl::new("approved"))
        .group(GroupDecl::including(group, "Some", &["pending"]))
        .transition(
            TransitionDecl::new(transition)
                .from("pending")
                .to("approved"),
        )
        .build()
        .expect("a valid machine")
}

fn refusal(result: Result<MachineResource<Campaign>, impl ToString>) -> String {
    match result {
        Ok(_) => panic!("the registration should be refused"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn the_demo_campaigns_register_with_both_fields_in_order() {
    let resource = app::campaigns::admin::resource().expect("campaigns register");
    let fields: Vec<(&str, &str)> = resource
        .fields()
        .iter()
        .map(|field| (field.name(), field.label()))
        .collect();
    assert_eq!(fields, [("step", "Step"), ("review", "Review")]);
}

#[test]
fn a_transition_name_taken_by_another_field_is_refused() {
    let twice = step().and_machine("Review", review_like("campaigns", "review", "cancel", "g"));
    assert!(refusal(twice).contains(
        "the transition name `cancel` is declared by the machines of both `step` and `review`"
    ));
}

#[test]
fn a_group_name_taken_by_another_field_is_refused() {
    let twice = step().and_machine(
        "Review",
        review_like("campaigns", "review", "approve", "active"),
    );
    assert!(refusal(twice).contains("the state group `active`"));
}

#[test]
fn a_machine_of_another_resource_or_column_is_refused() {
    let other = step().and_machine("Review", review_like("orders", "review", "approve", "g"));
    assert!(refusal(other).contains("belongs to resource `orders`"));
    let missing = step().and_machine("Stage", review_like("campaigns", "stage", "approve", "g"));
    assert!(refusal(missing).contains("`stage` is not a state column of `campaigns`"));
    let again = step().and_machine("Step", review_like("campaigns", "step", "approve", "g"));
    assert!(refusal(again).contains("two machines drive the field `step`"));
}

#[test]
fn a_storage_that_does_not_fit_the_column_is_refused() {
    // Integer codes in the text column `review`.
    let integers = Machine::<Campaign>::builder("campaigns")
        .field("review")
        .storage(StateStorage::IntegerCode)
        .state(StateDecl::new("pending").code(1).initial())
        .build()
        .expect("a valid machine");
    assert!(refusal(step().and_machine("Review", integers)).contains("stores IntegerCode"));
    // A states table that is not a plain identifier.
    let table = Machine::<Campaign>::builder("campaigns")
        .field("review")
        .storage(StateStorage::StatesTable {
            table: "review_states; DROP TABLE users".to_owned(),
        })
        .state(StateDecl::new("pending").initial())
        .build()
        .expect("a valid machine");
    assert!(refusal(step().and_machine("Review", table)).contains("not a plain identifier"));
    let fine = step().and_machine("Review", review_machine().expect("review"));
    assert!(fine.is_ok());
}
