//! SCENARIO step d over HTTP: eight sessions paying the same 200 orders at once, each in its
//! own order, and two bulk jobs over the same 1,000 orders at once. Every order moves exactly
//! once, with exactly one audit row, and no answer is a server error.

use std::sync::Arc;

use rand::{rngs::StdRng, seq::SliceRandom, SeedableRng};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::Barrier;

use crate::{
    helpers::{call, fire, logged_in},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    eight_sessions_paying_the_same_200_orders_apply_each_exactly_once,
    two_bulk_jobs_over_the_same_1000_orders_apply_each_exactly_once,
);

/// `(orders paid, audit rows of pay, orders with a pay audit row)` among the first `count`.
async fn paid_and_audited(app: &TestApp, count: i64) -> (i64, i64, i64) {
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT (SELECT COUNT(*) FROM orders WHERE id <= $1 AND state = 'paid'), \
                    (SELECT COUNT(*) FROM audit_log WHERE resource = 'orders'), \
                    (SELECT COUNT(DISTINCT object_id) FROM audit_log \
                     WHERE resource = 'orders' AND transition = 'pay')",
        )
        .bind(count)
        .fetch_one(pool)
        .await
    })
    .expect("counts")
}

async fn eight_sessions_paying_the_same_200_orders_apply_each_exactly_once(app: TestApp) {
    app::orders::seed_orders(&app.db, 200).await.expect("seed");
    let app = Arc::new(app);
    let barrier = Arc::new(Barrier::new(8));
    let mut racers = Vec::new();
    for racer in 0..8_u64 {
        let user = if racer % 2 == 0 { "admin" } else { "clerk" };
        let client = logged_in(&app, user).await;
        let (app, barrier) = (Arc::clone(&app), Arc::clone(&barrier));
        racers.push(tokio::spawn(async move {
            let mut ids: Vec<i64> = (1..=200).collect();
            ids.shuffle(&mut StdRng::seed_from_u64(racer));
            barrier.wait().await;
            let mut statuses = Vec::with_capacity(ids.len());
            for id in ids {
                // Every racer saw version 1, as a page loaded before anyone fired would show.
                let response = fire(&app, &client, &id.to_string(), "pay", "1").await;
                statuses.push((id, response.status()));
            }
            statuses
        }));
    }
    let mut applied = std::collections::HashMap::new();
    let mut refused = 0;
    for racer in racers {
        for (id, status) in racer.await.expect("the racer finishes") {
            match status {
                StatusCode::OK => *applied.entry(id).or_insert(0) += 1,
                StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => refused += 1,
                other => panic!("paying order {id} answered {other}"),
            }
        }
    }
    assert_eq!(applied.len(), 200, "every order applied");
    assert!(applied.values().all(|times| *times == 1), "{applied:?}");
    assert_eq!(refused, 7 * 200, "every other attempt refused");
    assert_eq!(paid_and_audited(&app, 200).await, (200, 200, 200));
}

async fn two_bulk_jobs_over_the_same_1000_orders_apply_each_exactly_once(app: TestApp) {
    app::orders::seed_orders(&app.db, 1_000)
        .await
        .expect("seed");
    let mut fields = vec![
        ("input[resource]".to_owned(), "orders".to_owned()),
        ("input[transition]".to_owned(), "pay".to_owned()),
    ];
    fields.extend((1..=1_000).map(|id| (format!("input[ids][{}]", id - 1), id.to_string())));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let (admin, clerk) = (
        logged_in(&app, "admin").await,
        logged_in(&app, "clerk").await,
    );
    let barrier = Barrier::new(2);
    let apply = |client: reqwest::Client| {
        let (app, fields, barrier) = (&app, &fields, &barrier);
        async move {
            barrier.wait().await;
            let response = call(app, &client, "bulk_apply", fields).await;
            assert_eq!(response.status(), StatusCode::OK);
            let id: i64 = response.json().await.expect("job id");
            loop {
                let job: Value = call(app, &client, "job", &[("input[id]", &id.to_string())])
                    .await
                    .json()
                    .await
                    .expect("job");
                if job["status"] == "done" {
                    break job;
                }
                assert!(
                    matches!(job["status"].as_str(), Some("queued" | "running")),
                    "{job}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };
    let (first, second) = tokio::join!(apply(admin), apply(clerk));
    let count = |job: &Value, key: &str| job[key].as_i64().unwrap_or(-1);
    assert_eq!(
        count(&first, "applied") + count(&second, "applied"),
        1_000,
        "{first} {second}"
    );
    assert_eq!(
        count(&first, "skipped") + count(&second, "skipped"),
        1_000,
        "each row the other job moved is skipped"
    );
    assert_eq!(count(&first, "failed") + count(&second, "failed"), 0);
    assert_eq!(paid_and_audited(&app, 1_000).await, (1_000, 1_000, 1_000));
}
