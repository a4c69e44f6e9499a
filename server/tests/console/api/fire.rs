//! Firing through the API: the engine's API channel, compare-and-set on the version, forms
//! cleaned as the console cleans them, idempotent retries, and every refusal a problem that
//! changes nothing.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use super::{assert_problem, get, get_json, send, token_for, version_of};
use crate::{
    helpers::{audit_rows, order_row, set_state},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    a_fire_moves_the_state_once_and_answers_the_audit_row,
    hold_is_hidden_from_the_console_and_fired_by_whoever_holds_its_permission,
    form_fields_are_cleaned_and_refused_field_by_field,
    a_failing_handler_is_a_problem_naming_its_error_state,
    a_retry_with_the_same_idempotency_key_gets_the_first_answer,
    racing_retries_with_one_key_fire_once,
    malformed_requests_are_problems_and_change_nothing,
    a_token_revoked_mid_session_stops_at_once,
);

fn fire_path(id: i64, transition: &str) -> String {
    format!("/api/v1/resources/orders/objects/{id}/transitions/{transition}")
}

async fn fire(
    app: &TestApp,
    token: &str,
    id: i64,
    transition: &str,
    body: Value,
) -> reqwest::Response {
    send(app, Method::POST, &fire_path(id, transition), token, &body).await
}

async fn a_fire_moves_the_state_once_and_answers_the_audit_row(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let (_, clerk) = token_for(&app, "clerk").await;
    let version = version_of(&app, "orders", 1, &clerk).await;
    let response = fire(&app, &clerk, 1, "pay", json!({ "version": version })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fired: Value = response.json().await.expect("json");
    assert_eq!(
        (fired["from"].as_str(), fired["to"].as_str()),
        (Some("new"), Some("paid"))
    );
    assert_eq!(fired["states"]["state"], "paid");
    assert_eq!(fired["version"], version + 1);
    assert_eq!(fired["audit"]["actor"], "clerk");
    assert_eq!(fired["audit"]["outcome"], "completed");
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), version + 1));
    assert_eq!(audit_rows(&app, 1).await.len(), 1);

    // The page read before the fire is stale now: 409 with the version to read again.
    let stale = fire(&app, &clerk, 1, "pay", json!({ "version": version })).await;
    let problem = assert_problem(stale, StatusCode::CONFLICT, "stale-version").await;
    assert_eq!(problem["current_version"], version + 1);
    // At the current version, the state is wrong: 422 with the machine-readable reason.
    let wrong = fire(&app, &clerk, 1, "pay", json!({ "version": version + 1 })).await;
    let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "wrong-state").await;
    assert_eq!(problem["reasons"][0]["kind"], "wrong_state");
    // A viewer may not: 403, and nothing moved.
    let (_, viewer) = token_for(&app, "viewer").await;
    let version = version_of(&app, "orders", 2, &viewer).await;
    let refused = fire(&app, &viewer, 2, "pay", json!({ "version": version })).await;
    let problem = assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(problem["reasons"][0]["kind"], "forbidden");
    assert_eq!(order_row(&app, 2).await.0, "new");
    assert_eq!(audit_rows(&app, 1).await.len(), 1);
    assert!(audit_rows(&app, 2).await.is_empty());
}

async fn hold_is_hidden_from_the_console_and_fired_by_whoever_holds_its_permission(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    // The console refuses it even to the superuser: it is hidden there.
    let browser = crate::helpers::logged_in(&app, "admin").await;
    let version = order_row(&app, 1).await.1.to_string();
    let console = crate::helpers::fire(&app, &browser, "1", "hold", &version).await;
    assert_eq!(console.status(), StatusCode::FORBIDDEN);
    assert_eq!(order_row(&app, 1).await.0, "new");

    let (_, admin) = token_for(&app, "admin").await;
    let version = version_of(&app, "orders", 1, &admin).await;
    let held = fire(&app, &admin, 1, "hold", json!({ "version": version })).await;
    assert_eq!(held.status(), StatusCode::OK);
    assert_eq!(order_row(&app, 1).await.0, "on_hold");

    let (_, clerk) = token_for(&app, "clerk").await;
    let version = version_of(&app, "orders", 2, &clerk).await;
    let refused = fire(&app, &clerk, 2, "hold", json!({ "version": version })).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(order_row(&app, 2).await.0, "new");
}

async fn form_fields_are_cleaned_and_refused_field_by_field(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    set_state(&app, 1, "paid").await;
    let (_, clerk) = token_for(&app, "clerk").await;
    let order = get_json(&app, "/api/v1/resources/orders/objects/1", &clerk).await;
    let ship = order["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .find(|t| t["name"] == "ship")
        .expect("ship");
    assert_eq!(
        ship["form"]["required"],
        json!(["tracking_number", "carrier"])
    );
    assert_eq!(
        ship["form"]["properties"]["carrier"]["enum"],
        json!(["dhl", "ups", "fedex"])
    );
    let version = order["version"].as_i64().expect("version");

    let refused = fire(
        &app,
        &clerk,
        1,
        "ship",
        json!({ "version": version, "fields": { "tracking_number": "ab", "carrier": "zeppelin", "note": ["a"] } }),
    )
    .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-fields").await;
    assert!(problem["errors"]["note"][0].is_string(), "{problem}");
    let refused = fire(
        &app,
        &clerk,
        1,
        "ship",
        json!({ "version": version, "fields": { "tracking_number": "ab", "carrier": "zeppelin" } }),
    )
    .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-fields").await;
    assert!(
        problem["errors"]["tracking_number"][0].is_string(),
        "{problem}"
    );
    assert!(problem["errors"]["carrier"][0].is_string(), "{problem}");
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), version));

    // A number is read as the digits a person would type.
    let shipped = fire(
        &app,
        &clerk,
        1,
        "ship",
        json!({ "version": version, "fields": { "tracking_number": 1234567, "carrier": "dhl", "note": "Left at the door" } }),
    )
    .await;
    assert_eq!(shipped.status(), StatusCode::OK);
    let fired: Value = shipped.json().await.expect("json");
    assert_eq!(fired["audit"]["arguments"]["tracking_number"], "1234567");
    assert_eq!(fired["audit"]["description"], "Left at the door");
    let order = get_json(&app, "/api/v1/resources/orders/objects/1", &clerk).await;
    assert_eq!(order["object"]["tracking_number"], "1234567");
}

async fn a_failing_handler_is_a_problem_naming_its_error_state(app: TestApp) {
    // Order 28 (seed row 27) costs 999 + 1 + 0.27 = 1000.27: over 1000.
    app::orders::seed_orders(&app.db, 30).await.expect("seed");
    let (_, admin) = token_for(&app, "admin").await;
    let order = get_json(&app, "/api/v1/resources/orders/objects/28", &admin).await;
    assert!(order["object"]["amount_cents"].as_i64().expect("amount") > 100_000);
    let version = order["version"].as_i64().expect("version");
    let failed = fire(
        &app,
        &admin,
        28,
        "fail_check",
        json!({ "version": version }),
    )
    .await;
    let problem = assert_problem(failed, StatusCode::UNPROCESSABLE_ENTITY, "handler-failed").await;
    assert_eq!(problem["error_state"], "failed");
    assert_eq!(order_row(&app, 28).await.0, "failed");
    let rows = audit_rows(&app, 28).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].4, "failed");
}

async fn a_retry_with_the_same_idempotency_key_gets_the_first_answer(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    let (_, clerk) = token_for(&app, "clerk").await;
    let version = version_of(&app, "orders", 1, &clerk).await;
    let keyed = |key: &'static str, version: i64| {
        reqwest::Client::new()
            .post(app.url(&fire_path(1, "pay")))
            .header(header::AUTHORIZATION, format!("Bearer {clerk}"))
            .header("Idempotency-Key", key)
            .json(&json!({ "version": version }))
    };
    let first = keyed("pay-1-once", version).send().await.expect("first");
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.expect("json");
    let retry = keyed("pay-1-once", version).send().await.expect("retry");
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.expect("json"), first);
    assert_eq!(
        audit_rows(&app, 1).await.len(),
        1,
        "the retry fired nothing"
    );

    // The same key on another request is refused; a refusal is kept and replayed too.
    let reused = keyed("pay-1-once", version + 1)
        .send()
        .await
        .expect("reused");
    assert_problem(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    )
    .await;
    let stale = keyed("stale-one", version).send().await.expect("stale");
    assert_problem(stale, StatusCode::CONFLICT, "stale-version").await;
    let again = keyed("stale-one", version).send().await.expect("again");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_problem(again, StatusCode::CONFLICT, "stale-version").await;
    // A key is the user's own: another user's same key runs their own request.
    let (_, admin) = token_for(&app, "admin").await;
    let version = version_of(&app, "orders", 2, &admin).await;
    let theirs = reqwest::Client::new()
        .post(app.url(&fire_path(2, "pay")))
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header("Idempotency-Key", "pay-1-once")
        .json(&json!({ "version": version }))
        .send()
        .await
        .expect("theirs");
    assert_eq!(theirs.status(), StatusCode::OK);
    assert_eq!(order_row(&app, 2).await.0, "paid");
    for bad in ["has space", "", &"k".repeat(256)] {
        let refused = reqwest::Client::new()
            .post(app.url(&fire_path(2, "cancel")))
            .header(header::AUTHORIZATION, format!("Bearer {clerk}"))
            .header("Idempotency-Key", bad)
            .json(&json!({ "version": version + 1 }))
            .send()
            .await
            .expect("bad key");
        assert_problem(refused, StatusCode::BAD_REQUEST, "invalid").await;
    }
    assert_eq!(order_row(&app, 2).await.0, "paid");
}

async fn racing_retries_with_one_key_fire_once(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let (_, clerk) = token_for(&app, "clerk").await;
    let version = version_of(&app, "orders", 1, &clerk).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let mut racers = Vec::new();
    for _ in 0..8 {
        let (barrier, url, clerk) = (
            barrier.clone(),
            app.url(&fire_path(1, "pay")),
            clerk.clone(),
        );
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            let response = reqwest::Client::new()
                .post(url)
                .header(header::AUTHORIZATION, format!("Bearer {clerk}"))
                .header("Idempotency-Key", "the-one-payment")
                .json(&json!({ "version": version }))
                .send()
                .await
                .expect("racer");
            let status = response.status();
            (status, response.json::<Value>().await.expect("json"))
        }));
    }
    let mut answers = Vec::new();
    for racer in racers {
        answers.push(racer.await.expect("a racer"));
    }
    // Each racer either got the one fire's answer or was told the key is still in use.
    let fired: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .map(|(_, body)| body)
        .collect();
    assert!(!fired.is_empty(), "{answers:?}");
    assert!(
        fired.iter().all(|body| *body == fired[0]),
        "every 200 is the same answer"
    );
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK
                || (*status == StatusCode::CONFLICT
                    && body["type"] == "/problems/idempotency-in-progress"),
            "{status} {body}"
        );
    }
    assert_eq!(
        audit_rows(&app, 1).await.len(),
        1,
        "paid once, audited once"
    );
    assert_eq!(order_row(&app, 1).await.0, "paid");
}

async fn malformed_requests_are_problems_and_change_nothing(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let (_, admin) = token_for(&app, "admin").await;
    let version = version_of(&app, "orders", 1, &admin).await;
    let raw = |body: Vec<u8>, media: Option<&'static str>| {
        let mut request = reqwest::Client::new()
            .post(app.url(&fire_path(1, "pay")))
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .body(body);
        if let Some(media) = media {
            request = request.header(header::CONTENT_TYPE, media);
        }
        request
    };
    let json_type = Some("application/json");
    let cases: Vec<(Vec<u8>, Option<&'static str>, StatusCode, &str)> = vec![
        (
            b"{\"version\": 0}".to_vec(),
            None,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        ),
        (
            b"{\"version\": 0}".to_vec(),
            Some("text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        ),
        (
            b"{not json".to_vec(),
            json_type,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            b"{}".to_vec(),
            json_type,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            b"{\"version\": 1, \"extra\": 1}".to_vec(),
            json_type,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            b"{\"version\": -1}".to_vec(),
            json_type,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            b"{\"version\": \"1\"}".to_vec(),
            json_type,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        // One byte over the API's limit: the server reads it all before refusing, so the
        // client has finished writing when the answer comes.
        (
            vec![b' '; 4 * 1024 * 1024 + 1],
            json_type,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
        ),
    ];
    for (body, media, status, kind) in cases {
        let response = raw(body, media).send().await.expect("send");
        assert_problem(response, status, kind).await;
    }
    // Over the server's own limit, refused from `Content-Length` before any byte is read; sent
    // as a careful client does (`Expect: 100-continue`), so no body races the answer.
    let answer = over_the_server_limit(&app, &admin).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/too-large"), "{answer}");
    let note = json!({ "version": version, "description": "bell \u{7}" });
    assert_problem(
        fire(&app, &admin, 1, "pay", note).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-fields",
    )
    .await;
    for path in [
        fire_path(1, "fly"),
        fire_path(99, "pay"),
        "/api/v1/resources/orders/objects/abc/transitions/pay".to_owned(),
        "/api/v1/resources/planes/objects/1/transitions/pay".to_owned(),
    ] {
        let response = send(
            &app,
            Method::POST,
            &path,
            &admin,
            &json!({ "version": version }),
        )
        .await;
        assert_problem(response, StatusCode::NOT_FOUND, "not-found").await;
    }
    let wrong_method = get(&app, &fire_path(1, "pay"), Some(&admin)).await;
    assert_eq!(wrong_method.headers()[header::ALLOW], "POST");
    assert_problem(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    )
    .await;
    // A browser posting from another site is refused before anything runs.
    let cross_site = reqwest::Client::new()
        .post(app.url(&fire_path(1, "pay")))
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&json!({ "version": version }))
        .send()
        .await
        .expect("cross-site");
    assert_problem(cross_site, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), version));
    assert!(audit_rows(&app, 1).await.is_empty());
}

/// A POST announcing 9 MiB with `Expect: 100-continue`; the raw answer.
async fn over_the_server_limit(app: &TestApp, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address)
        .await
        .expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\nConnection: close\r\n\r\n",
        fire_path(1, "pay"),
        app.address,
        9 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn a_token_revoked_mid_session_stops_at_once(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    let (id, clerk) = token_for(&app, "clerk").await;
    let version = version_of(&app, "orders", 1, &clerk).await;
    let paid = fire(&app, &clerk, 1, "pay", json!({ "version": version })).await;
    assert_eq!(paid.status(), StatusCode::OK);
    let version = version_of(&app, "orders", 2, &clerk).await;
    assert!(
        app::auth::tokens::revoke(&app.db, id, app::auth::tokens::TokenActor::CommandLine)
            .await
            .expect("revoke")
    );
    let refused = fire(&app, &clerk, 2, "pay", json!({ "version": version })).await;
    assert_problem(refused, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(order_row(&app, 2).await.0, "new");
}
