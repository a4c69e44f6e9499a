//! The OpenAPI contract: the document is OpenAPI 3.1 with the bearer scheme, names every
//! endpoint SCENARIO and the issue promise, and every route it documents answers (no route
//! is documented that the router does not serve). That no route is served undocumented is
//! checked where routes are made (`server/src/api/openapi.rs`).

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use super::{get, send, token_for};
use crate::{on_both_backends, support::TestApp};

on_both_backends!(every_documented_route_answers_and_the_document_is_complete);

/// The endpoints the API promises, each `METHOD path`.
const PROMISED: [&str; 13] = [
    "get /resources",
    "get /resources/{resource}/objects",
    "get /resources/{resource}/objects/{id}",
    "get /resources/{resource}/objects/{id}/history",
    "post /resources/{resource}/objects/{id}/transitions/{transition}",
    "post /resources/{resource}/jobs",
    "get /jobs/{id}",
    "post /jobs/{id}/cancel",
    "get /jobs/{id}/outcomes",
    "get /resources/{resource}/settings",
    "put /resources/{resource}/settings",
    "get /openapi.json",
    "get /docs",
];

async fn every_documented_route_answers_and_the_document_is_complete(app: TestApp) {
    app::orders::seed_orders(&app.db, 2).await.expect("seed");
    let document: Value = get(&app, "/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .expect("the document is JSON, served without a token");
    assert!(document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.1")));
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(document["components"]["schemas"]["Problem"].is_object());

    let (_, admin) = token_for(&app, "admin").await;
    let job = send(
        &app,
        Method::POST,
        "/api/v1/resources/orders/jobs",
        &admin,
        &json!({ "transition": "pay", "ids": ["2"] }),
    )
    .await;
    assert_eq!(job.status(), StatusCode::CREATED);
    let job_id = job.json::<Value>().await.expect("json")["id"].to_string();

    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            documented.push(format!("{method} {path}"));
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has a summary"
            );
            if path.starts_with("/resources") || path.starts_with("/jobs") {
                assert_eq!(
                    operation["security"],
                    json!([{ "bearer": [] }]),
                    "{method} {path}"
                );
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{method} {path} documents 401"
                );
            }
            let concrete = path
                .replace("{resource}", "orders")
                .replace("{transition}", "pay")
                .replace(
                    "{id}",
                    if path.starts_with("/jobs") {
                        &job_id
                    } else {
                        "1"
                    },
                );
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let response = reqwest::Client::new()
                .request(method.clone(), app.url(&format!("/api/v1{concrete}")))
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .json(&json!({ "version": 1, "changes": [] }))
                .send()
                .await
                .expect("request");
            let status = response.status();
            assert!(
                status != StatusCode::METHOD_NOT_ALLOWED && !status.is_server_error(),
                "{method} {concrete}: {status}"
            );
            if status == StatusCode::NOT_FOUND {
                let body: Value = response.json().await.expect("problem");
                assert_ne!(
                    body["detail"], "There is no such endpoint.",
                    "{method} {concrete}"
                );
            }
        }
    }
    for promised in PROMISED {
        assert!(
            documented.iter().any(|d| d == promised),
            "{promised} is documented"
        );
    }
    assert_eq!(documented.len(), PROMISED.len(), "{documented:?}");

    let page = get(&app, "/api/v1/docs", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("text/html"));
    let page = page.text().await.expect("html");
    assert!(
        page.contains("POST /api/v1/resources/{resource}/objects/{id}/transitions/{transition}")
    );
    assert!(page.contains("id=\"schema-Problem\""));
}
