//! What the console tests share: calling server functions, posting as a browser without
//! JavaScript, reading pages, and reading rows and audit rows straight from the database.

use reqwest::{Client, Response, StatusCode};

use crate::support::TestApp;

/// Sends form fields to a server function as a script would (JSON back).
pub async fn call(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Response {
    client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("accept", "application/json")
        .form(fields)
        .send()
        .await
        .expect("server function")
}

/// Posts to a server function as the console's own forms do with JavaScript off.
pub async fn post_as_browser(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Response {
    client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("accept", "text/html,application/xhtml+xml")
        .header("origin", format!("http://{}", app.address))
        .header("referer", app.url("/orders/1"))
        .form(fields)
        .send()
        .await
        .expect("form post")
}

pub async fn logged_in(app: &TestApp, user: &str) -> Client {
    let client = app.client();
    let response = app.log_in(&client, user, user).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{user} logs in");
    client
}

pub async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.expect("page");
    let status = response.status();
    (status, response.text().await.expect("html"))
}

pub async fn fire(
    app: &TestApp,
    client: &Client,
    id: &str,
    transition: &str,
    version: &str,
) -> Response {
    let fields = [
        ("input[resource]", "orders"),
        ("input[id]", id),
        ("input[transition]", transition),
        ("input[version]", version),
    ];
    call(app, client, "fire", &fields).await
}

/// `(state, version)` of one order, read straight from the database.
pub async fn order_row(app: &TestApp, id: i64) -> (String, i64) {
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, i64)>("SELECT state, version FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
    })
    .expect("order row")
}

pub async fn audit_rows(
    app: &TestApp,
    id: i64,
) -> Vec<(String, String, Option<String>, String, String)> {
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, String, Option<String>, String, String)>(
            "SELECT transition, source, target, actor_username, outcome FROM audit_log \
             WHERE resource = 'orders' AND object_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(pool)
        .await
    })
    .expect("audit rows")
}

pub async fn set_state(app: &TestApp, id: i64, state: &str) {
    app::with_pool!(&app.db, pool => {
        sqlx::query("UPDATE orders SET state = $1, version = version + 1 WHERE id = $2")
            .bind(state)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("set state");
}

pub async fn list(app: &TestApp, client: &Client, query: &[(&str, &str)]) -> Response {
    list_of(app, client, "orders", query).await
}

/// The list server function of `resource` with these query parameters.
pub async fn list_of(
    app: &TestApp,
    client: &Client,
    resource: &str,
    query: &[(&str, &str)],
) -> Response {
    let mut fields = vec![("input[resource]", resource)];
    // Every parameter but these filters the state field it names.
    let keys: Vec<String> = query
        .iter()
        .map(|(k, _)| match *k {
            "group" | "q" | "sort" | "page" | "after" | "before" => format!("input[query][{k}]"),
            field => format!("input[query][states][{field}]"),
        })
        .collect();
    for ((_, value), key) in query.iter().zip(&keys) {
        fields.push((key.as_str(), value));
    }
    call(app, client, "list", &fields).await
}

/// Creates a user (its password is its name) holding only `grants`, logged in.
pub async fn user_with(app: &TestApp, username: &str, grants: &[&str]) -> Client {
    let created = app::auth::users::create(
        &app.db,
        app::auth::users::NewUser {
            username: username.to_owned(),
            password: username.to_owned(),
            is_superuser: false,
            is_demo: false,
        },
    )
    .await
    .expect("user");
    app::auth::users::grant(&app.db, created, grants)
        .await
        .expect("grant");
    logged_in(app, username).await
}
