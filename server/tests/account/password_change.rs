//! The change-password page: the whole flow, and every refusal changing nothing.

use reqwest::StatusCode;

use crate::{
    change_password, is_logged_in, logged_in_as, on_both_backends, session_cookie, stored_password,
    support::{location, TestApp},
};

on_both_backends!(
    the_page_has_the_form_and_the_header_links_to_it,
    changing_the_password_ends_every_other_session_and_keeps_this_one_under_a_new_id,
    a_wrong_current_password_is_refused_and_changes_nothing,
    a_mismatched_empty_or_overlong_new_password_is_refused_and_changes_nothing,
    changing_a_password_needs_a_session_on_this_site,
);

async fn the_page_has_the_form_and_the_header_links_to_it(app: TestApp) {
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let home = client.get(app.url("/")).send().await.expect("home");
    let html = home.text().await.expect("html");
    assert!(html.contains(r#"href="/account/password""#), "{html}");

    let page = client
        .get(app.url("/account/password"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    for label in ["Current password", "New password", "Confirm new password"] {
        assert!(
            html.contains(&format!(">{label}</label>")),
            "{label}: {html}"
        );
    }
    assert!(html.contains(">Change password</button>"), "{html}");
    assert!(
        html.contains(r#"<form method="post" action="/account/password">"#),
        "{html}"
    );
}

async fn changing_the_password_ends_every_other_session_and_keeps_this_one_under_a_new_id(
    app: TestApp,
) {
    let this_client = app.client();
    let login = app.log_in(&this_client, "clerk", "clerk").await;
    let old_cookie = session_cookie(&login);
    let other_client = logged_in_as(&app, "clerk", "clerk").await;
    let someone_else = logged_in_as(&app, "viewer", "viewer").await;
    let (_, epoch_before) = stored_password(&app, "clerk").await;

    let changed = change_password(&app, &this_client, "clerk", "n3w secret", "n3w secret").await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&changed), "/account/password?changed=1");
    assert_ne!(session_cookie(&changed), old_cookie, "a new session id");

    let page = this_client
        .get(app.url(&location(&changed)))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK, "this session continues");
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("Your password was changed."));
    assert!(is_logged_in(&app, &this_client).await);
    assert!(
        !is_logged_in(&app, &other_client).await,
        "the other session ended"
    );
    assert!(
        is_logged_in(&app, &someone_else).await,
        "other users keep theirs"
    );
    let replayed = app.client();
    let replay = replayed
        .get(app.url("/"))
        .header("cookie", old_cookie)
        .send()
        .await
        .expect("replay");
    assert_eq!(location(&replay), "/login", "the old session id is dead");

    let (_, epoch_after) = stored_password(&app, "clerk").await;
    assert_eq!(epoch_after, epoch_before + 1);
    let old = app.log_in(&app.client(), "clerk", "clerk").await;
    assert_eq!(location(&old), "/login?error=credentials&username=clerk");
    logged_in_as(&app, "clerk", "n3w secret").await;
}

async fn a_wrong_current_password_is_refused_and_changes_nothing(app: TestApp) {
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let other_client = logged_in_as(&app, "clerk", "clerk").await;
    let before = stored_password(&app, "clerk").await;

    let refused = change_password(&app, &client, "not-clerk", "n3w", "n3w").await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&refused), "/account/password?error=current");
    let html = client
        .get(app.url(&location(&refused)))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("The current password is wrong. Nothing was changed."),
        "{html}"
    );

    assert_eq!(stored_password(&app, "clerk").await, before);
    assert!(is_logged_in(&app, &client).await);
    assert!(is_logged_in(&app, &other_client).await);
    logged_in_as(&app, "clerk", "clerk").await;
}

async fn a_mismatched_empty_or_overlong_new_password_is_refused_and_changes_nothing(app: TestApp) {
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let before = stored_password(&app, "clerk").await;
    let overlong = "x".repeat(1025);
    for (new, confirm, code, sentence) in [
        (
            "n3w",
            "n3v",
            "mismatch",
            "The new password and its confirmation differ.",
        ),
        ("", "", "empty", "The new password must not be empty."),
        (
            overlong.as_str(),
            overlong.as_str(),
            "too_long",
            "The new password has more than 1024 characters.",
        ),
    ] {
        let refused = change_password(&app, &client, "clerk", new, confirm).await;
        assert_eq!(
            location(&refused),
            format!("/account/password?error={code}")
        );
        let html = client
            .get(app.url(&location(&refused)))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(html.contains(sentence), "{sentence}: {html}");
    }
    assert_eq!(stored_password(&app, "clerk").await, before);
    assert!(is_logged_in(&app, &client).await);
}

async fn changing_a_password_needs_a_session_on_this_site(app: TestApp) {
    let before = stored_password(&app, "clerk").await;
    let anonymous = app.client();
    let page = anonymous
        .get(app.url("/account/password"))
        .send()
        .await
        .expect("page");
    assert_eq!(location(&page), "/login?next=%2Faccount%2Fpassword");
    let post = change_password(&app, &anonymous, "clerk", "n3w", "n3w").await;
    assert_eq!(post.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&post), "/login?next=%2Faccount%2Fpassword");

    let client = logged_in_as(&app, "clerk", "clerk").await;
    let forged = client
        .post(app.url("/account/password"))
        .header("origin", "http://evil.example")
        .form(&[
            ("current_password", "clerk"),
            ("new_password", "n3w"),
            ("confirm_password", "n3w"),
        ])
        .send()
        .await
        .expect("forged post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored_password(&app, "clerk").await, before);
}
