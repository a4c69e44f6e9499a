//! Lists, object, form and history pages, and firing transitions as the demo users, through
//! the JSON API and through plain form posts (no JavaScript). Every refusal is checked to
//! change nothing.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{
        audit_rows, call, fire, list, logged_in, order_row, page, post_as_browser, set_state,
    },
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    the_list_filters_searches_sorts_and_pages_with_the_total,
    bad_list_queries_are_refused_clearly,
    the_list_page_holds_its_state_in_the_address,
    the_object_page_offers_each_user_their_buttons,
    paying_through_the_api_moves_the_order_and_writes_one_audit_row,
    a_stale_version_is_a_conflict_and_changes_nothing,
    refusals_answer_their_status_and_change_nothing,
    a_plain_form_post_redirects_and_leaves_a_one_time_message,
    shipping_through_the_form_cleans_the_fields_into_arguments,
    a_too_short_tracking_number_is_refused_with_what_was_typed,
    a_form_for_a_transition_no_longer_available_says_so,
    a_failed_fraud_check_lands_in_failed_and_is_logged,
    the_history_lists_every_attempt_newest_first,
    console_pages_need_a_login_and_the_view_permission,
    a_group_grant_lets_its_members_fire_until_revoked,
);

async fn the_list_filters_searches_sorts_and_pages_with_the_total(app: TestApp) {
    app::orders::seed_orders(&app.db, 250).await.expect("seed");
    for id in [3, 5, 7] {
        set_state(&app, id, "paid").await;
    }
    let client = logged_in(&app, "viewer").await;

    let all: Value = list(&app, &client, &[]).await.json().await.expect("json");
    assert_eq!(all["total"], 250);
    assert_eq!(all["page_count"], 3);
    assert_eq!(all["rows"].as_array().expect("rows").len(), 100);
    assert_eq!(all["rows"][0]["id"], "1", "ordered by id by default");
    assert_eq!(all["rows"][0]["cells"][0], "Customer 0000000");
    assert_eq!(all["rows"][0]["cells"][1], "1.00", "amounts are decimals");

    let paid: Value = list(&app, &client, &[("state", "paid")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(paid["total"], 3);
    let ids: Vec<&str> = paid["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["3", "5", "7"]);
    assert_eq!(paid["rows"][0]["states"][0]["label"], "Paid");

    let third: Value = list(&app, &client, &[("page", "3")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(third["rows"].as_array().expect("rows").len(), 50);
    assert_eq!(third["rows"][0]["id"], "201");

    let search: Value = list(&app, &client, &[("q", "customer 000012")])
        .await
        .json()
        .await
        .expect("json");
    let found: Vec<&str> = search["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        found,
        ["121", "122", "123", "124", "125", "126", "127", "128", "129", "130"]
    );
    let by_id: Value = list(&app, &client, &[("q", "42")])
        .await
        .json()
        .await
        .expect("json");
    assert!(by_id["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .any(|r| r["id"] == "42"));

    let dearest: Value = list(&app, &client, &[("sort", "-amount_cents")])
        .await
        .json()
        .await
        .expect("json");
    let amounts: Vec<f64> = dearest["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r["cells"][1]
                .as_str()
                .expect("amount")
                .replace(',', "")
                .parse()
                .expect("number")
        })
        .collect();
    assert!(
        amounts.windows(2).all(|pair| pair[0] >= pair[1]),
        "{amounts:?}"
    );
    assert_eq!(dearest["total"], 250);
}

async fn bad_list_queries_are_refused_clearly(app: TestApp) {
    let client = logged_in(&app, "viewer").await;
    let response = list(&app, &client, &[("sort", "password")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = response.text().await.expect("body");
    assert!(error.contains("cannot be sorted by `password`"), "{error}");

    let response = list(&app, &client, &[("state", "lost")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response
        .text()
        .await
        .expect("body")
        .contains("There is no state `lost`"));

    let (status, html) = page(&app, &client, "/orders?sort=password").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("cannot be sorted by"), "{html}");

    let (status, html) = page(&app, &client, "/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("Resource `nothing-here` was not found."),
        "{html}"
    );
}

async fn the_list_page_holds_its_state_in_the_address(app: TestApp) {
    app::orders::seed_orders(&app.db, 120).await.expect("seed");
    let client = logged_in(&app, "viewer").await;
    let (status, html) = page(&app, &client, "/orders?state=new&page=2&sort=-id").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("101–120 of 120 orders"), "{html}");
    assert!(html.contains(r#"<a href="/orders/20">20</a>"#), "{html}");
    assert!(
        !html.contains(r#"<a href="/orders/21">21</a>"#),
        "page 2 ends at 1: {html}"
    );
    assert!(html.contains("Page 2 of 2"), "{html}");
    // The links keep the filter and the sort.
    assert!(
        html.contains(r#"href="/orders?state=new&amp;sort=-id""#),
        "{html}"
    );
    assert!(html.contains(r#"<option value="new" selected"#), "{html}");
}

async fn the_object_page_offers_each_user_their_buttons(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let buttons = |html: &str| {
        // The object's diagram names transitions too, in its drawing: leave drawings out.
        let html = &without_drawings(html);
        [
            "Mark as paid",
            "Cancel order",
            "Fraud check",
            "Reopen",
            "Put on hold",
            "Ship",
            "Resume",
        ]
        .into_iter()
        .filter(|label| {
            html.contains(&format!(">{label}<")) || html.contains(&format!(">{label}…<"))
        })
        .collect::<Vec<_>>()
    };

    let clerk = logged_in(&app, "clerk").await;
    let (status, html) = page(&app, &clerk, "/orders/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Customer 0000000"), "{html}");
    assert_eq!(buttons(&html), ["Mark as paid", "Cancel order"]);
    assert!(
        html.contains("Payment has been received."),
        "help text: {html}"
    );

    let admin = logged_in(&app, "admin").await;
    let (_, html) = page(&app, &admin, "/orders/1").await;
    // `hold` is hidden from the console; `reopen` cannot start from `new`.
    assert_eq!(
        buttons(&html),
        ["Mark as paid", "Cancel order", "Fraud check"]
    );

    set_state(&app, 2, "paid").await;
    let (_, html) = page(&app, &admin, "/orders/2").await;
    assert_eq!(buttons(&html), ["Cancel order", "Reopen", "Ship"]);
    let (_, html) = page(&app, &clerk, "/orders/2").await;
    assert_eq!(
        buttons(&html),
        ["Cancel order", "Ship"],
        "the clerk sees no reopen"
    );
    assert!(
        html.contains(r#"href="/orders/2/transitions/ship""#),
        "ship opens its form"
    );

    let viewer = logged_in(&app, "viewer").await;
    let (_, html) = page(&app, &viewer, "/orders/1").await;
    assert_eq!(buttons(&html), Vec::<&str>::new());
    assert!(html.contains("No transition is available to you"), "{html}");

    let (status, html) = page(&app, &viewer, "/orders/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Order 999 was not found."), "{html}");
    let (status, _) = page(&app, &viewer, "/orders/not-a-number").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn paying_through_the_api_moves_the_order_and_writes_one_audit_row(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let response = fire(&app, &clerk, "1", "pay", "1").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("json");
    assert_eq!(
        report["message"]["text"],
        "Mark as paid: moved from New to Paid."
    );
    assert_eq!(report["message"]["kind"], "Success");
    assert_eq!(report["state"]["name"], "paid");
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), 2));
    assert_eq!(
        audit_rows(&app, 1).await,
        [(
            "pay".to_owned(),
            "new".to_owned(),
            Some("paid".to_owned()),
            "clerk".to_owned(),
            "completed".to_owned()
        )]
    );
    assert_eq!(
        order_row(&app, 2).await,
        ("new".to_owned(), 1),
        "other rows untouched"
    );
}

async fn a_stale_version_is_a_conflict_and_changes_nothing(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    assert_eq!(
        fire(&app, &clerk, "1", "pay", "1").await.status(),
        StatusCode::OK
    );
    // A second tab still showing version 1 tries to cancel.
    let response = fire(&app, &clerk, "1", "cancel", "1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("Cancel order: this order was changed by someone else"),
        "{body}"
    );
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), 2));
    assert_eq!(audit_rows(&app, 1).await.len(), 1);
}

async fn refusals_answer_their_status_and_change_nothing(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let viewer = logged_in(&app, "viewer").await;
    let clerk = logged_in(&app, "clerk").await;
    let admin = logged_in(&app, "admin").await;

    let cases: [(&Client, &str, &str, &str, StatusCode, &str); 8] = [
        (
            &viewer,
            "1",
            "pay",
            "1",
            StatusCode::FORBIDDEN,
            "Mark as paid: you do not have permission.",
        ),
        (
            &clerk,
            "1",
            "fail_check",
            "1",
            StatusCode::FORBIDDEN,
            "Fraud check: you do not have permission.",
        ),
        (
            &admin,
            "1",
            "hold",
            "1",
            StatusCode::FORBIDDEN,
            "Put on hold is not offered in the console.",
        ),
        (
            &clerk,
            "1",
            "deliver",
            "1",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Deliver is not possible: the order is New.",
        ),
        (
            &clerk,
            "1",
            "teleport",
            "1",
            StatusCode::NOT_FOUND,
            "Transition `teleport`",
        ),
        (&clerk, "77", "pay", "1", StatusCode::NOT_FOUND, "Order 77"),
        (
            &clerk,
            "1",
            "pay",
            "-3",
            StatusCode::BAD_REQUEST,
            "The version must not be negative.",
        ),
        (
            &clerk,
            "1",
            "pay",
            "abc",
            StatusCode::BAD_REQUEST,
            "The request was malformed",
        ),
    ];
    for (client, id, transition, version, status, sentence) in cases {
        let response = fire(&app, client, id, transition, version).await;
        assert_eq!(
            response.status(),
            status,
            "{transition} on {id} at {version}"
        );
        let body = response.text().await.expect("body");
        assert!(body.contains(sentence), "{transition}: {body}");
    }
    let missing_fields = call(&app, &clerk, "fire", &[("input[resource]", "orders")]).await;
    assert_eq!(missing_fields.status(), StatusCode::BAD_REQUEST);
    let unknown_resource = call(
        &app,
        &clerk,
        "fire",
        &[
            ("input[resource]", "ledgers"),
            ("input[id]", "1"),
            ("input[transition]", "pay"),
            ("input[version]", "1"),
        ],
    )
    .await;
    assert_eq!(unknown_resource.status(), StatusCode::NOT_FOUND);

    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
    assert!(audit_rows(&app, 1).await.is_empty());
}

async fn a_plain_form_post_redirects_and_leaves_a_one_time_message(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let fields = [
        ("input[resource]", "orders"),
        ("input[id]", "1"),
        ("input[transition]", "pay"),
        ("input[version]", "1"),
        ("input[origin]", "object"),
    ];
    let response = post_as_browser(&app, &clerk, "fire", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/orders/1");
    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(
        html.contains("Mark as paid: moved from New to Paid."),
        "{html}"
    );
    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(
        !html.contains("moved from New to Paid"),
        "the message shows once"
    );

    // The same stale button again: a conflict, reported on the page, nothing changed.
    let response = post_as_browser(&app, &clerk, "fire", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(html.contains("was changed by someone else"), "{html}");
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), 2));
    assert_eq!(audit_rows(&app, 1).await.len(), 1);
}

fn ship_fields<'a>(
    version: &'a str,
    tracking: &'a str,
    carrier: &'a str,
    note: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("input[resource]", "orders"),
        ("input[id]", "1"),
        ("input[transition]", "ship"),
        ("input[version]", version),
        ("input[origin]", "form"),
        ("input[fields][tracking_number]", tracking),
        ("input[fields][carrier]", carrier),
        ("input[fields][note]", note),
    ]
}

async fn shipping_through_the_form_cleans_the_fields_into_arguments(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    assert_eq!(
        fire(&app, &clerk, "1", "pay", "1").await.status(),
        StatusCode::OK
    );
    let (status, html) = page(&app, &clerk, "/orders/1/transitions/ship").await;
    assert_eq!(status, StatusCode::OK);
    for label in ["Tracking number", "Carrier", "Note"] {
        assert!(html.contains(label), "{label}: {html}");
    }
    assert!(html.contains(r#"<option value="ups""#), "{html}");

    let response = post_as_browser(
        &app,
        &clerk,
        "fire",
        &ship_fields("2", "  1Z999  ", "ups", "Left at the door"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/orders/1");
    assert_eq!(order_row(&app, 1).await, ("shipped".to_owned(), 3));
    let (tracking, arguments, description) = app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT o.tracking_number, CAST(a.arguments AS TEXT), a.description FROM orders o \
             JOIN audit_log a ON a.object_id = CAST(o.id AS TEXT) AND a.transition = 'ship' WHERE o.id = 1",
        )
        .fetch_one(pool)
        .await
    })
    .expect("shipped row");
    assert_eq!(tracking, "1Z999", "the cleaned value reached the handler");
    let arguments: Value = serde_json::from_str(&arguments).expect("json");
    assert_eq!(arguments["carrier"], "ups");
    assert_eq!(arguments["tracking_number"], "1Z999");
    assert_eq!(description.as_deref(), Some("Left at the door"));
    let (_, html) = page(&app, &clerk, "/orders/1").await;
    assert!(html.contains("Ship: moved from Paid to Shipped."), "{html}");
}

async fn a_too_short_tracking_number_is_refused_with_what_was_typed(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    assert_eq!(
        fire(&app, &clerk, "1", "pay", "1").await.status(),
        StatusCode::OK
    );

    let response =
        post_as_browser(&app, &clerk, "fire", &ship_fields("2", "AB", "", "fragile")).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/orders/1/transitions/ship");
    let (_, html) = page(&app, &clerk, "/orders/1/transitions/ship").await;
    assert!(html.contains("Please correct the errors below."), "{html}");
    assert!(
        html.contains(r#"value="AB""#),
        "what was typed is kept: {html}"
    );
    assert!(html.contains("fragile"), "{html}");
    assert!(html.contains("at least 3"), "{html}");
    assert!(html.contains(r#"aria-invalid="true""#), "{html}");
    assert_eq!(
        order_row(&app, 1).await,
        ("paid".to_owned(), 2),
        "nothing changed"
    );
    assert_eq!(audit_rows(&app, 1).await.len(), 1);

    // Through the API the same refusal is a 422 with each field's sentences.
    let mut fields = ship_fields("2", "AB", "dhl", "");
    fields.retain(|(key, _)| *key != "input[origin]");
    let response = call(&app, &clerk, "fire", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["FormInvalid"]["tracking_number"][0]
            .as_str()
            .expect("sentence")
            .contains("at least 3"),
        "{body}"
    );
}

async fn a_form_for_a_transition_no_longer_available_says_so(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let (status, html) = page(&app, &clerk, "/orders/1/transitions/ship").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ship is not possible: the order is New."),
        "{html}"
    );
    assert!(
        !html.contains("input[fields][tracking_number]"),
        "no form is offered: {html}"
    );

    let response =
        post_as_browser(&app, &clerk, "fire", &ship_fields("1", "1Z999", "dhl", "")).await;
    assert_eq!(location(&response), "/orders/1/transitions/ship");
    let (_, html) = page(&app, &clerk, "/orders/1/transitions/ship").await;
    assert!(
        html.contains("Ship is not possible: the order is New."),
        "{html}"
    );
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));

    let viewer = logged_in(&app, "viewer").await;
    let (status, _) = page(&app, &viewer, "/orders/1/transitions/pay").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(&app, &clerk, "/orders/1/transitions/teleport").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_failed_fraud_check_lands_in_failed_and_is_logged(app: TestApp) {
    // Row 27 (index 27): amount (27*37 % 1500 + 1) + 0.27 = 1000.27 > 1000.
    app::orders::seed_orders(&app.db, 30).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let response = fire(&app, &admin, "28", "fail_check", "1").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(
        body.contains(
            "Fraud check failed: Amount above 1000 needs a manual review. The order is now Failed."
        ),
        "{body}"
    );
    assert_eq!(order_row(&app, 28).await.0, "failed");
    assert_eq!(
        audit_rows(&app, 28).await,
        [(
            "fail_check".to_owned(),
            "new".to_owned(),
            Some("failed".to_owned()),
            "admin".to_owned(),
            "failed".to_owned()
        )]
    );
    let response = fire(&app, &admin, "1", "fail_check", "1").await;
    assert_eq!(response.status(), StatusCode::OK, "1.00 passes");
    assert_eq!(order_row(&app, 1).await.0, "approved");
}

async fn the_history_lists_every_attempt_newest_first(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let admin = logged_in(&app, "admin").await;
    assert_eq!(
        fire(&app, &clerk, "1", "pay", "1").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        fire(&app, &admin, "1", "reopen", "2").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        fire(&app, &clerk, "1", "cancel", "3").await.status(),
        StatusCode::OK
    );

    let (status, html) = page(&app, &clerk, "/orders/1/history").await;
    assert_eq!(status, StatusCode::OK);
    let cancel = html.find("Cancel order").expect("cancel row");
    let reopen = html.find(">Reopen").expect("reopen row");
    let pay = html.find("Mark as paid").expect("pay row");
    assert!(cancel < reopen && reopen < pay, "newest first");
    assert!(
        html.contains("<td>admin</td>") && html.contains("<td>clerk</td>"),
        "{html}"
    );

    let history: Value = call(
        &app,
        &clerk,
        "history",
        &[("input[resource]", "orders"), ("input[id]", "1")],
    )
    .await
    .json()
    .await
    .expect("json");
    let entries = history["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["transition"], "Cancel order");
    assert_eq!(entries[0]["source"]["name"], "new");
    assert_eq!(entries[0]["target"]["name"], "cancelled");
    assert_eq!(entries[1]["actor"], "admin");
    assert_eq!(entries[2]["error"], Value::Null);
}

async fn console_pages_need_a_login_and_the_view_permission(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let anonymous = app.client();
    for path in [
        "/orders",
        "/orders/1",
        "/orders/1/history",
        "/orders/1/transitions/pay",
    ] {
        let response = anonymous.get(app.url(path)).send().await.expect("page");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&response).starts_with("/login?next="), "{path}");
    }
    let response = fire(&app, &anonymous, "1", "pay", "1").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let created = app::auth::users::create(
        &app.db,
        app::auth::users::NewUser {
            username: "outsider".to_owned(),
            password: "outsider".to_owned(),
            is_superuser: false,
            is_demo: false,
        },
    )
    .await
    .expect("user");
    app::auth::users::grant(&app.db, created, &["orders.pay"])
        .await
        .expect("grant");
    let outsider = logged_in(&app, "outsider").await;
    let (status, _) = page(&app, &outsider, "/orders").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = fire(&app, &outsider, "1", "pay", "1").await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "pay without view is refused"
    );
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
}

async fn a_group_grant_lets_its_members_fire_until_revoked(app: TestApp) {
    use app::auth::grants::{self, Grantee};
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    app::auth::users::create(
        &app.db,
        app::auth::users::NewUser {
            username: "cashier".to_owned(),
            password: "cashier".to_owned(),
            is_superuser: false,
            is_demo: false,
        },
    )
    .await
    .expect("user");
    grants::add_to_group(&app.db, "cashier", "cashiers")
        .await
        .expect("group");
    let codes = ["orders.view".to_owned(), "orders.pay".to_owned()];
    let cashiers = Grantee::Group("cashiers".to_owned());
    grants::grant(&app.db, &cashiers, &codes)
        .await
        .expect("grant");
    let missing = grants::grant(&app.db, &Grantee::User("ghost".to_owned()), &codes).await;
    assert!(missing.is_err_and(|e| e.to_string().contains("no user named \"ghost\"")));

    let cashier = logged_in(&app, "cashier").await;
    let (_, html) = page(&app, &cashier, "/orders/1").await;
    // The diagram draws every transition the console shows; the buttons are the cashier's.
    let html = without_drawings(&html);
    assert!(html.contains(">Mark as paid<"), "{html}");
    assert!(!html.contains(">Cancel order<"), "{html}");
    assert_eq!(
        fire(&app, &cashier, "1", "pay", "1").await.status(),
        StatusCode::OK
    );

    let removed = grants::revoke(&app.db, &cashiers, &codes[1..])
        .await
        .expect("revoke");
    assert_eq!(removed, 1);
    assert_eq!(
        fire(&app, &cashier, "2", "pay", "1").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(order_row(&app, 2).await, ("new".to_owned(), 1));
    assert!(grants::remove_from_group(&app.db, "cashier", "cashiers")
        .await
        .expect("remove"));
    let (status, _) = page(&app, &cashier, "/orders/1").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no view without the group");
}

/// The page without its `<svg>` drawings.
fn without_drawings(html: &str) -> String {
    let mut rest = html;
    let mut kept = String::with_capacity(html.len());
    while let Some(start) = rest.find("<svg") {
        kept.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</svg>")
            .map_or("", |end| &rest[start + end + "</svg>".len()..]);
    }
    kept.push_str(rest);
    kept
}
