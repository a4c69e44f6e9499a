//! The home page counts each resource's objects per state, for users who may view it.

mod support;

use reqwest::StatusCode;
use support::{location, TestApp};

on_both_backends!(
    the_home_summary_counts_orders_per_state,
    a_user_without_the_view_permission_sees_no_resource,
    the_home_summary_needs_a_login,
);

async fn post_home(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    client
        .post(app.url("/api/home"))
        .send()
        .await
        .expect("home summary")
}

async fn the_home_summary_counts_orders_per_state(app: TestApp) {
    app::orders::seed_orders(&app.db, 12).await.expect("seed");
    app::with_pool!(&app.db, pool => {
        sqlx::query("UPDATE orders SET state = 'paid' WHERE id <= 3").execute(pool).await.map(|_| ())
    })
    .expect("move three orders");

    let client = app.client();
    app.log_in(&client, "viewer", "viewer").await;
    let summary: serde_json::Value = post_home(&app, &client).await.json().await.expect("json");
    let orders = &summary[0];
    assert_eq!(orders["name"], "orders");
    assert_eq!(orders["title"], "Orders");
    assert_eq!(orders["total"], 12);
    let field = &orders["fields"][0];
    assert_eq!(field["name"], "state");
    let count_of = |state: &str| {
        field["states"]
            .as_array()
            .expect("states")
            .iter()
            .find(|entry| entry["state"]["name"] == state)
            .map(|entry| entry["count"].clone())
            .expect("every declared state is listed")
    };
    assert_eq!(count_of("new"), 9);
    assert_eq!(count_of("paid"), 3);
    assert_eq!(count_of("delivered"), 0);
    assert_eq!(field["states"].as_array().expect("states").len(), 8);
    let groups: Vec<(String, i64)> = field["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap_or("").to_owned(),
                g["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(groups, [("open".to_owned(), 12), ("closed".to_owned(), 0)]);
    let campaigns = &summary[1];
    assert_eq!(campaigns["name"], "campaigns");
    let labels: Vec<&str> = campaigns["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["label"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(labels, ["Step", "Review"]);

    let page = client.get(app.url("/")).send().await.expect("home page");
    let html = page.text().await.expect("html");
    assert!(html.contains("12 in all"), "{html}");
    assert!(
        html.contains(r#"class="badge badge-blue">Paid</span>"#),
        "{html}"
    );
}

async fn a_user_without_the_view_permission_sees_no_resource(app: TestApp) {
    let created = app::auth::users::create(
        &app.db,
        app::auth::users::NewUser {
            username: "outsider".into(),
            password: "outsider".into(),
            is_superuser: false,
            is_demo: false,
        },
    )
    .await;
    assert!(created.is_ok());
    let client = app.client();
    app.log_in(&client, "outsider", "outsider").await;
    let summary: serde_json::Value = post_home(&app, &client).await.json().await.expect("json");
    assert_eq!(summary, serde_json::json!([]));
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .expect("home page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("There is no resource you may view."),
        "{html}"
    );
}

async fn the_home_summary_needs_a_login(app: TestApp) {
    let response = post_home(&app, &app.client()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let page = app
        .client()
        .get(app.url("/"))
        .send()
        .await
        .expect("home page");
    assert_eq!(location(&page), "/login");
}
