//! Logging in and out over real HTTP, on SQLite and on PostgreSQL.

mod support;

use reqwest::StatusCode;
use support::{location, TestApp};

on_both_backends!(
    health_reports_the_database_it_answers_for,
    a_console_page_sends_a_visitor_to_the_login_page,
    the_right_password_opens_a_session_with_a_safe_cookie,
    a_wrong_password_is_refused_without_saying_whether_the_user_exists,
    an_unknown_user_gets_exactly_the_answer_of_a_wrong_password,
    logging_out_ends_the_session_for_good,
    a_login_posted_from_another_site_is_refused,
    a_login_never_redirects_to_another_site,
    an_unknown_page_is_a_404_for_a_logged_in_user,
    the_session_function_reports_the_user_and_the_demo_database,
    a_malformed_login_is_a_client_error_not_a_500,
);

async fn health_reports_the_database_it_answers_for(app: TestApp) {
    let response = reqwest::get(app.url("/health")).await.expect("health");
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    let expected = format!("{:?}", app.db.backend()).to_lowercase();
    assert_eq!(body["database"], expected.as_str());
}

async fn a_console_page_sends_a_visitor_to_the_login_page(app: TestApp) {
    let client = app.client();
    let home = client.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&home), "/login");

    let deep = client
        .get(app.url("/orders?state=new"))
        .send()
        .await
        .expect("deep link");
    assert_eq!(location(&deep), "/login?next=%2Forders%3Fstate%3Dnew");

    let login = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.expect("html");
    assert!(
        html.contains(r#"<label for="username">Username</label>"#),
        "{html}"
    );
    assert!(html.contains(r#"<label for="password">Password</label>"#));
    assert!(html.contains("Demo database."), "the demo banner is shown");
}

async fn the_right_password_opens_a_session_with_a_safe_cookie(app: TestApp) {
    let client = app.client();
    let response = app.log_in(&client, "clerk", "clerk").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.starts_with("switchyard_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    let home = client.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.expect("html");
    assert!(
        html.contains("Logged in as <strong>clerk</strong>"),
        "{html}"
    );
}

async fn a_wrong_password_is_refused_without_saying_whether_the_user_exists(app: TestApp) {
    let client = app.client();
    let wrong = app.log_in(&client, "admin", "nope").await;
    assert_eq!(wrong.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&wrong), "/login?error=credentials&username=admin");
    assert!(
        wrong.headers().get("set-cookie").is_none(),
        "no session for a failure"
    );

    let unknown = app.log_in(&client, "ghost", "nope").await;
    assert_eq!(
        location(&unknown),
        "/login?error=credentials&username=ghost"
    );

    let page = client
        .get(app.url(&location(&wrong)))
        .send()
        .await
        .expect("page");
    let html = page.text().await.expect("html");
    assert!(html.contains("Wrong username or password."), "{html}");
    let home = client.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "still logged out");
}

async fn an_unknown_user_gets_exactly_the_answer_of_a_wrong_password(app: TestApp) {
    // Two names of one length, so even the lengths of the answers could not differ.
    let answer = |username: &'static str| {
        let app = &app;
        async move {
            let response = app.log_in(&app.client(), username, "nope").await;
            let status = response.status();
            let mut headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .filter(|(name, _)| *name != "date")
                .map(|(name, value)| {
                    let value = value.to_str().expect("ascii").replace(username, "NAME");
                    (name.to_string(), value)
                })
                .collect();
            headers.sort();
            (status, headers, response.text().await.expect("body"))
        }
    };
    let wrong_password = answer("admin").await;
    let unknown_user = answer("ghost").await;
    assert_eq!(wrong_password, unknown_user);
    assert_eq!(wrong_password.0, StatusCode::SEE_OTHER);
}

async fn logging_out_ends_the_session_for_good(app: TestApp) {
    let client = app.client();
    let login = app.log_in(&client, "admin", "admin").await;
    let cookie = login.headers().get("set-cookie").cloned().expect("cookie");
    let session_cookie = cookie
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();

    let logout = client
        .post(app.url("/logout"))
        .header("origin", format!("http://{}", app.address))
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&logout), "/login?logged_out=1");

    // Replaying the old cookie must not bring the session back.
    let replay = app
        .client()
        .get(app.url("/"))
        .header("cookie", session_cookie)
        .send()
        .await
        .expect("replay");
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&replay), "/login");
}

async fn a_login_posted_from_another_site_is_refused(app: TestApp) {
    let client = app.client();
    let forged = client
        .post(app.url("/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "admin"), ("password", "admin")])
        .send()
        .await
        .expect("forged login");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get("set-cookie").is_none());

    let fetch_metadata = client
        .post(app.url("/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("forged logout");
    assert_eq!(fetch_metadata.status(), StatusCode::FORBIDDEN);
}

async fn a_login_never_redirects_to_another_site(app: TestApp) {
    let client = app.client();
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", "admin"),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(location(&response), "/");

    let client = app.client();
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", "admin"),
            ("next", "/orders?page=2"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(location(&response), "/orders?page=2");
}

async fn an_unknown_page_is_a_404_for_a_logged_in_user(app: TestApp) {
    let client = app.client();
    app.log_in(&client, "viewer", "viewer").await;
    let response = client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.expect("html");
    assert!(html.contains("Page not found"), "{html}");
}

async fn the_session_function_reports_the_user_and_the_demo_database(app: TestApp) {
    let client = app.client();
    let anonymous: serde_json::Value = client
        .post(app.url("/api/session"))
        .send()
        .await
        .expect("session fn")
        .json()
        .await
        .expect("json");
    assert_eq!(anonymous["user"], serde_json::Value::Null);
    assert_eq!(anonymous["demo_database"], true);

    app.log_in(&client, "admin", "admin").await;
    let info: serde_json::Value = client
        .post(app.url("/api/session"))
        .send()
        .await
        .expect("session fn")
        .json()
        .await
        .expect("json");
    assert_eq!(info["user"]["username"], "admin");
    assert_eq!(info["user"]["is_superuser"], true);
}

async fn a_malformed_login_is_a_client_error_not_a_500(app: TestApp) {
    let client = app.client();
    let response = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=admin")
        .send()
        .await
        .expect("login");
    assert!(response.status().is_client_error(), "{}", response.status());
}
