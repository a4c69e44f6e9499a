//! Login throttling per username and per client address, and the bound on hashing: small
//! limits (3 attempts per username, 8 per address, then one an hour; one hash at a time,
//! no waiting for it) so the tests reach them.

use std::{num::NonZeroU32, time::Duration};

use app::auth::throttle::Rate;
use reqwest::{Response, StatusCode};
use server::config::Config;

use crate::{
    change_password, is_logged_in, logged_in_as, on_both_backends, stored_password,
    support::{location, TestApp},
};

on_both_backends!(
    configure = small_limits;
    a_fourth_attempt_for_one_username_is_answered_429_and_even_the_right_password_is_refused,
    attempts_from_one_address_past_its_burst_are_refused_whatever_the_username,
    wrong_current_passwords_on_the_change_page_count_toward_the_username,
    a_login_finding_every_hashing_permit_taken_is_answered_429_not_queued,
);

fn small_limits(config: &mut Config) {
    let rate = |burst| Rate {
        burst: NonZeroU32::new(burst).expect("non-zero"),
        every: Duration::from_secs(3600),
    };
    config.login_limits.per_username = rate(3);
    config.login_limits.per_address = rate(8);
    config.login_limits.hashing_permits = 1;
    config.login_limits.hashing_wait = Duration::ZERO;
}

/// Checks a 429 answer: `Retry-After` in seconds, and the page's sentence and link back.
async fn assert_throttled(response: Response, sentence: &str, back: &str) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("set-cookie").is_none());
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("Retry-After in seconds");
    assert!(
        (3000..=3600).contains(&retry_after),
        "one attempt an hour: {retry_after}"
    );
    let html = response.text().await.expect("html");
    let expected = format!("{sentence} Try again in {retry_after} seconds.");
    assert!(html.contains(&expected), "{expected}: {html}");
    assert!(html.contains(&format!(r#"<a href="{back}">"#)), "{html}");
}

async fn a_fourth_attempt_for_one_username_is_answered_429_and_even_the_right_password_is_refused(
    app: TestApp,
) {
    let client = app.client();
    for _ in 0..3 {
        let wrong = app.log_in(&client, "admin", "nope").await;
        assert_eq!(location(&wrong), "/login?error=credentials&username=admin");
    }
    let throttled = app.log_in(&client, "admin", "nope").await;
    assert_throttled(throttled, "Too many login attempts.", "/login").await;
    let right = app.log_in(&client, " admin ", "admin").await;
    assert_throttled(right, "Too many login attempts.", "/login").await;
    assert!(!is_logged_in(&app, &client).await, "still logged out");

    logged_in_as(&app, "clerk", "clerk").await;
}

async fn attempts_from_one_address_past_its_burst_are_refused_whatever_the_username(app: TestApp) {
    let client = app.client();
    for n in 0..8 {
        let wrong = app.log_in(&client, &format!("guess{n}"), "nope").await;
        assert_eq!(wrong.status(), StatusCode::SEE_OTHER, "attempt {n}");
    }
    let right = app.log_in(&client, "viewer", "viewer").await;
    assert_throttled(right, "Too many login attempts.", "/login").await;
    assert!(!is_logged_in(&app, &client).await);
}

async fn wrong_current_passwords_on_the_change_page_count_toward_the_username(app: TestApp) {
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let before = stored_password(&app, "clerk").await;
    for _ in 0..2 {
        let wrong = change_password(&app, &client, "nope", "n3w", "n3w").await;
        assert_eq!(location(&wrong), "/account/password?error=current");
    }
    let throttled = change_password(&app, &client, "clerk", "n3w", "n3w").await;
    assert_throttled(
        throttled,
        "Too many password attempts.",
        "/account/password",
    )
    .await;
    let login = app.log_in(&app.client(), "clerk", "clerk").await;
    assert_throttled(login, "Too many login attempts.", "/login").await;
    assert_eq!(stored_password(&app, "clerk").await, before);
    assert!(
        is_logged_in(&app, &client).await,
        "the session is untouched"
    );
}

async fn a_login_finding_every_hashing_permit_taken_is_answered_429_not_queued(app: TestApp) {
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..6 {
        let client = app.client();
        let url = app.url("/login");
        attempts.spawn(async move {
            let username = format!("guess{n}");
            let fields = [("username", username.as_str()), ("password", "nope")];
            let answer = client.post(url).form(&fields).send().await.expect("login");
            let status = answer.status();
            let retry_after = answer
                .headers()
                .get("retry-after")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            (status, retry_after, answer.text().await.expect("body"))
        });
    }
    let answers = attempts.join_all().await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(
        !busy.is_empty(),
        "one hash at a time, no waiting: {answers:?}"
    );
    for (_, retry_after, body) in busy {
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert!(
            body.contains("The server is busy checking other passwords. Try again in 1 second."),
            "{body}"
        );
    }
    assert!(
        answers
            .iter()
            .any(|(status, _, _)| *status == StatusCode::SEE_OTHER),
        "the attempt holding the permit was answered: {answers:?}"
    );
}
