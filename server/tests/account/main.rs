//! Password attempts and sessions over real HTTP, on SQLite and on PostgreSQL: login
//! throttling, changing a password (page and `passwd`), the absolute session lifetime, and
//! personal API tokens made and revoked on the account's tokens page.

#[path = "../support/mod.rs"]
mod support;

mod lifetime;
mod passwd;
mod password_change;
mod throttling;
mod tokens;

use reqwest::{Client, Response, StatusCode};
use support::TestApp;

/// A client logged in as `user` with `password`.
pub async fn logged_in_as(app: &TestApp, user: &str, password: &str) -> Client {
    let client = app.client();
    let response = app.log_in(&client, user, password).await;
    assert_eq!(support::location(&response), "/", "{user} logs in");
    client
}

/// Answers whether a client's session is logged in (home opens instead of the login page).
pub async fn is_logged_in(app: &TestApp, client: &Client) -> bool {
    let home = client.get(app.url("/")).send().await.expect("home");
    match home.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => false,
        other => panic!("home answered {other}"),
    }
}

/// Posts the change-password form as the page does with JavaScript off.
pub async fn change_password(
    app: &TestApp,
    client: &Client,
    current: &str,
    new: &str,
    confirm: &str,
) -> Response {
    client
        .post(app.url("/account/password"))
        .header("origin", format!("http://{}", app.address))
        .form(&[
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", confirm),
        ])
        .send()
        .await
        .expect("change password")
}

/// The stored password hash and session epoch of a user.
pub async fn stored_password(app: &TestApp, username: &str) -> (String, i64) {
    let sql = "SELECT password_hash, session_epoch FROM users WHERE username = $1";
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, i64)>(sql).bind(username).fetch_one(pool).await
    })
    .expect("the user's row")
}

/// The `name=value` pair of the session cookie a response sets.
pub fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("switchyard_session="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_owned()
}
