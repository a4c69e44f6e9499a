//! The Content-Security-Policy over real HTTP: every answer carries one, its scripts run only
//! with a nonce made for that answer, and every script a page holds carries that nonce.

mod support;

use reqwest::{Client, Response, StatusCode};
use support::{location, TestApp};

on_both_backends!(
    every_page_carries_a_policy_whose_scripts_need_its_own_nonce,
    two_answers_never_share_a_nonce,
    answers_that_are_not_pages_carry_the_policy_without_a_nonce,
);

fn policy_of(response: &Response) -> String {
    response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The policy's directive `name`, as its list of sources.
fn directive<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
    policy
        .split(';')
        .map(|directive| directive.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.first() == Some(&name))
        .map(|words| words[1..].to_vec())
        .unwrap_or_default()
}

/// Checks the policy's directives other than `script-src`, and gives back its sources.
fn script_sources<'a>(policy: &'a str, what: &str) -> Vec<&'a str> {
    for (name, sources) in [
        ("default-src", "'self'"),
        ("style-src", "'self'"),
        ("img-src", "'self'"),
        ("connect-src", "'self'"),
        ("frame-ancestors", "'none'"),
        ("object-src", "'none'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
    ] {
        assert_eq!(
            directive(policy, name),
            [sources],
            "{name} of {what}: {policy}"
        );
    }
    directive(policy, "script-src")
}

/// Checks a page's policy and gives back the nonce its `script-src` names.
fn checked_nonce(policy: &str, what: &str) -> String {
    let scripts = script_sources(policy, what);
    let nonces: Vec<&str> = scripts
        .iter()
        .filter_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\''))
        .collect();
    assert_eq!(nonces.len(), 1, "one nonce for {what}: {policy}");
    assert_eq!(
        scripts,
        [
            "'self'",
            &format!("'nonce-{}'", nonces[0]),
            "'wasm-unsafe-eval'"
        ],
        "nothing inline runs without the nonce on {what}"
    );
    assert!(nonces[0].len() >= 22, "at least 128 bits: {policy}");
    nonces[0].to_owned()
}

/// Checks the policy of an answer that is not a page: no inline script runs at all.
fn assert_no_inline_script(response: &Response, what: &str) {
    let policy = policy_of(response);
    assert_eq!(
        script_sources(&policy, what),
        ["'self'", "'wasm-unsafe-eval'"],
        "{what}: {policy}"
    );
}

async fn logged_in(app: &TestApp, user: &str) -> Client {
    let client = app.client();
    let response = app.log_in(&client, user, user).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{user} logs in");
    client
}

async fn every_page_carries_a_policy_whose_scripts_need_its_own_nonce(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    let job: i64 = admin
        .post(app.url("/api/bulk_apply"))
        .header("accept", "application/json")
        .form(&[
            ("input[resource]", "orders"),
            ("input[transition]", "pay"),
            ("input[ids][0]", "2"),
        ])
        .send()
        .await
        .expect("apply")
        .json()
        .await
        .expect("job id");
    let pages = [
        "/".to_owned(),
        "/orders?state=new".to_owned(),
        "/orders/1".to_owned(),
        "/orders/1/history".to_owned(),
        "/orders/2/transitions/ship".to_owned(),
        "/orders/1/edit".to_owned(),
        "/orders/add".to_owned(),
        "/orders/1/delete".to_owned(),
        "/orders/bulk?transition=pay&id=1&id=3".to_owned(),
        "/orders/settings/transitions".to_owned(),
        "/jobs".to_owned(),
        format!("/jobs/{job}"),
        "/account/tokens".to_owned(),
        "/orders/404".to_owned(),
        "/no/such/page/at/all".to_owned(),
    ];
    let anonymous = app.client();
    let visits = pages
        .iter()
        .map(|path| (&admin, path.as_str()))
        .chain([(&anonymous, "/login")]);
    for (client, path) in visits {
        let response = client.get(app.url(path)).send().await.expect("page");
        let nonce = checked_nonce(&policy_of(&response), path);
        let html = response.text().await.expect("html");
        let scripts: Vec<&str> = html
            .split("<script")
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or_default())
            .collect();
        assert!(
            scripts.len() >= 2,
            "{path} hydrates and sends its data in scripts: {html}"
        );
        for script in scripts {
            assert!(
                script.contains(&format!(r#"nonce="{nonce}""#)),
                "a script of {path} lacks the answer's nonce: <script{script}>"
            );
        }
    }
}

async fn two_answers_never_share_a_nonce(app: TestApp) {
    let client = logged_in(&app, "viewer").await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let response = client.get(app.url("/orders")).send().await.expect("page");
        let nonce = checked_nonce(&policy_of(&response), "/orders");
        let html = response.text().await.expect("html");
        assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "{html}");
        assert!(seen.insert(nonce), "a nonce came back");
    }
}

async fn answers_that_are_not_pages_carry_the_policy_without_a_nonce(app: TestApp) {
    let anonymous = app.client();
    let health = anonymous
        .get(app.url("/health"))
        .send()
        .await
        .expect("health");
    assert_no_inline_script(&health, "/health");
    let redirect = anonymous
        .get(app.url("/orders"))
        .send()
        .await
        .expect("redirect");
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    assert!(location(&redirect).starts_with("/login"));
    assert_no_inline_script(&redirect, "a redirect to the login");
    let refused = anonymous
        .post(app.url("/api/list"))
        .header("origin", "http://evil.example")
        .form(&[("input[resource]", "orders")])
        .send()
        .await
        .expect("cross-site post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_no_inline_script(&refused, "a refused cross-site post");

    let viewer = logged_in(&app, "viewer").await;
    let json = viewer
        .post(app.url("/api/list"))
        .header("accept", "application/json")
        .form(&[("input[resource]", "orders")])
        .send()
        .await
        .expect("list");
    assert_eq!(json.status(), StatusCode::OK);
    assert_no_inline_script(&json, "a server function's JSON");
    // Two logins that must not be told apart carry the same policy.
    let wrong = [
        app.log_in(&app.client(), "admin", "nope").await,
        app.log_in(&app.client(), "ghost", "nope").await,
    ];
    assert_eq!(policy_of(&wrong[0]), policy_of(&wrong[1]));
}
