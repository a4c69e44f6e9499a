//! Transition settings over HTTP: an operator hides `cancel` from the clerks' group, every
//! console path refuses it to a clerk (403, nothing changed) while a manager keeps it, the
//! change is logged and reverted, and the settings endpoints refuse bad input.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{audit_rows, call, fire, logged_in, order_row, page, post_as_browser},
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    hiding_cancel_from_clerks_applies_to_every_console_path_until_reverted,
    settings_refuse_bad_input_stale_pages_and_users_without_configure,
);

/// Form fields as a script posts them.
type Fields<'a> = Vec<(&'a str, &'a str)>;

/// The settings form's fields for `cancel` only.
fn cancel_fields<'a>(visibility: &'a str, group: Option<&'a str>, revision: &'a str) -> Fields<'a> {
    let mut fields = vec![
        ("input[resource]", "orders"),
        ("input[rows][0][transition]", "cancel"),
        ("input[rows][0][visibility]", visibility),
        ("input[rows][0][revision]", revision),
    ];
    if let Some(group) = group {
        fields.push(("input[rows][0][groups][0]", group));
    }
    fields
}

async fn settings(app: &TestApp, client: &Client) -> Value {
    let response = call(app, client, "settings", &[("input[resource]", "orders")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

fn bulk_fields(transition: &str) -> Vec<(&str, &str)> {
    vec![
        ("input[resource]", "orders"),
        ("input[transition]", transition),
        ("input[ids][0]", "2"),
    ]
}

async fn hiding_cancel_from_clerks_applies_to_every_console_path_until_reverted(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let clerk = logged_in(&app, "clerk").await;

    // Without JavaScript the form post redirects back to the page, which shows the outcome.
    let mut fields = cancel_fields("groups", Some("managers"), "0");
    fields.push(("input[from_console]", "true"));
    let response = post_as_browser(&app, &admin, "settings_save", &fields).await;
    assert_eq!(location(&response), "/orders/settings/transitions");
    let (status, html) = page(&app, &admin, "/orders/settings/transitions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Saved 1 change."), "{html}");
    assert!(html.contains("Visibility of Cancel order"), "{html}");

    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(
        html.contains(">Mark as paid<") && !html.contains(">Cancel order<"),
        "{html}"
    );
    let (_, html) = page(&app, &admin, "/orders/1").await;
    assert!(
        html.contains(">Cancel order<"),
        "the managers keep it: {html}"
    );

    let response = fire(&app, &clerk, "1", "cancel", "1").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.expect("json");
    assert!(
        body.to_string()
            .contains("Cancel order is not offered in the console."),
        "{body}"
    );
    let form = [
        ("input[resource]", "orders"),
        ("input[id]", "1"),
        ("input[transition]", "cancel"),
    ];
    assert_eq!(
        call(&app, &clerk, "form", &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let list: Value = call(&app, &clerk, "list", &[("input[resource]", "orders")])
        .await
        .json()
        .await
        .expect("json");
    let menu: Vec<&str> = list["bulk_actions"]
        .as_array()
        .expect("menu")
        .iter()
        .filter_map(|action| action["name"].as_str())
        .collect();
    assert_eq!(
        menu,
        ["pay", "ship", "deliver"],
        "the bulk menu drops cancel"
    );
    for endpoint in ["bulk_preview", "bulk_apply"] {
        let response = call(&app, &clerk, endpoint, &bulk_fields("cancel")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    for id in [1, 2] {
        assert_eq!(order_row(&app, id).await, ("new".to_owned(), 1));
        assert!(audit_rows(&app, id).await.is_empty(), "nothing fired");
    }

    // The managers' own fire goes through.
    assert_eq!(
        fire(&app, &admin, "3", "cancel", "1").await.status(),
        StatusCode::OK
    );

    // The change is logged; reverting it gives the clerk the button back at once.
    let view = settings(&app, &admin).await;
    let change = &view["changes"][0];
    assert_eq!(change["transition"], "cancel");
    assert_eq!(change["actor"], "admin");
    assert_eq!(change["before"], "As declared in code");
    assert_eq!(change["after"], "Shown to groups managers");
    let id = change["id"].as_i64().expect("id").to_string();
    let response = call(
        &app,
        &admin,
        "settings_revert",
        &[("input[resource]", "orders"), ("input[change]", &id)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(html.contains(">Cancel order<"), "{html}");
    assert_eq!(
        fire(&app, &clerk, "1", "cancel", "1").await.status(),
        StatusCode::OK
    );
    let view = settings(&app, &admin).await;
    assert_eq!(
        view["changes"][0]["reverts"].as_i64(),
        Some(id.parse().expect("id"))
    );
}

async fn settings_refuse_bad_input_stale_pages_and_users_without_configure(app: TestApp) {
    let admin = logged_in(&app, "admin").await;
    let clerk = logged_in(&app, "clerk").await;

    let (status, _) = page(&app, &clerk, "/orders/settings/transitions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = call(
        &app,
        &clerk,
        "settings_save",
        &cancel_fields("hidden", None, "0"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let cases: [(Fields, StatusCode, &str); 5] = [
        (
            cancel_fields("bogus", None, "0"),
            StatusCode::BAD_REQUEST,
            "Choose Shown, Hidden or Shown to groups",
        ),
        (
            cancel_fields("groups", None, "0"),
            StatusCode::BAD_REQUEST,
            "Choose at least one group",
        ),
        (
            cancel_fields("groups", Some("ghosts"), "0"),
            StatusCode::BAD_REQUEST,
            "There is no group",
        ),
        (
            cancel_fields("hidden", None, "7"),
            StatusCode::CONFLICT,
            "changed by someone else",
        ),
        (
            vec![
                ("input[resource]", "cargo"),
                ("input[rows][0][transition]", "x"),
                ("input[rows][0][visibility]", "shown"),
            ],
            StatusCode::NOT_FOUND,
            "Resource `cargo`",
        ),
    ];
    for (fields, status, sentence) in cases {
        let response = call(&app, &admin, "settings_save", &fields).await;
        assert_eq!(response.status(), status, "{fields:?}");
        let body = response.text().await.expect("body");
        assert!(body.contains(sentence), "{body}");
    }
    let malformed = call(&app, &admin, "settings_save", &[("input[rows]", "x")]).await;
    assert!(
        malformed.status().is_client_error(),
        "{}",
        malformed.status()
    );
    let unknown = call(
        &app,
        &admin,
        "settings_revert",
        &[("input[resource]", "orders"), ("input[change]", "999")],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(
        settings(&app, &admin).await["changes"]
            .as_array()
            .expect("changes")
            .is_empty(),
        "no refused request changed anything"
    );

    // A setting saved twice from the same page: the second save is stale.
    let first = call(
        &app,
        &admin,
        "settings_save",
        &cancel_fields("hidden", None, "0"),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = call(
        &app,
        &admin,
        "settings_save",
        &cancel_fields("shown", None, "0"),
    )
    .await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let rows = settings(&app, &admin).await["rows"].clone();
    let cancel = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["name"] == "cancel")
        .expect("cancel")
        .clone();
    assert_eq!(cancel["setting"]["visibility"], "hidden");
    assert_eq!(cancel["shown"], false);
}
