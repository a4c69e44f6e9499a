//! Keyset paging: "Next" and "Previous" follow cursors on the sort key and the id, so a deep
//! page costs what the first costs; `?page=N` still works; a bad cursor is a 400.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    helpers::{list, logged_in},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    next_and_previous_walk_every_row_once_in_order_by_cursor,
    cursors_follow_a_sort_by_a_column_with_ties_and_refuse_what_does_not_fit,
);

/// The ids on a list page, and its next and previous queries' cursors.
async fn page_of(
    app: &TestApp,
    client: &reqwest::Client,
    query: &[(&str, &str)],
) -> (Vec<i64>, Option<Value>, Option<Value>, Value) {
    let response = list(app, client, query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query:?}");
    let view: Value = response.json().await.expect("json");
    let ids = view["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["id"].as_str().expect("id").parse().expect("int"))
        .collect();
    let next = view["next"].as_object().map(|q| Value::Object(q.clone()));
    let previous = view["previous"]
        .as_object()
        .map(|q| Value::Object(q.clone()));
    (ids, next, previous, view)
}

fn cursor(query: &Value, key: &str) -> String {
    query[key].as_str().unwrap_or_default().to_owned()
}

async fn next_and_previous_walk_every_row_once_in_order_by_cursor(app: TestApp) {
    app::orders::seed_orders(&app.db, 250).await.expect("seed");
    let client = logged_in(&app, "admin").await;
    // Page 1 (by id, the orders' default order), then by cursor to the end.
    let (mut seen, mut next, previous, view) = page_of(&app, &client, &[]).await;
    assert!(previous.is_none(), "the first page has no previous page");
    assert_eq!(view["total"], 250);
    let mut pages = vec![seen.clone()];
    while let Some(query) = next {
        let after = cursor(&query, "after");
        assert!(!after.is_empty(), "next follows a cursor: {query}");
        let (ids, following, previous, view) = page_of(&app, &client, &[("after", &after)]).await;
        assert!(
            previous.is_some(),
            "a page after another has a previous page"
        );
        assert_eq!(view["by_cursor"], true);
        seen.extend(&ids);
        pages.push(ids);
        next = following;
    }
    let expected: Vec<i64> = (1..=250).collect();
    assert_eq!(seen, expected, "every row once, in order");
    assert_eq!(pages.len(), 3);
    // The last page is read backwards from the end, a whole page; back from it by cursor,
    // then the first page whole when the rows before are fewer than a page.
    let (ids, next, previous, _) = page_of(&app, &client, &[("before", "end")]).await;
    assert_eq!(ids, (151..=250).collect::<Vec<i64>>());
    assert!(next.is_none(), "nothing after the last page");
    let before = cursor(previous.as_ref().expect("previous"), "before");
    assert_eq!(before, "151");
    let (ids, _, previous, _) = page_of(&app, &client, &[("before", &before)]).await;
    assert_eq!(ids, (51..=150).collect::<Vec<i64>>());
    let before = cursor(previous.as_ref().expect("previous"), "before");
    let (ids, _, previous, _) = page_of(&app, &client, &[("before", &before)]).await;
    assert_eq!(ids, pages[0]);
    assert!(previous.is_none(), "nothing before the first page");
    // `?page=N` keeps working for bookmarks.
    let (ids, _, _, _) = page_of(&app, &client, &[("page", "2")]).await;
    assert_eq!(ids, pages[1]);
    // A filtered list pages by cursor within the filter, with the kept count as its total.
    let (ids, next, _, view) = page_of(&app, &client, &[("state", "new")]).await;
    let new_total = view["total"].as_i64().expect("total");
    assert!(new_total > 0);
    if let Some(next) = next {
        let (more, _, _, _) = page_of(
            &app,
            &client,
            &[("state", "new"), ("after", &cursor(&next, "after"))],
        )
        .await;
        assert!(more.iter().all(|id| !ids.contains(id)));
    }
}

async fn cursors_follow_a_sort_by_a_column_with_ties_and_refuse_what_does_not_fit(app: TestApp) {
    app::orders::seed_orders(&app.db, 230).await.expect("seed");
    // Many ties on the sort column: the id breaks them, so no row is skipped or repeated.
    app::with_pool!(&app.db, pool => {
        sqlx::query("UPDATE orders SET amount_cents = (id % 7) * 100").execute(pool).await.map(|_| ())
    })
    .expect("ties");
    let client = logged_in(&app, "admin").await;
    let sort = [("sort", "-amount_cents")];
    let (mut seen, mut next, _, _) = page_of(&app, &client, &sort).await;
    while let Some(query) = next {
        let after = cursor(&query, "after");
        assert!(
            after.contains(':'),
            "the cursor carries the sort value: {after}"
        );
        let (ids, following, _, _) = page_of(
            &app,
            &client,
            &[("sort", "-amount_cents"), ("after", &after)],
        )
        .await;
        seen.extend(ids);
        next = following;
    }
    let mut expected: Vec<i64> = (1..=230).collect();
    expected.sort_by_key(|id| (std::cmp::Reverse(id % 7), std::cmp::Reverse(*id)));
    assert_eq!(seen, expected);
    for bad in ["abc", "12:x\u{1}", "12:not-a-number"] {
        let response = list(&app, &client, &[("sort", "-amount_cents"), ("after", bad)]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
}
