//! Editing fields, creating and deleting orders: permissions `orders.change`, `.add` and
//! `.delete`, version checks, audit rows, and the state never written by a form.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    helpers::{call, logged_in, order_row, page, post_as_browser},
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    an_edit_saves_the_fields_and_the_history_says_what_changed,
    an_edit_never_writes_the_state,
    edits_are_refused_without_permission_when_stale_or_invalid,
    creating_an_order_starts_it_in_new_with_an_audit_row,
    deleting_an_order_keeps_its_history,
);

async fn customer_of(app: &TestApp, id: i64) -> String {
    app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, String>("SELECT customer FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
    })
    .expect("customer")
}

/// `(transition, arguments)` of an order's audit rows, oldest first.
async fn audit_of(app: &TestApp, id: i64) -> Vec<(String, Value)> {
    let rows = app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, String)>(
            "SELECT transition, CAST(arguments AS TEXT) FROM audit_log \
             WHERE resource = 'orders' AND object_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(pool)
        .await
    })
    .expect("audit rows");
    rows.into_iter()
        .map(|(transition, arguments)| {
            (transition, serde_json::from_str(&arguments).expect("json"))
        })
        .collect()
}

fn save_fields<'a>(id: &'a str, version: &'a str, customer: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("input[resource]", "orders"),
        ("input[id]", id),
        ("input[version]", version),
        ("input[fields][customer]", customer),
    ]
}

async fn an_edit_saves_the_fields_and_the_history_says_what_changed(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let (status, html) = page(&app, &admin, "/orders/1/edit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"value="Customer 0000000""#), "{html}");
    assert!(html.contains("Currently"), "the state is shown: {html}");

    let mut fields = save_fields("1", "1", "Acme Ltd");
    fields.push(("input[from_console]", "true"));
    let response = post_as_browser(&app, &admin, "save", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/orders/1");
    assert_eq!(customer_of(&app, 1).await, "Acme Ltd");
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 2));
    assert_eq!(
        audit_of(&app, 1).await,
        [(
            "(edit)".to_owned(),
            serde_json::json!({"customer": ["Customer 0000000", "Acme Ltd"]})
        )]
    );
    let (_, html) = page(&app, &admin, "/orders/1").await;
    assert!(
        html.contains("Order 1 was saved: Customer changed."),
        "{html}"
    );
    assert!(
        html.contains("Edited"),
        "the history names the edit: {html}"
    );

    // Saving the same values again changes nothing and writes nothing.
    let response = call(&app, &admin, "save", &save_fields("1", "2", "Acme Ltd")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("json");
    assert_eq!(report["message"]["text"], "Order 1: nothing changed.");
    assert_eq!(order_row(&app, 1).await.1, 2);
}

async fn an_edit_never_writes_the_state(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let mut fields = save_fields("1", "1", "Renamed");
    fields.push(("input[fields][state]", "delivered"));
    fields.push(("input[fields][version]", "99"));
    let response = call(&app, &admin, "save", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 2));
    let (_, html) = page(&app, &admin, "/orders/1/edit").await;
    assert!(
        !html.contains("input[fields][state]"),
        "no state input: {html}"
    );
}

async fn edits_are_refused_without_permission_when_stale_or_invalid(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let (status, _) = page(&app, &clerk, "/orders/1/edit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(
        !html.contains(">Edit<") && !html.contains(">Delete<"),
        "{html}"
    );
    let response = call(&app, &clerk, "save", &save_fields("1", "1", "Mine")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let admin = logged_in(&app, "admin").await;
    let response = call(&app, &admin, "save", &save_fields("1", "7", "Stale")).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = call(&app, &admin, "save", &save_fields("1", "1", "")).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    assert!(body["FormInvalid"]["customer"].is_array(), "{body}");
    let long = "x".repeat(101);
    let response = call(&app, &admin, "save", &save_fields("1", "1", &long)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = call(&app, &admin, "save", &save_fields("404", "1", "Nobody")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Refused from the page without JavaScript: back to the form with what was typed.
    let mut fields = save_fields("1", "1", "");
    fields.push(("input[from_console]", "true"));
    let response = post_as_browser(&app, &admin, "save", &fields).await;
    assert_eq!(location(&response), "/orders/1/edit");
    let (_, html) = page(&app, &admin, "/orders/1/edit").await;
    assert!(html.contains("Please correct the errors below."), "{html}");

    assert_eq!(customer_of(&app, 1).await, "Customer 0000000");
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
    assert!(audit_of(&app, 1).await.is_empty());
}

async fn creating_an_order_starts_it_in_new_with_an_audit_row(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let (status, html) = page(&app, &admin, "/orders/add").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Add order") && html.contains("Amount"),
        "{html}"
    );
    let (_, list) = page(&app, &admin, "/orders").await;
    assert!(list.contains(r#"href="/orders/add""#), "{list}");

    let fields = [
        ("input[resource]", "orders"),
        ("input[fields][customer]", "New Co"),
        ("input[fields][amount]", "12.5"),
        ("input[from_console]", "true"),
    ];
    let response = post_as_browser(&app, &admin, "save", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/orders/4");
    assert_eq!(order_row(&app, 4).await, ("new".to_owned(), 1));
    let amount = app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT amount_cents FROM orders WHERE id = 4").fetch_one(pool).await
    })
    .expect("amount");
    assert_eq!(amount, 1250);
    assert_eq!(audit_of(&app, 4).await[0].0, "(create)");
    let (_, html) = page(&app, &admin, "/orders/4").await;
    assert!(html.contains("Order 4 was created."), "{html}");

    let bad = [
        ("input[resource]", "orders"),
        ("input[fields][customer]", "Bad"),
        ("input[fields][amount]", "12.345"),
    ];
    let response = call(&app, &admin, "save", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let clerk = logged_in(&app, "clerk").await;
    let response = call(&app, &clerk, "save", &fields[..3]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let count = app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders").fetch_one(pool).await
    })
    .expect("count");
    assert_eq!(count, 4, "refused creations add nothing");
}

async fn deleting_an_order_keeps_its_history(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let clerk = logged_in(&app, "clerk").await;
    let delete = |id: &'static str, version: &'static str| {
        [
            ("input[resource]", "orders"),
            ("input[id]", id),
            ("input[version]", version),
        ]
    };
    assert_eq!(
        call(&app, &clerk, "delete", &delete("1", "1"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, &admin, "delete", &delete("1", "5"))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));

    let (status, html) = page(&app, &admin, "/orders/1/delete").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Delete Order 1?"), "{html}");
    let mut fields = delete("1", "1").to_vec();
    fields.push(("input[from_console]", "true"));
    let response = post_as_browser(&app, &admin, "delete", &fields).await;
    assert_eq!(location(&response), "/orders");
    let (_, list) = page(&app, &admin, "/orders").await;
    assert!(list.contains("Order 1 was deleted."), "{list}");
    let (status, _) = page(&app, &admin, "/orders/1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(audit_of(&app, 1).await[0].0, "(delete)");
    assert_eq!(
        call(&app, &admin, "delete", &delete("1", "1"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
