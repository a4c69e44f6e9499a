//! Hostile input, as an attacker would send it: each request is refused with a clear 4xx
//! (never a 500 or a dropped connection) and changes nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    helpers::{audit_rows, call, logged_in, order_row, post_as_browser, set_state},
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    a_post_whose_only_sign_is_a_foreign_referer_is_refused,
    a_login_never_follows_a_next_with_control_characters,
    control_characters_in_a_posted_name_are_encoded_in_the_redirect_not_a_dropped_connection,
    control_characters_in_form_text_are_refused_but_a_textarea_keeps_its_lines,
    a_text_field_without_a_declared_maximum_is_still_bounded,
    an_overlong_or_control_character_search_is_a_400,
    keys_that_name_the_same_row_are_counted_once,
    an_oversize_body_is_a_413,
    every_answer_carries_the_security_headers,
);

fn pay(id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("input[resource]", "orders".to_owned()),
        ("input[id]", id.to_owned()),
        ("input[transition]", "pay".to_owned()),
        ("input[version]", "1".to_owned()),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn a_post_whose_only_sign_is_a_foreign_referer_is_refused(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let response = clerk
        .post(app.url("/api/fire"))
        .header("accept", "application/json")
        .header("referer", "http://evil.example/cats")
        .form(&pairs(&pay("1")))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
    assert!(audit_rows(&app, 1).await.is_empty());
}

async fn a_login_never_follows_a_next_with_control_characters(app: TestApp) {
    for next in [
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/orders\r\nX-Evil: 1",
        "/\\evil",
    ] {
        let client = app.client();
        let response = client
            .post(app.url("/login"))
            .form(&[("username", "admin"), ("password", "admin"), ("next", next)])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&response), "/", "{next:?}");
        assert!(response.headers().get("x-evil").is_none());
    }
}

async fn control_characters_in_a_posted_name_are_encoded_in_the_redirect_not_a_dropped_connection(
    app: TestApp,
) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let viewer = logged_in(&app, "viewer").await;
    for (field, value) in [
        ("input[resource]", "orders\r\nX-Evil: 1"),
        ("input[transition]", "pay\r\nX-Evil: 1"),
        ("input[transition]", "pay\u{0}"),
        ("input[id]", "1\n"),
    ] {
        let mut fields = pay("1");
        fields.push(("input[origin]", "object".to_owned()));
        for pair in &mut fields {
            if pair.0 == field {
                pair.1 = value.to_owned();
            }
        }
        let response = post_as_browser(&app, &viewer, "fire", &pairs(&fields)).await;
        assert!(
            response.status().is_client_error() || response.status().is_redirection(),
            "{value:?}: {}",
            response.status()
        );
        assert!(response.headers().get("x-evil").is_none(), "{value:?}");
        let target = location(&response);
        assert!(
            !target.chars().any(char::is_control),
            "{value:?}: {target:?}"
        );
    }
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
}

/// The fields of `ship` on paid order 1 at version 2.
fn ship(tracking: &str, note: &str) -> Vec<(&'static str, String)> {
    vec![
        ("input[resource]", "orders".to_owned()),
        ("input[id]", "1".to_owned()),
        ("input[transition]", "ship".to_owned()),
        ("input[version]", "2".to_owned()),
        ("input[fields][tracking_number]", tracking.to_owned()),
        ("input[fields][carrier]", "dhl".to_owned()),
        ("input[fields][note]", note.to_owned()),
    ]
}

async fn control_characters_in_form_text_are_refused_but_a_textarea_keeps_its_lines(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    set_state(&app, 1, "paid").await;
    let clerk = logged_in(&app, "clerk").await;
    for (tracking, note, field) in [
        ("1Z\u{0}999", "", "tracking_number"),
        ("1Z\t999", "", "tracking_number"),
        ("1Z999", "left\u{7}at the door", "note"),
    ] {
        let response = call(&app, &clerk, "fire", &pairs(&ship(tracking, note))).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.expect("json");
        assert!(
            body["FormInvalid"][field][0]
                .as_str()
                .is_some_and(|sentence| sentence.contains("control characters")),
            "{body}"
        );
    }
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), 2));
    assert!(audit_rows(&app, 1).await.is_empty());

    let response = call(
        &app,
        &clerk,
        "fire",
        &pairs(&ship("1Z999", "Ring twice.\r\n\tThen wait.")),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(order_row(&app, 1).await, ("shipped".to_owned(), 3));
}

async fn a_text_field_without_a_declared_maximum_is_still_bounded(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    set_state(&app, 1, "paid").await;
    let clerk = logged_in(&app, "clerk").await;
    let note = "n".repeat(switchyard_engine::TEXTAREA_MAX + 1);
    let response = call(&app, &clerk, "fire", &pairs(&ship("1Z999", &note))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    assert!(body["FormInvalid"]["note"].is_array(), "{body}");
    assert_eq!(order_row(&app, 1).await, ("paid".to_owned(), 2));
}

async fn an_overlong_or_control_character_search_is_a_400(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let viewer = logged_in(&app, "viewer").await;
    let long = "x".repeat(60_000);
    let just_over = "x".repeat(201);
    for q in [long.as_str(), just_over.as_str(), "Customer\u{0}"] {
        let response = call(
            &app,
            &viewer,
            "list",
            &[("input[resource]", "orders"), ("input[query][q]", q)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{}", q.len());
    }
    let fits = "x".repeat(200);
    let response = call(
        &app,
        &viewer,
        "list",
        &[("input[resource]", "orders"), ("input[query][q]", &fits)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn keys_that_name_the_same_row_are_counted_once(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let clerk = logged_in(&app, "clerk").await;
    let fields = [
        ("input[resource]", "orders"),
        ("input[transition]", "pay"),
        ("input[ids][0]", "2"),
        ("input[ids][1]", "+2"),
        ("input[ids][2]", "02"),
        ("input[ids][3]", "3"),
    ];
    let preview: Value = call(&app, &clerk, "bulk_preview", &fields)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (preview["total"].as_i64(), preview["will_move"].as_i64()),
        (Some(2), Some(2))
    );
    let response = call(&app, &clerk, "bulk_apply", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let job: i64 = response.json().await.expect("job id");
    let report: Value = call(&app, &clerk, "job", &[("input[id]", &job.to_string())])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(report["total"], 2, "{report}");
    assert_eq!(report["applied"], 2, "{report}");
    assert_eq!(audit_rows(&app, 2).await.len(), 1);
}

/// The body limit answers from `Content-Length`, before the body is read: sent here as a
/// raw request whose body never comes, the answer must still be a whole 413 response.
async fn an_oversize_body_is_a_413(app: TestApp) {
    use std::io::{Read, Write};

    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let address = app.address;
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("timeout");
        let request = format!(
            "POST /api/fire HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            server::startup::MAX_REQUEST_BODY + 1
        );
        stream.write_all(request.as_bytes()).expect("send the head");
        let mut answer = vec![0; 1024];
        let read = stream.read(&mut answer).expect("an answer before the body");
        String::from_utf8_lossy(&answer[..read]).into_owned()
    })
    .await
    .expect("the raw request");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(order_row(&app, 1).await, ("new".to_owned(), 1));
}

async fn every_answer_carries_the_security_headers(app: TestApp) {
    app::orders::seed_orders(&app.db, 1).await.expect("seed");
    let viewer = logged_in(&app, "viewer").await;
    let anonymous = app.client();
    let answers = [
        anonymous
            .get(app.url("/login"))
            .send()
            .await
            .expect("login page"),
        anonymous
            .get(app.url("/orders"))
            .send()
            .await
            .expect("redirect to login"),
        viewer
            .get(app.url("/orders/1"))
            .send()
            .await
            .expect("object page"),
        viewer
            .get(app.url("/no/such/page"))
            .send()
            .await
            .expect("404"),
        call(&app, &viewer, "fire", &pairs(&pay("1"))).await,
        viewer.get(app.url("/health")).send().await.expect("health"),
    ];
    for answer in answers {
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let url = answer.url().to_string();
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{url}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{url}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{url}");
        assert_eq!(header("referrer-policy"), "same-origin", "{url}");
    }
}
