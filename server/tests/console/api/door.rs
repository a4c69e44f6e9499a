//! The automation API's door: a bearer token acts as its user; no token, an unknown, revoked
//! or expired one is a 401 problem document and reaches nothing.

use reqwest::StatusCode;
use serde_json::Value;

use super::{assert_problem, get, token_for, token_of_a_user_without_permissions};
use crate::{on_both_backends, support::TestApp};

on_both_backends!(
    an_object_lists_every_transition_with_whether_the_caller_may_fire_it_and_why_not,
    a_token_acts_as_its_user_and_nothing_else_gets_in,
    tokens_are_refused_when_their_name_or_lifetime_is_wrong,
);

async fn a_token_acts_as_its_user_and_nothing_else_gets_in(app: TestApp) {
    let (admin_id, admin) = token_for(&app, "admin").await;
    let response = get(&app, "/api/v1/resources", Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let resources: Value = response.json().await.expect("json");
    let names: Vec<&str> = resources
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["orders", "campaigns"]);
    let orders = &resources[0]["fields"][0];
    assert_eq!(orders["name"], "state");
    assert_eq!(orders["initial"], "new");
    let transitions: Vec<&str> = orders["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert!(
        transitions.contains(&"pay") && transitions.contains(&"hold"),
        "{transitions:?}"
    );
    assert_eq!(resources[1]["fields"].as_array().map(Vec::len), Some(2));

    // A user who may view nothing sees nothing.
    let secret = token_of_a_user_without_permissions(&app, "nobody").await;
    let seen: Value = get(&app, "/api/v1/resources", Some(&secret))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(seen, serde_json::json!([]));

    // Without a token, with a made-up one, a revoked one, an expired one: 401.
    assert_problem(
        get(&app, "/api/v1/resources", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let made_up = format!("sy_{}", "0".repeat(64));
    for token in [made_up.as_str(), "sy_short", "not a token at all"] {
        assert_problem(
            get(&app, "/api/v1/resources", Some(token)).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    let (viewer_id, viewer) = token_for(&app, "viewer").await;
    assert_eq!(
        get(&app, "/api/v1/resources", Some(&viewer)).await.status(),
        StatusCode::OK
    );
    assert!(app::auth::tokens::revoke(
        &app.db,
        viewer_id,
        app::auth::tokens::TokenActor::CommandLine
    )
    .await
    .expect("revoke"));
    assert!(!app::auth::tokens::revoke(
        &app.db,
        viewer_id,
        app::auth::tokens::TokenActor::CommandLine
    )
    .await
    .expect("again"));
    assert_problem(
        get(&app, "/api/v1/resources", Some(&viewer)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    app::with_pool!(&app.db, pool => {
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
            .bind(app::auth::tokens::now() - 1)
            .bind(admin_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("expire");
    assert_problem(
        get(&app, "/api/v1/resources", Some(&admin)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // The last use is recorded; an unknown endpoint is a 404 problem.
    let (_, fresh) = token_for(&app, "clerk").await;
    assert_problem(
        get(&app, "/api/v1/nothing", Some(&fresh)).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let clerk = app::auth::users::find_id_by_username(&app.db, "clerk")
        .await
        .expect("id")
        .expect("clerk");
    let listed = app::auth::tokens::list(&app.db, clerk).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].prefix.starts_with("sy_"));
}

async fn tokens_are_refused_when_their_name_or_lifetime_is_wrong(app: TestApp) {
    let admin = app::auth::users::find_id_by_username(&app.db, "admin")
        .await
        .expect("id")
        .expect("admin");
    for (name, days) in [
        ("", None),
        ("x\u{7}", None),
        ("fine", Some(0)),
        ("fine", Some(4000)),
    ] {
        let refused = app::auth::tokens::create(
            &app.db,
            admin,
            name,
            days,
            app::auth::tokens::TokenActor::CommandLine,
        )
        .await;
        assert!(
            matches!(refused, Err(app::auth::tokens::TokenError::Invalid(_))),
            "{name:?} {days:?}"
        );
    }
    let stored = app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM api_tokens").fetch_one(pool).await
    })
    .expect("count");
    assert_eq!(stored, 0);
}

/// `(available, reason kinds)` of one transition in an object document.
fn transition(object: &Value, name: &str) -> (bool, Vec<String>) {
    let found = object["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no transition {name} in {object}"));
    let kinds = found["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["kind"].as_str().expect("kind").to_owned())
        .collect();
    (found["available"].as_bool().expect("available"), kinds)
}

async fn an_object_lists_every_transition_with_whether_the_caller_may_fire_it_and_why_not(
    app: TestApp,
) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    app::campaigns::seed::seed_campaigns(&app.db, 2)
        .await
        .expect("seed");
    crate::helpers::set_state(&app, 1, "new").await;
    let (_, admin) = token_for(&app, "admin").await;
    let response = get(&app, "/api/v1/resources/orders/objects/1", Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let order: Value = response.json().await.expect("json");
    assert_eq!(order["id"], "1");
    assert_eq!(order["states"]["state"], "new");
    assert!(order["version"].as_i64().is_some_and(|v| v >= 1));
    assert!(order["object"]["customer"].is_string(), "{order}");
    assert_eq!(transition(&order, "pay"), (true, vec![]));
    // Hidden from the console, offered through the API to whoever holds the permission.
    assert_eq!(transition(&order, "hold"), (true, vec![]));
    assert_eq!(
        transition(&order, "ship"),
        (false, vec!["wrong_state".to_owned()])
    );

    let (_, clerk) = token_for(&app, "clerk").await;
    let order: Value = get(&app, "/api/v1/resources/orders/objects/1", Some(&clerk))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(transition(&order, "pay"), (true, vec![]));
    assert_eq!(
        transition(&order, "hold"),
        (false, vec!["forbidden".to_owned()])
    );

    // A campaign: two state fields, and a condition's name and sentence.
    let campaign: Value = get(&app, "/api/v1/resources/campaigns/objects/1", Some(&admin))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(campaign["states"]["step"], "draft");
    assert_eq!(campaign["states"]["review"], "pending");
    let produce = campaign["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .find(|t| t["name"] == "produce")
        .expect("produce");
    assert_eq!(produce["field"], "step");
    assert_eq!(produce["reasons"][0]["kind"], "condition_unmet");
    assert_eq!(produce["reasons"][0]["message"], "Add a job first.");

    // Unknown resources and objects are 404; a resource the caller may not view, 403.
    for path in [
        "/api/v1/resources/shipments/objects/1",
        "/api/v1/resources/orders/objects/99999",
        "/api/v1/resources/orders/objects/not-a-number",
    ] {
        assert_problem(
            get(&app, path, Some(&admin)).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
    }
    let outsider = token_of_a_user_without_permissions(&app, "outsider").await;
    assert_problem(
        get(&app, "/api/v1/resources/orders/objects/1", Some(&outsider)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
