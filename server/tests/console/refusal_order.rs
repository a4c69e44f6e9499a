//! The engine's one order of refusals, as the console answers it on every path: a button
//! (the JSON API), the form page without JavaScript, and a bulk job's rows. Each case stacks
//! two refusals and expects the earlier one's status and sentence, with nothing changed.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    helpers::{audit_rows, call, fire, logged_in, order_row, page, post_as_browser, set_state},
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    a_button_meets_the_refusals_in_the_engines_order,
    the_form_page_meets_the_refusals_before_the_fields,
    a_bulk_job_refuses_each_row_in_the_same_order,
);

/// The fields of `ship` on order `id`, as an API caller posts them.
fn ship(id: &str, version: &str, tracking: &str) -> Vec<(&'static str, String)> {
    vec![
        ("input[resource]", "orders".to_owned()),
        ("input[id]", id.to_owned()),
        ("input[transition]", "ship".to_owned()),
        ("input[version]", version.to_owned()),
        ("input[fields][tracking_number]", tracking.to_owned()),
        ("input[fields][carrier]", "dhl".to_owned()),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn a_button_meets_the_refusals_in_the_engines_order(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    set_state(&app, 2, "paid").await; // version 2
    let admin = logged_in(&app, "admin").await;
    let clerk = logged_in(&app, "clerk").await;
    let viewer = logged_in(&app, "viewer").await;

    // Hidden before stale: the console says nothing else about what it hides.
    let response = fire(&app, &admin, "1", "hold", "7").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("Put on hold is not offered in the console."),
        "{body}"
    );
    // Hidden before forbidden.
    let response = fire(&app, &viewer, "1", "hold", "1").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("Put on hold is not offered in the console."),
        "{body}"
    );
    // Stale before wrong state: order 2 was paid since version 1 was shown.
    let response = fire(&app, &clerk, "2", "pay", "1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.expect("body");
    assert!(body.contains("was changed by someone else"), "{body}");
    // Wrong state before forbidden.
    let response = fire(&app, &viewer, "1", "deliver", "1").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("Deliver is not possible: the order is New."),
        "{body}"
    );
    // Forbidden before the form.
    let fields = ship("2", "2", "AB");
    let response = call(&app, &viewer, "fire", &pairs(&fields)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.expect("body");
    assert!(body.contains("Ship: you do not have permission."), "{body}");
    // Wrong state before the form.
    let fields = ship("1", "1", "AB");
    let response = call(&app, &clerk, "fire", &pairs(&fields)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("Ship is not possible: the order is New."),
        "{body}"
    );
    assert!(!body.contains("FormInvalid"), "{body}");
    // The form last: its fields' sentences.
    let fields = ship("2", "2", "AB");
    let response = call(&app, &clerk, "fire", &pairs(&fields)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    assert!(body["FormInvalid"]["tracking_number"].is_array(), "{body}");

    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
    assert_eq!(order_row(&app, 2).await, ("paid".to_owned(), 2));
    assert!(audit_rows(&app, 1).await.is_empty());
    assert!(audit_rows(&app, 2).await.is_empty());
}

async fn the_form_page_meets_the_refusals_before_the_fields(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    set_state(&app, 1, "paid").await; // version 2
    let clerk = logged_in(&app, "clerk").await;
    let form_page = "/orders/1/transitions/ship";

    // A page shown at version 1 posts a too short tracking number: stale comes first, and
    // what was typed is kept without field errors.
    let mut fields = ship("1", "1", "AB");
    fields.push(("input[origin]", "form".to_owned()));
    let response = post_as_browser(&app, &clerk, "fire", &pairs(&fields)).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), form_page);
    let (_, html) = page(&app, &clerk, form_page).await;
    assert!(html.contains("was changed by someone else"), "{html}");
    assert!(!html.contains("Please correct the errors below."), "{html}");
    assert!(!html.contains(r#"aria-invalid="true""#), "{html}");

    // At the current version the fields are judged.
    let mut fields = ship("1", "2", "AB");
    fields.push(("input[origin]", "form".to_owned()));
    let response = post_as_browser(&app, &clerk, "fire", &pairs(&fields)).await;
    assert_eq!(location(&response), form_page);
    let (_, html) = page(&app, &clerk, form_page).await;
    assert!(html.contains("Please correct the errors below."), "{html}");
    assert!(html.contains(r#"aria-invalid="true""#), "{html}");

    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), 2));
    assert!(audit_rows(&app, 1).await.is_empty());
}

async fn a_bulk_job_refuses_each_row_in_the_same_order(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    set_state(&app, 2, "paid").await;
    set_state(&app, 3, "delivered").await;
    let clerk = logged_in(&app, "clerk").await;
    let mut fields = vec![
        ("input[resource]", "orders".to_owned()),
        ("input[transition]", "ship".to_owned()),
        ("input[fields][tracking_number]", "BATCH-9".to_owned()),
        ("input[fields][carrier]", "ups".to_owned()),
    ];
    for (index, id) in ["input[ids][0]", "input[ids][1]", "input[ids][2]"]
        .into_iter()
        .zip(["1", "2", "3"])
    {
        fields.push((index, id.to_owned()));
    }
    let response = call(&app, &clerk, "bulk_apply", &pairs(&fields)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let job: i64 = response.json().await.expect("job id");
    let report: Value = call(&app, &clerk, "job", &[("input[id]", &job.to_string())])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(report["applied"], 1, "{report}");
    let problems: Vec<(&str, &str)> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or(""),
                p["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("1", "Ship is not possible: the order is New."),
            ("3", "Ship is not possible: the order is Delivered."),
        ]
    );
    assert_eq!(order_row(&app, 2).await.0, "shipped");
    let history = app::db::history::object_history(&app.db, "orders", "2", 1, None)
        .await
        .expect("history");
    assert_eq!(history[0].description, Some(format!("Bulk job {job}")));
    for id in [1, 3] {
        assert!(audit_rows(&app, id).await.is_empty());
    }
}
