//! A deployer's admin options, seen through the console's `AdminResource` over a real SQLite
//! database: unmet conditions shown disabled with their sentence, forbidden transitions shown
//! or absent per resource, label and visibility hooks (also enforced when firing), and a
//! resource form overriding the machine's.

use app::{
    admin::{
        form::FormFeature,
        object::{
            types::{ActionView, FireInput},
            ObjectFeature,
        },
        resource::{
            options::{
                ActionBatch, ActionFuture, ActionOutcome, AdminOptions, CustomAction,
                UnavailableDisplay,
            },
            MachineResource,
        },
    },
    db::{scratch::ScratchDatabase, Backend},
    error::AppError,
    orders::{orders_table, seed_orders, Order},
};
use switchyard_engine::{
    Actor, BulkMode, FieldKind, Form, FormField, Machine, StateDecl, TransitionDecl,
};

fn machine() -> Machine<Order> {
    Machine::builder("orders")
        .state(StateDecl::new("new").label("New").initial())
        .state(StateDecl::new("approved").label("Approved"))
        .state(StateDecl::new("on_hold").label("On hold"))
        .state(StateDecl::new("shipped").label("Shipped"))
        .transition(
            TransitionDecl::new("approve")
                .from("new")
                .to("approved")
                .label("Approve")
                .confirm("Approve this order?")
                .condition(
                    "small",
                    "Amounts above 1000 need a manager.",
                    |o: &Order| o.amount_cents <= 100_000,
                ),
        )
        .transition(
            TransitionDecl::new("flag")
                .from("new")
                .to("on_hold")
                .label("Flag")
                .permission("orders.flag"),
        )
        .transition(
            TransitionDecl::new("ship")
                .from("new")
                .to("shipped")
                .label("Ship")
                .form(Form::new().field(FormField::new("tracking_number", FieldKind::Text))),
        )
        .build()
        .expect("machine")
}

fn labels(actions: &[ActionView]) -> Vec<(&str, Option<&str>)> {
    actions
        .iter()
        .map(|a| (a.label.as_str(), a.disabled_reason.as_deref()))
        .collect()
}

#[tokio::test]
async fn admin_options_shape_the_buttons_and_are_enforced() {
    let database = ScratchDatabase::create(Backend::Sqlite)
        .await
        .expect("scratch")
        .expect("SQLite is always available");
    let db = database.connect().await.expect("connect");
    // Row 28 is seeded at 1,000.27; row 1 at 1.00.
    seed_orders(&db, 28).await.expect("seed");
    let clerk = Actor::new(7, "clerk").with_permissions(["orders.view"]);

    let plain = MachineResource::new(
        machine(),
        orders_table().expect("table"),
        AdminOptions::new("Orders", "order"),
    )
    .expect("resource");
    let page = plain.object(&db, "28", &clerk).await.expect("object page");
    assert_eq!(
        labels(&page.blocks[0].actions),
        [
            ("Approve", Some("Amounts above 1000 need a manager.")),
            ("Ship", None)
        ],
        "unmet conditions are disabled with the sentence; forbidden ones are absent"
    );
    assert_eq!(
        page.blocks[0].actions[0].confirm.as_deref(),
        Some("Approve this order?")
    );
    assert!(page.blocks[0].actions[1].has_form, "ship opens its form");

    let shaped = AdminOptions::new("Orders", "order")
        .unavailable(UnavailableDisplay {
            conditions_unmet: true,
            forbidden: true,
            wrong_state: false,
        })
        .label_when(|transition, order: &Order| {
            (transition.name().as_str() == "approve" && order.amount_cents < 1_000)
                .then(|| "Approve small order".to_owned())
        })
        .visible_when(|transition, order: &Order, _actor| {
            (transition.name().as_str() == "ship" && order.amount_cents <= 500).then_some(false)
        })
        .form(
            "ship",
            Form::new().field(FormField::new("reference", FieldKind::Text).required()),
        );
    let shaped =
        MachineResource::new(machine(), orders_table().expect("table"), shaped).expect("resource");
    let page = shaped.object(&db, "1", &clerk).await.expect("object page");
    assert_eq!(
        labels(&page.blocks[0].actions),
        [
            ("Approve small order", None),
            ("Flag", Some("You do not have permission."))
        ],
        "the label hook renames, the visibility hook hides `ship` for 1.00"
    );

    // Hidden by the hook: refused when posted by hand, and nothing changes.
    let input = FireInput {
        resource: "orders".to_owned(),
        id: "1".to_owned(),
        transition: "ship".to_owned(),
        version: 1,
        ..FireInput::default()
    };
    let refused = shaped.fire(&db, &input, &clerk).await;
    assert!(
        matches!(refused, Err(AppError::NotAllowed(_))),
        "{refused:?}"
    );

    // The resource's form wins over the machine's.
    let form = shaped
        .form(&db, "28", "ship", &clerk)
        .await
        .expect("form page");
    let fields: Vec<&str> = form.form.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["reference"]);
    let missing = shaped
        .fire(
            &db,
            &FireInput {
                id: "28".to_owned(),
                ..input.clone()
            },
            &clerk,
        )
        .await;
    assert!(
        matches!(missing, Err(AppError::FormInvalid(ref errors)) if errors.contains_key("reference")),
        "{missing:?}"
    );
    let page = shaped.object(&db, "28", &clerk).await.expect("object page");
    assert_eq!(page.blocks[0].state.name, "new", "nothing changed");
}

#[test]
fn options_naming_missing_columns_are_refused() {
    let sortable_ghost = AdminOptions::new("Orders", "order").column(
        app::admin::resource::options::Column::new("ghost", "Ghost", |_: &Order| String::new())
            .sortable(),
    );
    let refused = MachineResource::new(machine(), orders_table().expect("table"), sortable_ghost);
    assert!(refused.is_err_and(|e| e.to_string().contains("`ghost`")));
    let search_amount = AdminOptions::new("Orders", "order").search(&["amount_cents"]);
    let refused = MachineResource::new(machine(), orders_table().expect("table"), search_amount);
    assert!(refused.is_err_and(|e| e.to_string().contains("not a text column")));
    let edit_state = AdminOptions::new("Orders", "order")
        .editable(Form::new().field(FormField::new("state", FieldKind::Text)));
    let refused = MachineResource::new(machine(), orders_table().expect("table"), edit_state);
    assert!(refused.is_err_and(|e| e.to_string().contains("editable field `state`")));
}

#[test]
fn bulk_options_must_name_transitions_and_actions_must_not() {
    let mode_of_nothing =
        AdminOptions::new("Orders", "order").bulk_mode("teleport", BulkMode::AllOrNothing);
    let refused = MachineResource::new(machine(), orders_table().expect("table"), mode_of_nothing);
    assert!(refused.is_err_and(|e| e
        .to_string()
        .contains("`teleport`, which is not a transition")));
    let action = |name: &str| {
        CustomAction::new(name, "Do it", |batch: ActionBatch<Order>| -> ActionFuture {
            Box::pin(async move { Ok(vec![ActionOutcome::Done; batch.rows.len()]) })
        })
    };
    let shadowing = AdminOptions::new("Orders", "order").action(action("ship"));
    let refused = MachineResource::new(machine(), orders_table().expect("table"), shadowing);
    assert!(refused.is_err_and(|e| e.to_string().contains("bulk action `ship`")));
    let twice = AdminOptions::new("Orders", "order")
        .action(action("export"))
        .action(action("export"));
    let refused = MachineResource::new(machine(), orders_table().expect("table"), twice);
    assert!(refused.is_err_and(|e| e.to_string().contains("bulk action `export`")));
    let fine = AdminOptions::new("Orders", "order")
        .bulk_mode("ship", BulkMode::AllOrNothing)
        .action(action("export"));
    assert!(MachineResource::new(machine(), orders_table().expect("table"), fine).is_ok());
}
