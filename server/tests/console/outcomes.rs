//! A job's outcomes as CSV over HTTP: every row in order under the header line, cells a
//! spreadsheet would run as formulas made inert, the permission and unknown-job refusals,
//! a job longer than one page streamed whole, and keys (a job's positions) that are negative,
//! sparse or the least integer.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{call, logged_in, set_state, user_with},
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    a_jobs_csv_lists_every_row_in_order_under_the_header_line,
    keys_and_reasons_a_spreadsheet_would_run_as_formulas_come_out_inert,
    the_csv_is_refused_without_the_view_permission_and_for_an_unknown_job,
    a_job_longer_than_one_page_streams_every_row,
    a_job_over_keys_far_from_its_row_count_finishes_every_row_numbered_from_one,
);

/// Applies a bulk `pay` as a script would and waits until the job has finished.
async fn bulk_pay(app: &TestApp, client: &Client, extra: &[(&str, &str)]) -> i64 {
    let mut fields = vec![("input[resource]", "orders"), ("input[transition]", "pay")];
    fields.extend_from_slice(extra);
    let response = call(app, client, "bulk_apply", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = response.json().await.expect("job id");
    loop {
        let job: Value = call(app, client, "job", &[("input[id]", &id.to_string())])
            .await
            .json()
            .await
            .expect("job");
        if job["status"] == "done" {
            return id;
        }
        assert!(
            matches!(job["status"].as_str(), Some("queued" | "running")),
            "{job}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn csv(app: &TestApp, client: &Client, job: i64) -> reqwest::Response {
    client
        .get(app.url(&format!("/jobs/{job}/outcomes.csv")))
        .send()
        .await
        .expect("csv")
}

async fn a_jobs_csv_lists_every_row_in_order_under_the_header_line(app: TestApp) {
    app::orders::seed_orders(&app.db, 5).await.expect("seed");
    set_state(&app, 2, "paid").await;
    let clerk = logged_in(&app, "clerk").await;
    let ids = [
        ("input[ids][0]", "3"),
        ("input[ids][1]", "1"),
        ("input[ids][2]", "2"),
        ("input[ids][3]", "99"),
        ("input[ids][4]", "5"),
    ];
    let job = bulk_pay(&app, &clerk, &ids).await;

    let response = csv(&app, &clerk, job).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"job-{job}-outcomes.csv\"")
    );
    assert_eq!(
        response.text().await.expect("text"),
        "position,object_id,outcome,reason\n\
         1,3,applied,\n\
         2,1,applied,\n\
         3,2,skipped,Mark as paid is not possible: the order is Paid.\n\
         4,99,skipped,No such order.\n\
         5,5,applied,\n"
    );

    // Compressed as a browser asks for it, the stream still ends cleanly.
    let compressed = clerk
        .get(app.url(&format!("/jobs/{job}/outcomes.csv")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("csv");
    assert_eq!(
        compressed
            .headers()
            .get("content-encoding")
            .map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    let body = compressed.bytes().await.expect("the whole compressed body");
    assert!(body.len() > 20, "{body:?}");
}

async fn keys_and_reasons_a_spreadsheet_would_run_as_formulas_come_out_inert(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    set_state(&app, 2, "paid").await;
    let admin = logged_in(&app, "admin").await;
    // An operator relabels `pay`: the label is the start of every refusal's sentence.
    let label = r#"=HYPERLINK("http://evil.example","Pay")"#;
    let saved = call(
        &app,
        &admin,
        "settings_save",
        &[
            ("input[resource]", "orders"),
            ("input[rows][0][transition]", "pay"),
            ("input[rows][0][visibility]", "shown"),
            ("input[rows][0][label]", label),
            ("input[rows][0][revision]", "0"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK, "{:?}", saved.text().await);
    // Keys that are no order's stay as typed, to be reported missing.
    let ids = [
        ("input[ids][0]", "1"),
        ("input[ids][1]", "2"),
        ("input[ids][2]", "=1+2"),
        ("input[ids][3]", "@SUM(A1:A9)"),
        ("input[ids][4]", "-2+3"),
    ];
    let job = bulk_pay(&app, &admin, &ids).await;

    let text = csv(&app, &admin, job).await.text().await.expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "position,object_id,outcome,reason",
            "1,1,applied,",
            r#"2,2,skipped,"'=HYPERLINK(""http://evil.example"",""Pay"") is not possible: the order is Paid.""#,
            "3,'=1+2,skipped,No such order.",
            "4,'@SUM(A1:A9),skipped,No such order.",
            "5,'-2+3,skipped,No such order.",
        ]
    );
}

async fn the_csv_is_refused_without_the_view_permission_and_for_an_unknown_job(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let job = bulk_pay(&app, &clerk, &[("input[ids][0]", "1")]).await;

    let outsider = user_with(&app, "outsider", &["orders.pay"]).await;
    let refused = csv(&app, &outsider, job).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(!refused.text().await.expect("body").contains("applied"));

    let unknown = csv(&app, &clerk, job + 1).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(unknown
        .text()
        .await
        .expect("body")
        .contains(&format!("Job {}", job + 1)));

    let anonymous = csv(&app, &app.client(), job).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/login?next="));
}

async fn a_job_longer_than_one_page_streams_every_row(app: TestApp) {
    app::orders::seed_orders(&app.db, 12_000)
        .await
        .expect("seed");
    set_state(&app, 7_777, "paid").await;
    let clerk = logged_in(&app, "clerk").await;
    let job = bulk_pay(&app, &clerk, &[("input[all_matching]", "true")]).await;

    let response = csv(&app, &clerk, job).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("content-length").is_none(),
        "streamed, so its length is not known up front"
    );
    let text = response.text().await.expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 12_001, "the header and every row");
    assert_eq!(lines[0], "position,object_id,outcome,reason");
    for (index, line) in lines.iter().enumerate().skip(1) {
        let expected = if index == 7_777 {
            "7777,7777,skipped,Mark as paid is not possible: the order is Paid.".to_owned()
        } else {
            format!("{index},{index},applied,")
        };
        assert_eq!(*line, expected);
    }
}

async fn execute(app: &TestApp, sql: &str) {
    app::with_pool!(&app.db, pool => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()))
        .expect(sql);
}

/// The CSV's lines after the header, each `number,key,outcome,reason`, asserting `keys`
/// (all applied) numbered from 1 in key order.
async fn assert_numbered_in_key_order(app: &TestApp, client: &Client, job: i64, keys: &[i64]) {
    let response = csv(app, client, job).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("text");
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), keys.len(), "every row once");
    for (index, (line, key)) in lines.iter().zip(keys).enumerate() {
        // A leading `-` is made inert for spreadsheets.
        let cell = if *key < 0 {
            format!("'{key}")
        } else {
            key.to_string()
        };
        assert_eq!(*line, format!("{},{cell},applied,", index + 1));
    }
}

/// "All matching" stores integer keys as their own positions: a job whose keys start below
/// zero and jump past its row count still runs every row over several batches (of 10,000)
/// and finishes only then, and a key of `i64::MIN`, before which no position can stand, is
/// numbered instead; the CSV numbers rows from 1 either way.
async fn a_job_over_keys_far_from_its_row_count_finishes_every_row_numbered_from_one(app: TestApp) {
    app::orders::seed_orders(&app.db, 12_000)
        .await
        .expect("seed");
    execute(
        &app,
        "UPDATE orders SET id = CASE WHEN id <= 100 THEN id - 101 ELSE id + 1000000 END",
    )
    .await;
    let mut keys: Vec<i64> = (-100..0).chain(1_000_101..=1_012_000).collect();
    let clerk = logged_in(&app, "clerk").await;
    let job = bulk_pay(&app, &clerk, &[("input[all_matching]", "true")]).await;
    let report: Value = call(&app, &clerk, "job", &[("input[id]", &job.to_string())])
        .await
        .json()
        .await
        .expect("job");
    assert_eq!(
        (report["applied"].as_i64(), report["total"].as_i64()),
        (Some(12_000), Some(12_000))
    );
    assert_numbered_in_key_order(&app, &clerk, job, &keys).await;

    execute(
        &app,
        "UPDATE orders SET state = 'new', version = version + 1; \
         UPDATE orders SET id = -9223372036854775808 WHERE id = -100",
    )
    .await;
    keys[0] = i64::MIN;
    let job = bulk_pay(&app, &clerk, &[("input[all_matching]", "true")]).await;
    assert_numbered_in_key_order(&app, &clerk, job, &keys).await;
}
