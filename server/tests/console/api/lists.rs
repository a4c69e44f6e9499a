//! Lists and history through the API: filters, search, sort, keyset cursors, a capped page
//! size, and every bad parameter a 400 problem.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{assert_problem, get, get_json, send, token_for, token_of_a_user_without_permissions};
use crate::{helpers::set_state, on_both_backends, support::TestApp};

on_both_backends!(
    a_list_filters_searches_sorts_and_pages_by_cursor,
    bad_list_parameters_are_problems,
    history_is_newest_first_and_paged_by_cursor,
);

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            item["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("an integer key")
        })
        .collect()
}

async fn a_list_filters_searches_sorts_and_pages_by_cursor(app: TestApp) {
    app::orders::seed_orders(&app.db, 120).await.expect("seed");
    for id in (3..=120).step_by(3) {
        set_state(&app, id, "paid").await;
    }
    let (_, viewer) = token_for(&app, "viewer").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/resources/orders/objects?state=new&limit=25".to_owned();
    loop {
        let page = get_json(&app, &path, &viewer).await;
        assert_eq!(page["total"], 80);
        assert_eq!(page["limit"], 25);
        assert!(page["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["states"]["state"] == "new" && item["version"].is_i64()));
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(next) => {
                path = format!("/api/v1/resources/orders/objects?state=new&limit=25&after={next}")
            }
            None => break,
        }
    }
    let expected: Vec<i64> = (1..=120).filter(|id| id % 3 != 0).collect();
    assert_eq!(seen, expected, "every new order once, in key order");

    let newest = get_json(
        &app,
        "/api/v1/resources/orders/objects?sort=-id&limit=2",
        &viewer,
    )
    .await;
    assert_eq!(ids(&newest), [120, 119]);
    let next = newest["next"].as_str().expect("a next page");
    let after = get_json(
        &app,
        &format!("/api/v1/resources/orders/objects?sort=-id&limit=2&after={next}"),
        &viewer,
    )
    .await;
    assert_eq!(ids(&after), [118, 117]);
    let found = get_json(
        &app,
        "/api/v1/resources/orders/objects?q=Customer%200000007",
        &viewer,
    )
    .await;
    assert_eq!(ids(&found), [8]);
    assert_eq!(found["items"][0]["object"]["customer"], "Customer 0000007");
    assert!(found.get("next").is_none());
    let grouped = get_json(
        &app,
        "/api/v1/resources/orders/objects?group=open&limit=1",
        &viewer,
    )
    .await;
    assert!(grouped["total"].as_i64().is_some_and(|total| total == 120));

    app::campaigns::seed::seed_campaigns(&app.db, 3)
        .await
        .expect("seed");
    let (_, admin) = token_for(&app, "admin").await;
    let campaigns = get_json(
        &app,
        "/api/v1/resources/campaigns/objects?review=pending",
        &admin,
    )
    .await;
    assert_eq!(campaigns["total"], 3);
    assert_eq!(campaigns["items"][0]["states"]["step"], "draft");
}

async fn bad_list_parameters_are_problems(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let (_, viewer) = token_for(&app, "viewer").await;
    for query in [
        "limit=0",
        "limit=501",
        "limit=many",
        "state=bogus",
        "colour=red",
        "group=nope",
        "sort=customer_secret",
        "page=2",
        "after=not-a-cursor",
        "q=%07bell",
    ] {
        let response = get(
            &app,
            &format!("/api/v1/resources/orders/objects?{query}"),
            Some(&viewer),
        )
        .await;
        assert_problem(response, StatusCode::BAD_REQUEST, "invalid").await;
    }
    let stranger = token_of_a_user_without_permissions(&app, "stranger").await;
    let response = get(&app, "/api/v1/resources/orders/objects", Some(&stranger)).await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = get(&app, "/api/v1/resources/planes/objects", Some(&viewer)).await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found").await;
    let response = get(
        &app,
        "/api/v1/resources/orders/objects/1/history?before=x",
        Some(&viewer),
    )
    .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid").await;
}

async fn history_is_newest_first_and_paged_by_cursor(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let (_, admin) = token_for(&app, "admin").await;
    let fired = ["hold", "resume", "hold", "resume", "pay"];
    for transition in fired {
        let version = super::version_of(&app, "orders", 1, &admin).await;
        let response = send(
            &app,
            Method::POST,
            &format!("/api/v1/resources/orders/objects/1/transitions/{transition}"),
            &admin,
            &json!({ "version": version }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{transition}");
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/resources/orders/objects/1/history?limit=2".to_owned();
    loop {
        let page = get_json(&app, &path, &admin).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|item| {
            assert_eq!(item["actor"], "admin");
            item["transition"].as_str().expect("transition").to_owned()
        }));
        match page["next"].as_i64() {
            Some(before) => {
                path = format!("/api/v1/resources/orders/objects/1/history?limit=2&before={before}")
            }
            None => break,
        }
    }
    let newest_first: Vec<&str> = fired.iter().rev().copied().collect();
    assert_eq!(seen, newest_first);
}
