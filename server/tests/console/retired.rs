//! Rows whose stored state the machine does not declare (a state retired by a later release,
//! a key the review machine never knew) and key-table rows edited or deleted with plain SQL:
//! every page still answers, shows "Unknown state: x", offers only the transitions from any
//! state, groups the rows under their own reason in a bulk preview, and can be filtered.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    campaigns::{campaign, fire, seeded},
    helpers::{call, logged_in, page},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    a_retired_state_never_breaks_a_page_and_only_any_state_transitions_leave_it,
    the_key_table_gives_labels_and_a_deleted_key_is_a_refusal_not_an_error,
);

async fn set(app: &TestApp, sql: &str) {
    app::with_pool!(&app.db, pool => { sqlx::query(sql).execute(pool).await.map(|_| ()) })
        .expect(sql);
}

async fn a_retired_state_never_breaks_a_page_and_only_any_state_transitions_leave_it(app: TestApp) {
    seeded(&app, 3).await;
    app::orders::seed_orders(&app.db, 2)
        .await
        .expect("seed orders");
    set(&app, "UPDATE campaigns SET step = 9 WHERE id = 1").await;
    set(&app, "UPDATE orders SET state = 'archived' WHERE id = 1").await;
    let admin = logged_in(&app, "admin").await;

    for path in [
        "/",
        "/campaigns",
        "/campaigns/1",
        "/campaigns/1/history",
        "/campaigns?step=9",
        "/orders",
        "/orders/1",
        "/orders?state=archived",
    ] {
        let (status, html) = page(&app, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("Unknown state: 9") || html.contains("Unknown state: archived"),
            "{path} names the unknown state"
        );
    }
    let filtered: Value = call(
        &app,
        &admin,
        "list",
        &[
            ("input[resource]", "campaigns"),
            ("input[query][states][step]", "9"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(filtered["total"], 1);

    // Only transitions from any state (`*`, `+`) are offered: hold and reopen on the order.
    let order: Value = call(
        &app,
        &admin,
        "object",
        &[("input[resource]", "orders"), ("input[id]", "1")],
    )
    .await
    .json()
    .await
    .expect("json");
    let offered: Vec<&str> = order["blocks"][0]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["disabled_reason"].is_null())
        .map(|a| a["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(offered, ["reopen"], "hold is hidden from the console");

    let add_job = fire(&app, &admin, "1", "add_job", "1", &[]).await;
    assert_eq!(add_job.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(add_job
        .text()
        .await
        .unwrap_or_default()
        .contains("the campaign is Unknown state: 9"));
    assert_eq!(campaign(&app, 1).await, (9, "pending".to_owned(), 0, 1));
    let approve = fire(&app, &admin, "1", "approve", "1", &[]).await;
    assert_eq!(
        approve.status(),
        StatusCode::OK,
        "the other field still works"
    );

    let preview: Value = call(
        &app,
        &admin,
        "bulk_preview",
        &[
            ("input[resource]", "campaigns"),
            ("input[transition]", "add_job"),
            ("input[ids][0]", "1"),
            ("input[ids][1]", "2"),
        ],
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(preview["will_move"], 1, "{preview}");
    assert_eq!(
        preview["groups"][0]["reason"],
        "Add job is not possible: the campaign is Unknown state: 9."
    );
}

async fn the_key_table_gives_labels_and_a_deleted_key_is_a_refusal_not_an_error(app: TestApp) {
    seeded(&app, 2).await;
    let admin = logged_in(&app, "admin").await;
    set(
        &app,
        "UPDATE review_states SET label = 'Awaiting a reviewer', \
         description = 'Nobody has looked yet' WHERE name = 'pending'",
    )
    .await;
    let (_, html) = page(&app, &admin, "/campaigns/1").await;
    assert!(html.contains("Awaiting a reviewer") && html.contains("Nobody has looked yet"));
    let (_, list) = page(&app, &admin, "/campaigns").await;
    assert!(list.contains("Awaiting a reviewer"));

    // A key the review machine does not declare, present in the table.
    set(
        &app,
        "INSERT INTO review_states (name, label) VALUES ('escalated', 'Escalated')",
    )
    .await;
    set(
        &app,
        "UPDATE campaigns SET review = 'escalated' WHERE id = 2",
    )
    .await;
    let (status, html) = page(&app, &admin, "/campaigns/2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Unknown state: escalated"));
    let back = fire(&app, &admin, "2", "reset_review", "1", &[]).await;
    assert_eq!(back.status(), StatusCode::OK, "+ leaves an unknown key");

    // A declared key whose row was deleted: the database refuses the write.
    set(&app, "DELETE FROM review_states WHERE name = 'approved'").await;
    let approve = fire(&app, &admin, "1", "approve", "1", &[]).await;
    assert_eq!(approve.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(approve
        .text()
        .await
        .unwrap_or_default()
        .contains("Approve was refused by the database"));
    assert_eq!(campaign(&app, 1).await, (1, "pending".to_owned(), 0, 1));
    let (status, _) = page(&app, &admin, "/campaigns/1").await;
    assert_eq!(status, StatusCode::OK);
}
