//! The automation API over real HTTP: its door (tokens), reading and firing, lists and
//! history, bulk jobs, settings, and the OpenAPI contract.

mod contract;
mod door;
mod fire;
mod jobs;
mod lists;
mod settings;

use reqwest::{header, Method, StatusCode};
use serde_json::Value;

use crate::support::TestApp;

/// A new token of a demo user: its id and secret.
pub async fn token_for(app: &TestApp, username: &str) -> (i64, String) {
    let user = app::auth::users::find_id_by_username(&app.db, username)
        .await
        .expect("lookup")
        .expect("a demo user");
    let token = app::auth::tokens::create(
        &app.db,
        user,
        "tests",
        Some(30),
        app::auth::tokens::TokenActor::CommandLine,
    )
    .await
    .expect("create");
    (token.id, token.secret)
}

/// A new user holding no permission, and a token of theirs.
pub async fn token_of_a_user_without_permissions(app: &TestApp, username: &str) -> String {
    let user = app::auth::users::create(
        &app.db,
        app::auth::users::NewUser {
            username: username.to_owned(),
            password: "a long enough password".to_owned(),
            is_superuser: false,
            is_demo: false,
        },
    )
    .await
    .expect("user");
    app::auth::tokens::create(
        &app.db,
        user,
        "none",
        None,
        app::auth::tokens::TokenActor::CommandLine,
    )
    .await
    .expect("token")
    .secret
}

/// A GET with the token, if any.
pub async fn get(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.send().await.expect("request")
}

/// A GET with the token whose answer must be 200 JSON.
pub async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = get(app, path, Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("json")
}

/// A request with a JSON body, as a program sends it.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, app.url(path))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .json(body)
        .send()
        .await
        .expect("request")
}

/// Checks a problem document's status and type; answers its body.
pub async fn assert_problem(response: reqwest::Response, status: StatusCode, kind: &str) -> Value {
    assert_eq!(response.status(), status, "{:?}", response.url().path());
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], format!("/problems/{kind}"), "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// The version of one object, as the API reads it.
pub async fn version_of(app: &TestApp, resource: &str, id: i64, token: &str) -> i64 {
    get_json(
        app,
        &format!("/api/v1/resources/{resource}/objects/{id}"),
        token,
    )
    .await["version"]
        .as_i64()
        .expect("a version")
}
