//! Two servers on one PostgreSQL database: clicks and bulk jobs raced across both apply each
//! row exactly once, and a visibility change saved on one applies on the other at once.

use std::net::SocketAddr;

use app::db::Backend;
use reqwest::StatusCode;

use crate::servers::{apply, call, count, database, finished, in_process, logged_in};

/// The order in which client `client` clicks the rows `1..=rows`: each its own rotation, every
/// other one reversed, so clients collide all along the list.
fn shuffled(client: usize, rows: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = (1..=rows).collect();
    let turn = client * 25 % ids.len();
    ids.rotate_left(turn);
    if client % 2 == 1 {
        ids.reverse();
    }
    ids
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

async fn click_every_row(address: SocketAddr, client: usize, rows: i64) -> Vec<StatusCode> {
    let session = logged_in(address, "clerk").await;
    let mut statuses = Vec::new();
    for id in shuffled(client, rows) {
        let id = id.to_string();
        let fire = fields(&[
            ("input[resource]", "orders"),
            ("input[id]", &id),
            ("input[transition]", "pay"),
            ("input[version]", "1"),
        ]);
        statuses.push(call(address, &session, "fire", &fire).await.status());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clicks_and_jobs_raced_across_two_servers_apply_each_row_once() {
    let Some(database) = database(Backend::Postgres).await else {
        return;
    };
    let servers = [in_process(&database).await, in_process(&database).await];
    app::orders::seed_orders(&database.db, 200)
        .await
        .expect("seed");

    // Eight sessions, four on each server, click `pay` on the same 200 rows.
    let clicks: Vec<_> = (0..8)
        .map(|client| tokio::spawn(click_every_row(servers[client % 2], client, 200)))
        .collect();
    let mut statuses = Vec::new();
    for clicked in clicks {
        statuses.extend(clicked.await.expect("a client"));
    }
    let applied = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| matches!(**s, StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY))
        .count();
    assert_eq!((applied, refused), (200, 1_400), "{statuses:?}");
    assert_eq!(
        count(
            &database.db,
            "SELECT COUNT(*) FROM orders WHERE state = 'paid'"
        )
        .await,
        200
    );
    assert_eq!(
        count(&database.db, "SELECT COUNT(*) FROM audit_log").await,
        200
    );

    // Two bulk jobs over the same 1,000 new rows, one started on each server.
    app::orders::seed_orders_range(&database.db, 200..1_200)
        .await
        .expect("seed");
    let mut bulk = fields(&[("input[resource]", "orders"), ("input[transition]", "pay")]);
    for (index, id) in (201..=1_200).enumerate() {
        bulk.push((format!("input[ids][{index}]"), id.to_string()));
    }
    let sessions = [
        logged_in(servers[0], "clerk").await,
        logged_in(servers[1], "clerk").await,
    ];
    let (first, second) = tokio::join!(
        apply(servers[0], &sessions[0], &bulk),
        apply(servers[1], &sessions[1], &bulk)
    );
    let limit = std::time::Duration::from_secs(120);
    let a = finished(&database.db, first, limit).await;
    let b = finished(&database.db, second, limit).await;
    assert_eq!((a.0.as_str(), b.0.as_str()), ("done", "done"));
    assert_eq!(a.1 + b.1, 1_000, "{a:?} {b:?}");
    assert_eq!(
        count(
            &database.db,
            "SELECT COUNT(*) FROM orders WHERE state = 'paid'"
        )
        .await,
        1_200
    );
    assert_eq!(
        count(&database.db, "SELECT COUNT(*) FROM audit_log").await,
        1_200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_visibility_change_saved_on_one_server_applies_on_the_other_at_once() {
    let Some(database) = database(Backend::Postgres).await else {
        return;
    };
    let (one, other) = (in_process(&database).await, in_process(&database).await);
    app::orders::seed_orders(&database.db, 2)
        .await
        .expect("seed");
    let clerk = logged_in(other, "clerk").await;
    let page = |path: &'static str| {
        let clerk = clerk.clone();
        async move {
            let response = clerk
                .get(format!("http://{other}{path}"))
                .send()
                .await
                .expect("page");
            response.text().await.expect("html")
        }
    };
    assert!(page("/orders/1").await.contains("Mark as paid"));

    let admin = logged_in(one, "admin").await;
    let hide = fields(&[
        ("input[resource]", "orders"),
        ("input[rows][0][transition]", "pay"),
        ("input[rows][0][visibility]", "hidden"),
        ("input[rows][0][revision]", "0"),
    ]);
    let saved = call(one, &admin, "settings_save", &hide).await;
    assert_eq!(saved.status(), StatusCode::OK, "{:?}", saved.text().await);

    // The other server's very next request reads the change: no button, and a post refused.
    assert!(!page("/orders/1").await.contains("Mark as paid"));
    let fire = fields(&[
        ("input[resource]", "orders"),
        ("input[id]", "1"),
        ("input[transition]", "pay"),
        ("input[version]", "1"),
    ]);
    let refused = call(other, &clerk, "fire", &fire).await;
    assert!(refused.status().is_client_error(), "{}", refused.status());
    assert_eq!(
        count(
            &database.db,
            "SELECT COUNT(*) FROM orders WHERE state = 'paid'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&database.db, "SELECT COUNT(*) FROM audit_log").await,
        0
    );
}
