//! The absolute session lifetime: a login ends when it is this old, however active it is.
//! Three seconds here, so the test can outlive it.

use std::time::{Duration, Instant};

use server::config::Config;

use crate::{is_logged_in, logged_in_as, on_both_backends, support::TestApp};

const LIFETIME: Duration = Duration::from_secs(3);

on_both_backends!(
    configure = short_lifetime;
    a_session_ends_at_its_absolute_lifetime_however_active_it_is,
);

fn short_lifetime(config: &mut Config) {
    config.session_lifetime = LIFETIME;
}

async fn a_session_ends_at_its_absolute_lifetime_however_active_it_is(app: TestApp) {
    let logged_in_at = Instant::now();
    let client = logged_in_as(&app, "clerk", "clerk").await;
    // Active all along: a request every half second until the lifetime is nearly over.
    while logged_in_at.elapsed() < LIFETIME - Duration::from_millis(1500) {
        assert!(
            is_logged_in(&app, &client).await,
            "still within its lifetime"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep_until((logged_in_at + LIFETIME + Duration::from_millis(200)).into()).await;
    assert!(!is_logged_in(&app, &client).await, "past its lifetime");
    let info: serde_json::Value = client
        .post(app.url("/api/session"))
        .send()
        .await
        .expect("session fn")
        .json()
        .await
        .expect("json");
    assert_eq!(info["user"], serde_json::Value::Null);

    logged_in_as(&app, "clerk", "clerk").await;
}
