//! The operator's daily tools over HTTP: a list's CSV export (every matching row in the
//! list's order, inert cells, refusals before any row), row actions (fired with the row's
//! version, answered with the row as it is now; without JavaScript, back to the list), the
//! jobs page's filters and the header's running count, and what browsers may cache.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{
        audit_rows, call, logged_in, order_row, page, post_as_browser, set_state, user_with,
    },
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    an_export_streams_every_matching_row_of_every_page_in_the_lists_order,
    an_export_makes_formula_cells_inert,
    an_export_is_refused_before_any_row_without_a_session_permission_or_valid_filter,
    a_row_action_fires_with_the_rows_version_and_answers_the_row_as_it_is_now,
    a_stale_row_action_is_a_conflict_and_changes_nothing,
    a_row_action_without_javascript_comes_back_to_the_same_list_page_with_the_message,
    the_jobs_page_filters_by_status_resource_and_author_and_pages,
    the_jobs_page_refuses_a_filter_it_does_not_offer,
    pages_are_never_stored_and_the_header_lists_resources_and_running_jobs,
);

async fn export(app: &TestApp, client: &Client, query: &str) -> reqwest::Response {
    client
        .get(app.url(&format!("/orders/export.csv{query}")))
        .send()
        .await
        .expect("export")
}

async fn lines(response: reqwest::Response) -> Vec<String> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let text = response.text().await.expect("csv");
    text.lines().map(str::to_owned).collect()
}

async fn an_export_streams_every_matching_row_of_every_page_in_the_lists_order(app: TestApp) {
    // More rows than one export page (20,000), some of them filtered out.
    app::orders::seed_orders(&app.db, 45_000)
        .await
        .expect("seed");
    for id in [2, 3, 5, 44_000] {
        set_state(&app, id, "paid").await;
    }
    let viewer = logged_in(&app, "viewer").await;

    let all = lines(export(&app, &viewer, "").await).await;
    assert_eq!(all[0], "ID,State,Customer,Amount,Tracking number");
    assert_eq!(all.len(), 45_001);
    // The list's default order: by id, ascending.
    assert!(all[1].starts_with("1,New,Customer 0000000,"), "{}", all[1]);
    assert!(all[2].starts_with("2,Paid,"), "{}", all[2]);

    let new = lines(export(&app, &viewer, "?state=new&sort=-amount_cents").await).await;
    assert_eq!(new.len(), 44_996 + 1);
    assert!(new[1..].iter().all(|line| line.contains(",New,")));
    // Largest amount first, as the list shows it, on every page.
    let amounts: Vec<f64> = new[1..].iter().map(|line| amount(line)).collect();
    assert!(amounts.windows(2).all(|pair| pair[0] >= pair[1]));
    let ids: std::collections::HashSet<&str> = new[1..]
        .iter()
        .map(|line| line.split(',').next().expect("id"))
        .collect();
    assert_eq!(ids.len(), 44_996, "no row twice across pages");

    let searched = lines(export(&app, &viewer, "?q=Customer+000441").await).await;
    let expected: Vec<String> = (4_411..=4_420).map(|id| id.to_string()).collect();
    let found: Vec<&str> = searched[1..]
        .iter()
        .map(|line| line.split(',').next().expect("id"))
        .collect();
    assert_eq!(found, expected);
}

/// The amount column of an exported order (`1,New,Customer 0000000,"1,234.50",`).
fn amount(line: &str) -> f64 {
    let rest = line.splitn(4, ',').nth(3).expect("amount column");
    let cell = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or_default(),
        None => rest.split(',').next().unwrap_or_default(),
    };
    cell.replace(',', "").parse().expect("amount")
}

async fn an_export_makes_formula_cells_inert(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    app::with_pool!(&app.db, pool => {
        sqlx::query("UPDATE orders SET customer = $1 WHERE id = 2")
            .bind("=HYPERLINK(\"http://evil\",\"x\")")
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("customer");
    let viewer = logged_in(&app, "viewer").await;
    let rows = lines(export(&app, &viewer, "").await).await;
    assert_eq!(
        rows[2]
            .split(",\"")
            .nth(1)
            .map(|cell| cell.starts_with("'=HYPERLINK")),
        Some(true),
        "{}",
        rows[2]
    );
}

async fn an_export_is_refused_before_any_row_without_a_session_permission_or_valid_filter(
    app: TestApp,
) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let anonymous = app.client();
    let refused = export(&app, &anonymous, "").await;
    assert!(
        matches!(
            refused.status(),
            StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
        ),
        "{}",
        refused.status()
    );
    let outsider = user_with(&app, "outsider", &["orders.pay"]).await;
    let forbidden = export(&app, &outsider, "").await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert!(!forbidden.text().await.expect("body").contains("Customer"));

    let viewer = logged_in(&app, "viewer").await;
    for (query, status) in [
        ("?state=nonsense", StatusCode::BAD_REQUEST),
        ("?sort=secret_column", StatusCode::BAD_REQUEST),
        ("?state=new%00", StatusCode::BAD_REQUEST),
        ("?q=%07bell", StatusCode::BAD_REQUEST),
    ] {
        let response = export(&app, &viewer, query).await;
        assert_eq!(response.status(), status, "{query}");
        assert!(!response.text().await.expect("body").contains("Customer 0"));
    }
    let unknown = viewer
        .get(app.url("/nothing/export.csv"))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

fn row_fields<'a>(id: &'a str, transition: &'a str, version: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("input[resource]", "orders"),
        ("input[id]", id),
        ("input[transition]", transition),
        ("input[version]", version),
    ]
}

async fn a_row_action_fires_with_the_rows_version_and_answers_the_row_as_it_is_now(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let (_, version) = order_row(&app, 2).await;
    let response = call(
        &app,
        &clerk,
        "fire_row",
        &row_fields("2", "pay", &version.to_string()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let fired: Value = response.json().await.expect("row");
    assert_eq!(
        fired["message"]["text"],
        "Mark as paid: moved from New to Paid."
    );
    assert_eq!(fired["row"]["version"], version + 1);
    assert_eq!(fired["row"]["states"][0]["label"], "Paid");
    // Of the row actions (pay, cancel), only cancel is left from Paid.
    let names: Vec<&str> = fired["row"]["actions"][0]
        .as_array()
        .expect("actions")
        .iter()
        .map(|action| action["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["cancel"]);
    assert_eq!(order_row(&app, 2).await, ("paid".to_owned(), version + 1));
    assert_eq!(audit_rows(&app, 2).await.len(), 1);

    // The list's rows carry the same buttons, for those who may fire them only.
    let (_, html) = page(&app, &clerk, "/orders").await;
    assert!(html.contains("Mark as paid (order 1)"));
    assert!(html.contains("Cancel order (order 2)"));
    assert!(!html.contains("Mark as paid (order 2)"));
    let viewer = logged_in(&app, "viewer").await;
    let (_, html) = page(&app, &viewer, "/orders").await;
    assert!(!html.contains("Mark as paid (order 1)"));
    let refused = call(&app, &viewer, "fire_row", &row_fields("1", "pay", "1")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(order_row(&app, 1).await.0, "new");
}

async fn a_stale_row_action_is_a_conflict_and_changes_nothing(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let (_, version) = order_row(&app, 1).await;
    set_state(&app, 1, "new").await;
    let response = call(
        &app,
        &clerk,
        "fire_row",
        &row_fields("1", "pay", &version.to_string()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), version + 1));
}

async fn a_row_action_without_javascript_comes_back_to_the_same_list_page_with_the_message(
    app: TestApp,
) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let mut fields = row_fields("3", "pay", "1");
    fields.push(("input[origin]", "list"));
    fields.push((
        "input[list_query]",
        "q=Customer 0000002&sort=-amount_cents&page=1",
    ));
    let response = post_as_browser(&app, &clerk, "fire", &fields).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let back = location(&response);
    assert_eq!(back, "/orders?q=Customer+0000002&sort=-amount_cents");
    assert_eq!(order_row(&app, 3).await.0, "paid");
    let (_, html) = page(&app, &clerk, &back).await;
    assert!(html.contains("Mark as paid: moved from New to Paid."));

    // Whatever the posted query holds, only a list's own parameters, encoded, come back.
    let mut fields = row_fields("2", "pay", "1");
    fields.push(("input[origin]", "list"));
    fields.push((
        "input[list_query]",
        "q=%0d%0aSet-Cookie: x=1&next=//evil.example",
    ));
    let response = post_as_browser(&app, &clerk, "fire", &fields).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        location(&response),
        "/orders?next=%2F%2Fevil.example&q=%0D%0ASet-Cookie%3A+x%3D1"
    );
}

async fn bulk_pay(app: &TestApp, client: &Client, ids: &[&str]) -> i64 {
    let keys: Vec<String> = (0..ids.len()).map(|i| format!("input[ids][{i}]")).collect();
    let mut fields = vec![("input[resource]", "orders"), ("input[transition]", "pay")];
    fields.extend(keys.iter().map(String::as_str).zip(ids.iter().copied()));
    let response = call(app, client, "bulk_apply", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("job id")
}

async fn the_jobs_page_filters_by_status_resource_and_author_and_pages(app: TestApp) {
    app::orders::seed_orders(&app.db, 60).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let admin = logged_in(&app, "admin").await;
    let mut clerks = Vec::new();
    for id in 1..=52 {
        clerks.push(bulk_pay(&app, &clerk, &[&id.to_string()]).await);
    }
    let admins = bulk_pay(&app, &admin, &["55"]).await;

    let (status, html) = page(&app, &clerk, "/jobs?author=clerk").await;
    assert_eq!(status, StatusCode::OK);
    // Fifty a page, newest first, then a link to the older ones.
    assert!(html.contains(&format!("href=\"/jobs/{}\"", clerks[51])));
    assert!(!html.contains(&format!("href=\"/jobs/{}\"", clerks[1])));
    assert!(!html.contains(&format!("href=\"/jobs/{admins}\"")));
    let older = format!("/jobs?author=clerk&amp;before={}", clerks[2]);
    assert!(html.contains(&older), "a link to the older page");
    let (_, html) = page(&app, &clerk, &older.replace("&amp;", "&")).await;
    assert!(html.contains(&format!("href=\"/jobs/{}\"", clerks[0])));
    assert!(html.contains(&format!("href=\"/jobs/{}\"", clerks[1])));
    assert!(!html.contains(&format!("href=\"/jobs/{}\"", clerks[2])));

    let (_, html) = page(
        &app,
        &clerk,
        "/jobs?author=admin&status=done&resource=orders",
    )
    .await;
    assert!(html.contains(&format!("href=\"/jobs/{admins}\"")));
    assert!(!html.contains(&format!("href=\"/jobs/{}\"", clerks[51])));
    let (_, html) = page(&app, &clerk, "/jobs?status=running").await;
    assert!(html.contains("No job matches these filters."));
}

async fn the_jobs_page_refuses_a_filter_it_does_not_offer(app: TestApp) {
    let clerk = logged_in(&app, "clerk").await;
    for query in ["?status=exploded", "?resource=secrets", "?author=%07bell"] {
        let (status, html) = page(&app, &clerk, &format!("/jobs{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            html.contains("<title>Cannot show this page · Switchyard</title>"),
            "{query}"
        );
    }
}

async fn pages_are_never_stored_and_the_header_lists_resources_and_running_jobs(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let viewer = logged_in(&app, "viewer").await;
    let response = viewer.get(app.url("/orders")).send().await.expect("page");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.expect("html");
    assert!(html.contains("<a href=\"/orders\" aria-current=\"page\">Orders</a>"));
    assert!(html.contains("<a href=\"/campaigns\">Campaigns</a>"));
    assert!(html.contains(">Jobs</a>"));
    // A job another server is running (its heartbeat fresh for a long while) is counted.
    app::with_pool!(&app.db, pool => {
        sqlx::query(
            "INSERT INTO bulk_jobs (resource, transition, label, mode, arguments, actor_id, \
             actor_username, total, status, runner, heartbeat_at) VALUES ('orders', 'pay', \
             'Mark as paid', 'best_effort', '{}', 1, 'admin', 0, 'running', 'elsewhere', \
             '2999-01-01T00:00:00.000Z')",
        )
        .execute(pool)
        .await
        .map(|_| ())
    })
    .expect("job");
    let (_, html) = page(&app, &viewer, "/").await;
    assert!(html.contains("Jobs (1 running)"), "{html}");
}
