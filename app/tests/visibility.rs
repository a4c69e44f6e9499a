//! Which transitions the console offers, decided by the per-object hook, the browser's
//! override, the transition's flag and the global default, in that order; and every console
//! path (buttons, form page, fire, bulk menu, preview and run) following the same decision,
//! inside the engine's transaction too.

use app::{
    admin::{
        bulk::{types::BulkInput, BulkFeature},
        list::ListFeature,
        object::{types::FireInput, ObjectFeature},
        resource::{options::AdminOptions, MachineResource},
        settings::{
            types::{SettingEdit, SettingsInput},
            visibility::DefaultVisibility,
            SettingsFeature,
        },
    },
    db::{scratch::ScratchDatabase, settings, Backend, Db},
    error::AppError,
    orders::{orders_table, seed_orders, Order},
};
use switchyard_engine::{Actor, Channel, Machine, StateDecl, TransitionDecl};

/// `plain` leaves the flag unset, `secret` is hidden by its flag, `featured` shown by it.
fn machine() -> Machine<Order> {
    Machine::builder("orders")
        .state(StateDecl::new("new").label("New").initial())
        .state(StateDecl::new("done").label("Done"))
        .state(StateDecl::new("held").label("Held"))
        .transition(
            TransitionDecl::new("plain")
                .from("new")
                .to("done")
                .label("Plain"),
        )
        .transition(
            TransitionDecl::new("secret")
                .from("new")
                .to("held")
                .label("Secret")
                .hidden_from_admin(),
        )
        .transition(
            TransitionDecl::new("featured")
                .from("new")
                .to("done")
                .label("Featured")
                .shown_in_admin(),
        )
        .build()
        .expect("machine")
}

fn clerk() -> Actor {
    Actor::new(7, "clerk")
        .with_permissions(["orders.view"])
        .with_groups(["clerks"])
}

fn manager() -> Actor {
    Actor::new(8, "manager")
        .with_permissions(["orders.view", "orders.configure"])
        .with_groups(["managers"])
}

async fn database() -> (ScratchDatabase, Db) {
    let database = ScratchDatabase::create(Backend::Sqlite)
        .await
        .expect("scratch")
        .expect("SQLite is always available");
    let db = database.connect().await.expect("connect");
    seed_orders(&db, 4).await.expect("seed");
    for group in ["clerks", "managers"] {
        app::with_pool!(&db, pool => {
            sqlx::query("INSERT INTO groups (name) VALUES ($1)")
                .bind(group)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .expect("group");
    }
    (database, db)
}

fn resource(options: AdminOptions<Order>, default: DefaultVisibility) -> MachineResource<Order> {
    let mut resource =
        MachineResource::new(machine(), orders_table().expect("table"), options).expect("resource");
    resource.set_default_visibility(default);
    resource
}

async fn buttons(
    resource: &MachineResource<Order>,
    db: &Db,
    id: &str,
    actor: &Actor,
) -> Vec<String> {
    let mut page = resource.object(db, id, actor).await.expect("object page");
    page.blocks
        .swap_remove(0)
        .actions
        .into_iter()
        .map(|action| action.name)
        .collect()
}

fn edit(transition: &str, visibility: &str, groups: &[&str], revision: i64) -> SettingEdit {
    SettingEdit {
        transition: transition.to_owned(),
        visibility: visibility.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        revision,
        ..SettingEdit::default()
    }
}

async fn save(
    resource: &MachineResource<Order>,
    db: &Db,
    rows: Vec<SettingEdit>,
) -> Result<String, AppError> {
    let input = SettingsInput {
        resource: "orders".to_owned(),
        rows,
        from_console: false,
    };
    SettingsFeature::save_settings(resource, db, &input, &manager())
        .await
        .map(|message| message.text)
}

async fn revision(db: &Db, transition: &str) -> i64 {
    settings::read_all(db, "orders")
        .await
        .expect("settings")
        .get(transition)
        .map_or(0, |stored| stored.revision)
}

async fn fire(
    resource: &MachineResource<Order>,
    db: &Db,
    id: &str,
    transition: &str,
    actor: &Actor,
) -> Result<(), AppError> {
    let input = FireInput {
        resource: "orders".to_owned(),
        id: id.to_owned(),
        transition: transition.to_owned(),
        version: 1,
        ..FireInput::default()
    };
    ObjectFeature::fire(resource, db, &input, actor)
        .await
        .map(|_| ())
}

async fn state(db: &Db, id: i64) -> String {
    app::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT state FROM orders WHERE id = $1").bind(id).fetch_one(pool).await
    })
    .expect("state")
}

#[tokio::test]
async fn flags_and_the_global_default_decide_without_overrides() {
    let (_database, db) = database().await;
    let shown = resource(
        AdminOptions::new("Orders", "order"),
        DefaultVisibility::ShownUnlessHidden,
    );
    assert_eq!(
        buttons(&shown, &db, "1", &clerk()).await,
        ["plain", "featured"]
    );
    let hidden = resource(
        AdminOptions::new("Orders", "order"),
        DefaultVisibility::HiddenUnlessShown,
    );
    assert_eq!(buttons(&hidden, &db, "1", &clerk()).await, ["featured"]);
    let refused = fire(&hidden, &db, "1", "plain", &clerk()).await;
    assert!(
        matches!(&refused, Err(AppError::NotAllowed(text)) if text == "Plain is not offered in the console."),
        "{refused:?}"
    );
    // Hidden is refused as hidden (403), even from a stale page (which would be a 409).
    let stale = FireInput {
        resource: "orders".to_owned(),
        id: "1".to_owned(),
        transition: "plain".to_owned(),
        version: 5,
        ..FireInput::default()
    };
    let refused = ObjectFeature::fire(&hidden, &db, &stale, &clerk()).await;
    assert!(
        matches!(refused, Err(AppError::NotAllowed(_))),
        "{refused:?}"
    );
    assert_eq!(state(&db, 1).await, "new", "a refusal changes nothing");
}

#[tokio::test]
async fn an_override_beats_the_flag_and_the_default_and_reaches_the_engine() {
    let (_database, db) = database().await;
    let orders = resource(
        AdminOptions::new("Orders", "order"),
        DefaultVisibility::ShownUnlessHidden,
    );
    let saved = save(
        &orders,
        &db,
        vec![
            edit("secret", "shown", &[], 0),
            edit("plain", "hidden", &[], 0),
        ],
    )
    .await
    .expect("save");
    assert_eq!(saved, "Saved 2 changes.");
    assert_eq!(
        buttons(&orders, &db, "1", &clerk()).await,
        ["secret", "featured"]
    );
    // The flag hides `secret`, the override shows it: the engine's own check in the fire's
    // transaction follows the console's rule, so it fires.
    fire(&orders, &db, "1", "secret", &clerk())
        .await
        .expect("fires");
    assert_eq!(state(&db, 1).await, "held");
    let refused = fire(&orders, &db, "2", "plain", &clerk()).await;
    assert!(
        matches!(refused, Err(AppError::NotAllowed(_))),
        "{refused:?}"
    );
    assert_eq!(state(&db, 2).await, "new");

    // Shown to groups: the manager sees `plain`, the clerk does not.
    save(
        &orders,
        &db,
        vec![edit("plain", "groups", &["managers"], 1)],
    )
    .await
    .expect("save groups");
    assert_eq!(
        buttons(&orders, &db, "2", &clerk()).await,
        ["secret", "featured"]
    );
    assert_eq!(
        buttons(&orders, &db, "2", &manager()).await,
        ["plain", "secret", "featured"]
    );
    fire(&orders, &db, "2", "plain", &manager())
        .await
        .expect("a manager fires");
    assert_eq!(state(&db, 2).await, "done");

    // A label override names the transition in the history too.
    let mut renamed = edit("plain", "groups", &["managers"], 2);
    renamed.label = "Close".to_owned();
    save(&orders, &db, vec![renamed]).await.expect("rename");
    let history = ObjectFeature::history(&orders, &db, "2", 10)
        .await
        .expect("history");
    assert_eq!(history.entries[0].transition, "Close");
}

#[tokio::test]
async fn the_hook_comes_first_and_abstains_with_none() {
    let (_database, db) = database().await;
    // Order 1 is seeded at 1.00, order 2 at 38.01: the hook speaks for order 1 only.
    let options =
        AdminOptions::new("Orders", "order").visible_when(|transition, order: &Order, _| {
            match transition.name().as_str() {
                "plain" if order.amount_cents == 100 => Some(true),
                "featured" if order.amount_cents == 100 => Some(false),
                _ => None,
            }
        });
    let orders = resource(options, DefaultVisibility::ShownUnlessHidden);
    save(
        &orders,
        &db,
        vec![
            edit("plain", "hidden", &[], 0),
            edit("featured", "shown", &[], 0),
        ],
    )
    .await
    .expect("save");
    assert_eq!(
        buttons(&orders, &db, "1", &clerk()).await,
        ["plain"],
        "the hook shows `plain` over the override and hides `featured` over its flag"
    );
    assert_eq!(
        buttons(&orders, &db, "2", &clerk()).await,
        ["featured"],
        "where the hook says nothing, the override decides"
    );
    fire(&orders, &db, "1", "plain", &clerk())
        .await
        .expect("the hook shows it");
    assert_eq!(state(&db, 1).await, "done");
}

#[tokio::test]
async fn bulk_menus_previews_and_runs_follow_the_override() {
    let (_database, db) = database().await;
    let orders = resource(
        AdminOptions::new("Orders", "order"),
        DefaultVisibility::ShownUnlessHidden,
    );
    let bulk = |transition: &str| BulkInput {
        resource: "orders".to_owned(),
        transition: transition.to_owned(),
        ids: vec!["3".to_owned(), "4".to_owned()],
        ..BulkInput::default()
    };
    let preview =
        BulkFeature::bulk_preview(&orders, &db, &bulk("plain"), &clerk(), Channel::Console)
            .await
            .expect("preview");
    assert_eq!(preview.will_move, 2);
    save(&orders, &db, vec![edit("plain", "hidden", &[], 0)])
        .await
        .expect("hide");
    let list = orders
        .list(&db, &Default::default(), &clerk())
        .await
        .expect("list");
    let menu: Vec<&str> = list.bulk_actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(menu, ["featured"], "the bulk menu drops what is hidden");
    for refused in [
        BulkFeature::bulk_preview(&orders, &db, &bulk("plain"), &clerk(), Channel::Console)
            .await
            .map(|_| ()),
        BulkFeature::create_bulk_job(&orders, &db, &bulk("plain"), &clerk(), Channel::Console)
            .await
            .map(|_| ()),
    ] {
        assert!(
            matches!(refused, Err(AppError::NotAllowed(_))),
            "{refused:?}"
        );
    }
    assert_eq!(
        (state(&db, 3).await, state(&db, 4).await),
        ("new".to_owned(), "new".to_owned())
    );
}

#[tokio::test]
async fn saves_are_checked_audited_and_revertible() {
    let (_database, db) = database().await;
    let orders = resource(
        AdminOptions::new("Orders", "order"),
        DefaultVisibility::ShownUnlessHidden,
    );
    let invalid = [
        (
            vec![edit("nope", "shown", &[], 0)],
            "There is no transition `nope`.",
        ),
        (
            vec![edit("plain", "bogus", &[], 0)],
            "Choose Shown, Hidden or Shown to groups for Plain (not “bogus”).",
        ),
        (
            vec![edit("plain", "groups", &[], 0)],
            "Choose at least one group that sees Plain.",
        ),
        (
            vec![edit("plain", "groups", &["ghosts"], 0)],
            "There is no group “ghosts”.",
        ),
        (
            vec![
                edit("plain", "hidden", &[], 0),
                edit("plain", "shown", &[], 0),
            ],
            "`plain` is posted twice.",
        ),
    ];
    let mut control = edit("plain", "shown", &[], 0);
    control.label = "Clo\0se".to_owned();
    let mut reset_unknown = edit("nope", "shown", &[], 0);
    reset_unknown.reset = true;
    let invalid = invalid.into_iter().chain([
        (
            vec![control],
            "The label of Plain must be one line of text.",
        ),
        (vec![reset_unknown], "There is no transition `nope`."),
    ]);
    for (rows, sentence) in invalid {
        let refused = save(&orders, &db, rows).await;
        assert!(
            matches!(&refused, Err(AppError::Invalid(text)) if text == sentence),
            "{refused:?}"
        );
    }
    assert!(
        settings::read_all(&db, "orders")
            .await
            .expect("read")
            .is_empty(),
        "nothing saved"
    );

    // An untouched page (every choice what the code decides) stores nothing.
    let untouched = vec![
        edit("plain", "shown", &[], 0),
        edit("secret", "hidden", &[], 0),
        edit("featured", "shown", &[], 0),
    ];
    assert_eq!(
        save(&orders, &db, untouched).await.expect("save"),
        "Nothing changed."
    );

    let mut renamed = edit("plain", "hidden", &[], 0);
    renamed.label = "Close".to_owned();
    save(&orders, &db, vec![renamed]).await.expect("save");
    assert_eq!(revision(&db, "plain").await, 1);
    // A page read before that save is stale: refused, nothing changed.
    let stale = save(&orders, &db, vec![edit("plain", "shown", &[], 0)]).await;
    assert!(
        matches!(&stale, Err(AppError::Conflict(text)) if text.contains("Plain")),
        "{stale:?}"
    );
    assert_eq!(revision(&db, "plain").await, 1);

    let view = SettingsFeature::settings(&orders, &db, &manager())
        .await
        .expect("settings page");
    let plain = view
        .rows
        .iter()
        .find(|row| row.name == "plain")
        .expect("plain row");
    assert_eq!((plain.label.as_str(), plain.shown), ("Close", false));
    assert_eq!(plain.decided_by, "Override set in the browser");
    assert_eq!(plain.routes, ["New → Done"]);
    let secret = view
        .rows
        .iter()
        .find(|row| row.name == "secret")
        .expect("secret row");
    assert_eq!(secret.decided_by, "Code: hidden by the transition's flag");
    assert_eq!(view.changes.len(), 1);
    let change = &view.changes[0];
    assert_eq!(
        (
            change.actor.as_str(),
            change.before.as_str(),
            change.after.as_str()
        ),
        ("manager", "As declared in code", "Hidden; label “Close”")
    );

    let input = app::admin::settings::types::RevertInput {
        resource: "orders".to_owned(),
        change: Some(change.id),
        ..Default::default()
    };
    let reverted = SettingsFeature::revert_setting(&orders, &db, &input, &manager())
        .await
        .expect("revert");
    assert_eq!(
        reverted.text,
        format!(
            "Reverted change {}: Plain is As declared in code.",
            change.id
        )
    );
    assert_eq!(
        buttons(&orders, &db, "1", &clerk()).await,
        ["plain", "featured"]
    );
    let view = SettingsFeature::settings(&orders, &db, &manager())
        .await
        .expect("settings page");
    assert_eq!(view.changes.len(), 2);
    assert_eq!(view.changes[0].reverts, Some(change.id));

    // Reverting a change that later changes built on is refused: it would undo them too.
    let hide = edit("secret", "shown", &[], 0);
    save(&orders, &db, vec![hide]).await.expect("show secret");
    let mut rename = edit("secret", "shown", &[], 1);
    rename.label = "Classified".to_owned();
    save(&orders, &db, vec![rename])
        .await
        .expect("rename secret");
    let view = SettingsFeature::settings(&orders, &db, &manager())
        .await
        .expect("settings page");
    let (newest, older) = (view.changes[0].id, view.changes[1].id);
    let revert = |change: i64| app::admin::settings::types::RevertInput {
        resource: "orders".to_owned(),
        change: Some(change),
        ..Default::default()
    };
    let refused = SettingsFeature::revert_setting(&orders, &db, &revert(older), &manager()).await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(text)) if *text == format!("Secret was changed again after change {older}; revert the newer changes first.")),
        "{refused:?}"
    );
    for change in [newest, older] {
        SettingsFeature::revert_setting(&orders, &db, &revert(change), &manager())
            .await
            .expect("newest first");
    }
    assert_eq!(
        buttons(&orders, &db, "1", &clerk()).await,
        ["plain", "featured"]
    );

    // Only users with `orders.configure` read or change settings.
    let refused = SettingsFeature::settings(&orders, &db, &clerk()).await;
    assert!(
        matches!(refused, Err(AppError::NotAllowed(_))),
        "{refused:?}"
    );
    let input = SettingsInput {
        resource: "orders".to_owned(),
        rows: vec![edit("plain", "hidden", &[], 2)],
        from_console: false,
    };
    let refused = SettingsFeature::save_settings(&orders, &db, &input, &clerk()).await;
    assert!(
        matches!(refused, Err(AppError::NotAllowed(_))),
        "{refused:?}"
    );
    assert_eq!(revision(&db, "plain").await, 2, "the clerk changed nothing");
}
