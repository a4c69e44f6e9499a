//! The per-state counts the console keeps: equal to `COUNT(*)` after racing fires, failed
//! handlers, an all-or-nothing job rolled back, a refused statement, SQL run by hand, and bulk
//! jobs (whose batches SQLite's writer counts itself, text and integer states, beside an
//! update trigger from before it could); read by the diagram page, which shows them live;
//! repaired by `recount`.

use std::sync::Arc;

use reqwest::StatusCode;

use app::db::jobs;

use crate::{
    helpers::{fire, logged_in, page},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    kept_counts_equal_count_star_after_races_failures_and_hand_written_sql,
    the_diagram_page_shows_live_counts_and_draws_hidden_transitions_only_for_configurers,
    a_recount_repairs_counts_that_were_tampered_with,
    bulk_jobs_count_their_batches_as_the_triggers_would,
);

/// Every state column's kept counts against a grouped count of its table.
async fn assert_counts_match_tables(app: &TestApp) {
    let registry = app::resources::registry().expect("registry");
    for resource in registry.iter() {
        let table = resource.table();
        for column in table.state_columns() {
            let kept = app::db::counts::read(&app.db, table, column)
                .await
                .expect("read counts")
                .expect("the console counts every state column");
            let sql = format!(
                "SELECT CAST(\"{0}\" AS TEXT), COUNT(*) FROM \"{1}\" GROUP BY \"{0}\"",
                column.name,
                table.name()
            );
            let counted: Vec<(String, i64)> = app::with_pool!(&app.db, pool => {
                sqlx::query_as(&sql).fetch_all(pool).await
            })
            .expect("count the table");
            let mut kept: Vec<(String, i64)> = kept
                .into_iter()
                .map(|(state, count)| (state.to_string(), count))
                .collect();
            let mut counted = counted;
            kept.sort();
            counted.sort();
            assert_eq!(kept, counted, "{}.{}", table.name(), column.name);
        }
    }
}

async fn execute(app: &TestApp, sql: &str) {
    app::with_pool!(&app.db, pool => { sqlx::query(sql).execute(pool).await.map(|_| ()) })
        .expect("statement");
}

async fn kept_counts_equal_count_star_after_races_failures_and_hand_written_sql(app: TestApp) {
    app::orders::seed_orders(&app.db, 120).await.expect("seed");
    app::campaigns::seed::seed_campaigns(&app.db, 30)
        .await
        .expect("seed campaigns");
    assert_counts_match_tables(&app).await;
    let app = Arc::new(app);
    let mut racers = Vec::new();
    for racer in 0..4_i64 {
        let client = logged_in(&app, if racer % 2 == 0 { "admin" } else { "clerk" }).await;
        let app = Arc::clone(&app);
        racers.push(tokio::spawn(async move {
            for id in 1..=60_i64 {
                // Every racer fires from version 1: one wins each order, the others are stale.
                let status = fire(&app, &client, &id.to_string(), "pay", "1")
                    .await
                    .status();
                assert!(!status.is_server_error(), "order {id}: {status}");
            }
        }));
    }
    for racer in racers {
        racer.await.expect("racer");
    }
    assert_counts_match_tables(&app).await;
    // A failing handler: the fraud check moves orders over its limit to `failed`, the others
    // to `approved`; one above the limit and one below.
    let admin = logged_in(&app, "admin").await;
    execute(
        &app,
        "UPDATE orders SET amount_cents = 500000, state = 'new', version = 1 WHERE id = 90",
    )
    .await;
    execute(
        &app,
        "UPDATE orders SET amount_cents = 100, state = 'new', version = 1 WHERE id = 91",
    )
    .await;
    execute(&app, "UPDATE orders SET state = 'new' WHERE id IN (92, 93)").await;
    execute(&app, "UPDATE orders SET state = 'delivered' WHERE id = 1").await;
    assert_counts_match_tables(&app).await;
    for id in ["90", "91"] {
        let status = fire(&app, &admin, id, "fail_check", "1").await.status();
        assert!(!status.is_server_error(), "{id}: {status}");
    }
    let states = app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String,)>("SELECT state FROM orders WHERE id IN (90, 91) ORDER BY id")
            .fetch_all(pool)
            .await
    })
    .expect("states");
    assert_eq!(states, [("failed".to_owned(),), ("approved".to_owned(),)]);
    assert_counts_match_tables(&app).await;
    // An all-or-nothing bulk job that one row refuses: every row it moved is rolled back, and
    // its count changes with them.
    let bulk = [
        ("input[resource]", "orders"),
        ("input[transition]", "pay"),
        ("input[ids][0]", "92"),
        ("input[ids][1]", "93"),
        ("input[ids][2]", "1"),
        ("input[all_or_nothing]", "true"),
    ];
    let response = crate::helpers::call(&app, &admin, "bulk_apply", &bulk).await;
    assert_eq!(response.status(), StatusCode::OK);
    let paid = app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders WHERE id IN (92, 93) AND state = 'paid'")
            .fetch_one(pool)
            .await
    })
    .expect("count");
    assert_eq!(paid, 0, "the job moved nothing");
    assert_counts_match_tables(&app).await;
    // SQL by hand: a creation, a move and a deletion, as a migration or an operator might.
    execute(&app, "INSERT INTO orders (id, customer, amount_cents, state, version) VALUES (100001, 'Hand', 100, 'shipped', 1)").await;
    execute(
        &app,
        "UPDATE orders SET state = 'cancelled' WHERE id BETWEEN 61 AND 70",
    )
    .await;
    execute(&app, "DELETE FROM orders WHERE id BETWEEN 71 AND 75").await;
    execute(
        &app,
        "UPDATE campaigns SET review = 'approved' WHERE id <= 5",
    )
    .await;
    assert_counts_match_tables(&app).await;
    // A statement that fails rolls back its count changes with it.
    let refused = app::with_pool!(&app.db, pool => {
        sqlx::query("UPDATE campaigns SET review = 'no_such_review' WHERE id <= 10")
            .execute(pool)
            .await
            .map(|_| ())
    });
    assert!(
        refused.is_err(),
        "the foreign key refuses an unknown review"
    );
    assert_counts_match_tables(&app).await;
    if let app::db::Db::Postgres(_) = &app.db {
        app::db::counts::compact(&app.db).await.expect("compact");
        assert_counts_match_tables(&app).await;
    }
}

/// The count shown in the drawing for `state` (the second line of its box).
fn drawn_count(html: &str, state: &str) -> String {
    let start = html
        .find(&format!("data-state=\"{state}\""))
        .unwrap_or_else(|| panic!("no state {state} drawn"));
    let group = &html[start..];
    let group = &group[..group.find("</g>").expect("closed group")];
    let last = group.rfind("\">").expect("a tspan");
    group[last + 2..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn the_diagram_page_shows_live_counts_and_draws_hidden_transitions_only_for_configurers(
    app: TestApp,
) {
    app::orders::seed_orders(&app.db, 50).await.expect("seed");
    execute(&app, "UPDATE orders SET state = 'new'").await;
    let admin = logged_in(&app, "admin").await;
    let (status, html) = page(&app, &admin, "/orders/diagram").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(drawn_count(&html, "new"), "50");
    assert_eq!(drawn_count(&html, "paid"), "0");
    assert!(
        html.contains("href=\"/orders?state=paid\""),
        "states link to the filtered list"
    );
    // `hold` is hidden from the console: set apart for a user who may configure it.
    assert!(html.contains("(hidden)"), "the admin sees hold set apart");
    let response = fire(&app, &admin, "7", "pay", "1").await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let (_, html) = page(&app, &admin, "/orders/diagram").await;
    assert_eq!(drawn_count(&html, "new"), "49");
    assert_eq!(drawn_count(&html, "paid"), "1");
    let viewer = logged_in(&app, "viewer").await;
    let (status, html) = page(&app, &viewer, "/orders/diagram").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("(hidden)"),
        "the viewer does not see hold at all"
    );
    assert!(!html.contains("Put on hold"), "no hold edge for the viewer");
    let (status, html) = page(&app, &admin, "/campaigns/diagram").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Step") && html.contains("Review"),
        "one diagram per field"
    );
    let (status, _) = page(&app, &admin, "/nothing/diagram").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The object page draws the order small, its state highlighted.
    let (_, html) = page(&app, &admin, "/orders/7").await;
    let current = html
        .find("diagram-state")
        .and(html.find(" current\" data-state=\"paid\""));
    assert!(current.is_some(), "order 7 is drawn in paid");
}

async fn a_recount_repairs_counts_that_were_tampered_with(app: TestApp) {
    app::orders::seed_orders(&app.db, 40).await.expect("seed");
    // PostgreSQL keeps the seed's changes as deltas until they are folded into count rows.
    app::db::counts::compact(&app.db).await.expect("compact");
    execute(
        &app,
        "UPDATE state_counts SET count = count + 7 WHERE table_name = 'orders'",
    )
    .await;
    let registry = app::resources::registry().expect("registry");
    let lines = server::commands::recount_on(&app.db, &registry, &["orders".to_owned()])
        .await
        .expect("recount");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("orders.state: 40 rows, corrected"),
        "{lines:?}"
    );
    assert_counts_match_tables(&app).await;
    let lines = server::commands::recount_on(&app.db, &registry, &[])
        .await
        .expect("recount");
    assert!(
        lines.iter().all(|line| line.ends_with("counts were right")),
        "{lines:?}"
    );
}

/// Runs a best-effort bulk `transition` over every row of `resource` and waits for its end.
async fn bulk_over_everything(app: &TestApp, resource: &str, transition: &str) -> jobs::JobRecord {
    let admin = logged_in(app, "admin").await;
    let fields = [
        ("input[resource]", resource),
        ("input[transition]", transition),
        ("input[all_matching]", "true"),
    ];
    let response = crate::helpers::call(app, &admin, "bulk_apply", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = response.json().await.expect("the job's id");
    loop {
        let job = jobs::job(&app.db, id).await.expect("read").expect("job");
        if !matches!(job.status.as_str(), "queued" | "running") {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The stored text of the orders' update trigger: the writer drops it for a batch and must
/// always put it back, as it was.
async fn orders_update_trigger(app: &TestApp) -> String {
    app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, String>(
            "SELECT sql FROM sqlite_master WHERE name = 'switchyard_count_orders_state_update'",
        )
        .fetch_one(pool)
        .await
    })
    .expect("the update trigger is in place")
}

/// An update trigger as a server before this one installed it (reading a pause row).
const OLDER_TRIGGER: &str = "CREATE TRIGGER switchyard_count_orders_state_update \
    AFTER UPDATE OF state ON orders WHEN OLD.state IS NOT NEW.state AND NOT EXISTS \
    (SELECT 1 FROM state_count_pauses WHERE table_name = 'orders' AND column_name = 'state') \
    BEGIN UPDATE state_counts SET count = count - 1 WHERE table_name = 'orders' \
    AND column_name = 'state' AND value = CAST(OLD.state AS TEXT); \
    INSERT INTO state_counts (table_name, column_name, value, count) \
    SELECT 'orders', 'state', CAST(NEW.state AS TEXT), 1 WHERE NEW.state IS NOT NULL \
    ON CONFLICT (table_name, column_name, value) DO UPDATE SET count = count + 1; END";

async fn bulk_jobs_count_their_batches_as_the_triggers_would(app: TestApp) {
    app::orders::seed_orders(&app.db, 300).await.expect("seed");
    app::campaigns::seed::seed_campaigns(&app.db, 150)
        .await
        .expect("seed campaigns");
    execute(&app, "UPDATE orders SET state = 'paid' WHERE id % 10 = 0").await;
    // Text states, written with the model (`pay` has a handler): 270 `new` orders move, 30
    // `paid` ones are refused and stay.
    let job = bulk_over_everything(&app, "orders", "pay").await;
    assert_eq!(
        (job.status.as_str(), job.applied, job.skipped),
        ("done", 270, 30)
    );
    assert_counts_match_tables(&app).await;
    // Integer states (`step`) and a second field of the same table (`review`), written
    // without the model (no handler).
    execute(&app, "UPDATE campaigns SET jobs = 1").await;
    let job = bulk_over_everything(&app, "campaigns", "produce").await;
    assert_eq!((job.status.as_str(), job.applied), ("done", 150));
    let job = bulk_over_everything(&app, "campaigns", "approve").await;
    assert_eq!((job.status.as_str(), job.applied), ("done", 150));
    assert_counts_match_tables(&app).await;
    let app::db::Db::Sqlite(_) = &app.db else {
        return;
    };
    let installed = orders_update_trigger(&app).await;
    assert!(!installed.contains("state_count_pauses"), "{installed}");
    // A trigger another version installed is put back as it was after every batch.
    // One script on one connection: another, its schema not yet read again, would still
    // see the trigger.
    execute(
        &app,
        &format!("DROP TRIGGER switchyard_count_orders_state_update; {OLDER_TRIGGER}"),
    )
    .await;
    execute(&app, "UPDATE orders SET state = 'new'").await;
    let job = bulk_over_everything(&app, "orders", "pay").await;
    assert_eq!((job.status.as_str(), job.applied), ("done", 300));
    assert_counts_match_tables(&app).await;
    assert_eq!(orders_update_trigger(&app).await, OLDER_TRIGGER);
    // A write outside any batch is still counted by it.
    execute(&app, "UPDATE orders SET state = 'new' WHERE id <= 10").await;
    assert_counts_match_tables(&app).await;
    // The next start installs this version's trigger again, and a second start leaves it.
    let registry = app::resources::registry().expect("registry");
    let orders = registry
        .iter()
        .find(|resource| resource.name() == "orders")
        .expect("orders");
    for _ in 0..2 {
        app::db::counts::install(&app.db, orders.table())
            .await
            .expect("install");
        assert_eq!(orders_update_trigger(&app).await, installed);
    }
    execute(&app, "UPDATE orders SET state = 'new'").await;
    let job = bulk_over_everything(&app, "orders", "pay").await;
    assert_eq!((job.status.as_str(), job.applied), ("done", 300));
    assert_counts_match_tables(&app).await;
    assert_eq!(orders_update_trigger(&app).await, installed);
}
