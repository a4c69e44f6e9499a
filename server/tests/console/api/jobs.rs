//! Bulk jobs through the API: previewed, created from keys or from a filter, read, cancelled,
//! and their outcomes streamed as CSV and JSON lines; on the API channel, so `hold` runs in
//! bulk for whoever holds its permission.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use super::{assert_problem, get, get_json, send, token_for};
use crate::{
    helpers::{order_row, set_state},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    a_job_is_previewed_then_run_and_its_outcomes_stream,
    a_job_by_filter_runs_the_hidden_hold_for_its_permission_holder,
    bad_jobs_are_problems_and_store_nothing,
);

const JOBS: &str = "/api/v1/resources/orders/jobs";

async fn jobs_stored(app: &TestApp) -> i64 {
    app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bulk_jobs").fetch_one(pool).await
    })
    .expect("count")
}

async fn a_job_is_previewed_then_run_and_its_outcomes_stream(app: TestApp) {
    app::orders::seed_orders(&app.db, 10).await.expect("seed");
    set_state(&app, 4, "paid").await;
    set_state(&app, 7, "paid").await;
    let (_, clerk) = token_for(&app, "clerk").await;
    let ids: Vec<String> = (1..=10).map(|id| id.to_string()).collect();
    let preview = send(
        &app,
        Method::POST,
        JOBS,
        &clerk,
        &json!({ "transition": "pay", "ids": ids, "preview": true }),
    )
    .await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: Value = preview.json().await.expect("json");
    assert_eq!(
        (preview["total"].as_i64(), preview["will_move"].as_i64()),
        (Some(10), Some(8))
    );
    assert_eq!(preview["groups"][0]["count"], 2);
    assert_eq!(preview["groups"][0]["examples"], json!(["4", "7"]));
    assert_eq!(jobs_stored(&app).await, 0, "a preview stores nothing");

    let created = send(
        &app,
        Method::POST,
        JOBS,
        &clerk,
        &json!({ "transition": "pay", "ids": ids }),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let job: Value = created.json().await.expect("json");
    assert_eq!(location, format!("/api/v1/jobs/{}", job["id"]));
    assert_eq!(job["status"], "done");
    assert_eq!(
        (job["applied"].as_i64(), job["skipped"].as_i64()),
        (Some(8), Some(2))
    );
    assert_eq!(get_json(&app, &location, &clerk).await["applied"], 8);
    assert_eq!(order_row(&app, 1).await.0, "paid");

    let csv = get(&app, &format!("{location}/outcomes"), Some(&clerk)).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let csv = csv.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 11);
    assert_eq!(lines[0], "position,object_id,outcome,reason");
    assert!(lines[4].starts_with("4,4,skipped,"), "{}", lines[4]);
    let jsonl = get(
        &app,
        &format!("{location}/outcomes?format=jsonl"),
        Some(&clerk),
    )
    .await;
    assert_eq!(jsonl.headers()[header::CONTENT_TYPE], "application/jsonl");
    let rows: Vec<Value> = jsonl
        .text()
        .await
        .expect("lines")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(
        rows[0],
        json!({ "position": 1, "object_id": "1", "outcome": "applied", "reason": "" })
    );
    assert_eq!(rows[6]["outcome"], "skipped");
    let unknown = get(
        &app,
        &format!("{location}/outcomes?format=xml"),
        Some(&clerk),
    )
    .await;
    assert_problem(unknown, StatusCode::BAD_REQUEST, "invalid").await;

    // The author may cancel (a finished job stays finished); another user may not.
    let (_, viewer) = token_for(&app, "viewer").await;
    let refused = send(
        &app,
        Method::POST,
        &format!("{location}/cancel"),
        &viewer,
        &json!({}),
    )
    .await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    let cancelled = send(
        &app,
        Method::POST,
        &format!("{location}/cancel"),
        &clerk,
        &json!({}),
    )
    .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(
        cancelled.json::<Value>().await.expect("json")["status"],
        "done"
    );
}

async fn a_job_by_filter_runs_the_hidden_hold_for_its_permission_holder(app: TestApp) {
    app::orders::seed_orders(&app.db, 6).await.expect("seed");
    set_state(&app, 2, "paid").await;
    let (_, clerk) = token_for(&app, "clerk").await;
    let refused = send(
        &app,
        Method::POST,
        JOBS,
        &clerk,
        &json!({ "transition": "hold", "filter": { "state": "new" } }),
    )
    .await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;

    let (_, admin) = token_for(&app, "admin").await;
    let created = send(
        &app,
        Method::POST,
        JOBS,
        &admin,
        &json!({ "transition": "hold", "filter": { "state": "new" } }),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let job: Value = created.json().await.expect("json");
    assert_eq!(
        (job["total"].as_i64(), job["applied"].as_i64()),
        (Some(5), Some(5))
    );
    for id in [1, 3, 4, 5, 6] {
        assert_eq!(order_row(&app, id).await.0, "on_hold");
    }
    assert_eq!(order_row(&app, 2).await.0, "paid");
}

async fn bad_jobs_are_problems_and_store_nothing(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let (_, clerk) = token_for(&app, "clerk").await;
    let cases = [
        (
            json!({ "transition": "pay", "ids": ["1"], "filter": { "state": "new" } }),
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            json!({ "transition": "pay" }),
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            json!({ "transition": "pay", "ids": [] }),
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            json!({ "transition": "pay", "filter": { "state": "bogus" } }),
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            json!({ "transition": "pay", "ids": ["1"], "colour": "red" }),
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            json!({ "transition": "fly", "ids": ["1"] }),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            json!({ "transition": "ship", "ids": ["1"], "fields": { "tracking_number": "x" } }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-fields",
        ),
    ];
    for (body, status, kind) in cases {
        let response = send(&app, Method::POST, JOBS, &clerk, &body).await;
        assert_problem(response, status, kind).await;
    }
    assert_problem(
        get(&app, "/api/v1/jobs/999", Some(&clerk)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(jobs_stored(&app).await, 0);
    assert_eq!(order_row(&app, 1).await.0, "new");
}
