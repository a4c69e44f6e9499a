//! `switchyard passwd`: the command's work, called directly on the server's database.

use server::commands::set_password;

use crate::{is_logged_in, logged_in_as, on_both_backends, stored_password, support::TestApp};

on_both_backends!(
    passwd_sets_the_password_and_ends_every_session_of_that_user,
    passwd_refuses_an_unknown_user_or_a_broken_rule_and_changes_nothing,
);

async fn passwd_sets_the_password_and_ends_every_session_of_that_user(app: TestApp) {
    let clerk = logged_in_as(&app, "clerk", "clerk").await;
    let clerk_elsewhere = logged_in_as(&app, "clerk", "clerk").await;
    let admin = logged_in_as(&app, "admin", "admin").await;

    set_password(&app.db, "clerk", "from the command line".into())
        .await
        .expect("passwd");

    assert!(!is_logged_in(&app, &clerk).await);
    assert!(!is_logged_in(&app, &clerk_elsewhere).await);
    assert!(
        is_logged_in(&app, &admin).await,
        "other users keep their sessions"
    );
    let old = app.log_in(&app.client(), "clerk", "clerk").await;
    assert_eq!(
        crate::support::location(&old),
        "/login?error=credentials&username=clerk"
    );
    logged_in_as(&app, "clerk", "from the command line").await;
}

async fn passwd_refuses_an_unknown_user_or_a_broken_rule_and_changes_nothing(app: TestApp) {
    let clerk = logged_in_as(&app, "clerk", "clerk").await;
    let before = stored_password(&app, "clerk").await;

    let unknown = set_password(&app.db, "ghost", "whatever".into())
        .await
        .expect_err("no such user");
    assert_eq!(
        unknown.to_string(),
        "there is no user named \"ghost\"; nothing was changed"
    );
    let empty = set_password(&app.db, "clerk", String::new())
        .await
        .expect_err("an empty password");
    assert_eq!(
        empty.to_string(),
        "the password must not be empty; nothing was changed"
    );

    assert_eq!(stored_password(&app, "clerk").await, before);
    assert!(is_logged_in(&app, &clerk).await);
}
