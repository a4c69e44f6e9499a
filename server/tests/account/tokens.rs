//! The API tokens page: creating a token through its form, its secret shown once and
//! working on the API until revoked through the page; every refusal changing nothing.

use reqwest::{header, Client, Response, StatusCode};

use crate::{
    logged_in_as, on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    a_token_made_on_the_page_shows_its_secret_once_and_works_on_the_api_until_revoked_there,
    the_header_and_the_password_page_link_to_the_tokens_page,
    a_cross_site_or_anonymous_post_is_refused_and_changes_no_token,
    a_bad_name_or_lifetime_is_refused_with_a_sentence_and_creates_nothing,
    a_user_cannot_revoke_another_users_token_nor_an_unknown_or_revoked_one,
);

/// Posts the create form as the page does with JavaScript off.
async fn create_token(app: &TestApp, client: &Client, name: &str, days: &str) -> Response {
    client
        .post(app.url("/account/tokens"))
        .header("origin", format!("http://{}", app.address))
        .form(&[("name", name), ("expires_in_days", days)])
        .send()
        .await
        .expect("create")
}

/// Posts a row's revoke form as the page does with JavaScript off.
async fn revoke_token(app: &TestApp, client: &Client, id: &str) -> Response {
    client
        .post(app.url("/account/tokens/revoke"))
        .header("origin", format!("http://{}", app.address))
        .form(&[("id", id)])
        .send()
        .await
        .expect("revoke")
}

async fn html_of(app: &TestApp, client: &Client, path: &str) -> String {
    let page = client.get(app.url(path)).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK, "{path}");
    page.text().await.expect("html")
}

async fn api_status(app: &TestApp, secret: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url("/api/v1/resources"))
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .send()
        .await
        .expect("api")
        .status()
}

/// The first whole secret (`sy_` and 64 hex digits) in a page, if any.
fn secret_in(html: &str) -> Option<String> {
    html.match_indices("sy_").find_map(|(at, _)| {
        let secret = html.get(at..at + 67)?;
        secret[3..]
            .chars()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| secret.to_owned())
    })
}

/// `(id, owner's username, name, revoked)` of every stored token, oldest first.
async fn stored_tokens(app: &TestApp) -> Vec<(i64, String, String, bool)> {
    let sql = "SELECT t.id, u.username, t.name, t.revoked_at \
               FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id";
    let rows = app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (i64, String, String, Option<i64>)>(sql).fetch_all(pool).await
    })
    .expect("tokens");
    rows.into_iter()
        .map(|(id, owner, name, revoked_at)| (id, owner, name, revoked_at.is_some()))
        .collect()
}

/// `(token id, owner's username, actor, action)` of every stored event, oldest first.
async fn stored_events(app: &TestApp) -> Vec<(i64, String, String, String)> {
    let sql = "SELECT e.token_id, u.username, e.actor_username, e.action \
               FROM api_token_events e JOIN users u ON u.id = e.user_id ORDER BY e.id";
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (i64, String, String, String)>(sql).fetch_all(pool).await
    })
    .expect("events")
}

fn event(token: i64, owner: &str, actor: &str, action: &str) -> (i64, String, String, String) {
    (token, owner.to_owned(), actor.to_owned(), action.to_owned())
}

/// A token of `username` made as on their own page, without HTTP.
async fn token_of(app: &TestApp, username: &str, name: &str) -> (i64, String) {
    let user = app::auth::users::find_active_by_username(&app.db, username)
        .await
        .expect("lookup")
        .expect("a demo user");
    let actor = app::auth::tokens::TokenActor::owner(&user);
    let token = app::auth::tokens::create(&app.db, user.id, name, None, actor)
        .await
        .expect("create");
    (token.id, token.secret)
}

async fn a_token_made_on_the_page_shows_its_secret_once_and_works_on_the_api_until_revoked_there(
    app: TestApp,
) {
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let empty = html_of(&app, &client, "/account/tokens").await;
    assert!(
        empty.contains("<title>API tokens · Switchyard</title>"),
        "{empty}"
    );
    assert!(
        empty.contains("Authorization: Bearer &lt;token&gt;"),
        "{empty}"
    );
    assert!(empty.contains("You have no API tokens yet."), "{empty}");
    assert!(
        empty.contains(r#"<form method="post" action="/account/tokens">"#),
        "{empty}"
    );

    let created = create_token(&app, &client, "  deploys ", "30").await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&created),
        "/account/tokens",
        "no secret in the address"
    );

    let shown = html_of(&app, &client, "/account/tokens").await;
    assert!(shown.contains("it will not be shown again"), "{shown}");
    assert!(shown.contains("Your new token “deploys”"), "{shown}");
    let secret = secret_in(&shown).expect("the secret on the page");
    assert!(
        shown.contains(&format!(r#"value="{secret}""#)),
        "the secret is in the labelled box: {shown}"
    );
    assert!(shown.contains(">Secret</label>"), "{shown}");
    assert!(
        shown.contains(&format!("{}…", &secret[..7])),
        "the prefix: {shown}"
    );
    assert!(shown.contains(r#"aria-label="Revoke deploys""#), "{shown}");
    assert!(shown.contains(">active</span>"), "{shown}");
    assert!(shown.contains(">never</td>"), "not used yet: {shown}");

    let reloaded = html_of(&app, &client, "/account/tokens").await;
    assert_eq!(secret_in(&reloaded), None, "shown once: {reloaded}");
    assert!(
        !reloaded.contains("it will not be shown again"),
        "{reloaded}"
    );
    assert!(
        reloaded.contains(r#"aria-label="Revoke deploys""#),
        "{reloaded}"
    );

    assert_eq!(api_status(&app, &secret).await, StatusCode::OK);

    let tokens = stored_tokens(&app).await;
    let [(id, owner, name, revoked)] = tokens.as_slice() else {
        panic!("one token: {tokens:?}");
    };
    assert_eq!(
        (owner.as_str(), name.as_str(), *revoked),
        ("clerk", "deploys", false)
    );
    assert!(
        reloaded.contains(&format!(r#"name="id" value="{id}""#)),
        "{reloaded}"
    );

    let revoked = revoke_token(&app, &client, &id.to_string()).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&revoked), "/account/tokens?revoked=1");
    let after = html_of(&app, &client, &location(&revoked)).await;
    assert!(after.contains("The token was revoked."), "{after}");
    assert!(after.contains(">revoked</span>"), "{after}");
    assert!(!after.contains("aria-label=\"Revoke deploys\""), "{after}");
    assert_eq!(api_status(&app, &secret).await, StatusCode::UNAUTHORIZED);

    assert_eq!(
        stored_events(&app).await,
        [
            event(*id, "clerk", "clerk", "created"),
            event(*id, "clerk", "clerk", "revoked"),
        ]
    );
    for shown_event in [">created</td><td>clerk<", ">revoked</td><td>clerk<"] {
        assert!(after.contains(shown_event), "{shown_event}: {after}");
    }
}

async fn the_header_and_the_password_page_link_to_the_tokens_page(app: TestApp) {
    let client = logged_in_as(&app, "viewer", "viewer").await;
    for page in ["/", "/account/password"] {
        let html = html_of(&app, &client, page).await;
        assert!(
            html.contains(r#"<a href="/account/tokens""#),
            "{page}: {html}"
        );
    }
    let tokens = html_of(&app, &client, "/account/tokens").await;
    assert!(
        tokens.contains(r#"<a href="/account/password">"#),
        "{tokens}"
    );
}

async fn a_cross_site_or_anonymous_post_is_refused_and_changes_no_token(app: TestApp) {
    let (id, secret) = token_of(&app, "clerk", "ci").await;
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let forged_create = client
        .post(app.url("/account/tokens"))
        .header("origin", "http://evil.example")
        .form(&[("name", "stolen"), ("expires_in_days", "")])
        .send()
        .await
        .expect("forged create");
    assert_eq!(forged_create.status(), StatusCode::FORBIDDEN);
    let forged_revoke = client
        .post(app.url("/account/tokens/revoke"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("id", id.to_string())])
        .send()
        .await
        .expect("forged revoke");
    assert_eq!(forged_revoke.status(), StatusCode::FORBIDDEN);

    let anonymous = app.client();
    let page = anonymous
        .get(app.url("/account/tokens"))
        .send()
        .await
        .expect("page");
    assert_eq!(location(&page), "/login?next=%2Faccount%2Ftokens");
    for post in [
        create_token(&app, &anonymous, "anonymous", "").await,
        revoke_token(&app, &anonymous, &id.to_string()).await,
    ] {
        assert_eq!(post.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&post), "/login?next=%2Faccount%2Ftokens");
    }

    assert_eq!(
        stored_tokens(&app).await,
        [(id, "clerk".to_owned(), "ci".to_owned(), false)]
    );
    assert_eq!(
        stored_events(&app).await,
        [event(id, "clerk", "clerk", "created")]
    );
    assert_eq!(api_status(&app, &secret).await, StatusCode::OK);
}

async fn a_bad_name_or_lifetime_is_refused_with_a_sentence_and_creates_nothing(app: TestApp) {
    let client = logged_in_as(&app, "clerk", "clerk").await;
    let overlong = "x".repeat(101);
    for (name, days, code, sentence) in [
        ("", "", "empty_name", "Give the token a name"),
        ("   ", "7", "empty_name", "Give the token a name"),
        (overlong.as_str(), "", "long_name", "at most 100 characters"),
        (
            "a\tb",
            "",
            "control_in_name",
            "cannot hold tabs, line breaks",
        ),
        (
            "line\nbreak",
            "",
            "control_in_name",
            "cannot hold tabs, line breaks",
        ),
        (
            "ok",
            "0",
            "lifetime",
            "A token expires after 1 to 3650 days",
        ),
        (
            "ok",
            "3651",
            "lifetime",
            "A token expires after 1 to 3650 days",
        ),
        (
            "ok",
            "-1",
            "lifetime",
            "A token expires after 1 to 3650 days",
        ),
        (
            "ok",
            "soon",
            "lifetime",
            "A token expires after 1 to 3650 days",
        ),
    ] {
        let refused = create_token(&app, &client, name, days).await;
        assert_eq!(refused.status(), StatusCode::SEE_OTHER, "{name:?} {days:?}");
        assert_eq!(location(&refused), format!("/account/tokens?error={code}"));
        let html = html_of(&app, &client, &location(&refused)).await;
        assert!(html.contains(sentence), "{sentence}: {html}");
        assert!(html.contains("No token was created."), "{html}");
        assert_eq!(secret_in(&html), None);
    }
    let bare = client
        .post(app.url("/account/tokens"))
        .header("origin", format!("http://{}", app.address))
        .form(&[("unexpected", "field")])
        .send()
        .await
        .expect("a post without the form's fields");
    assert_eq!(location(&bare), "/account/tokens?error=empty_name");

    assert_eq!(stored_tokens(&app).await, []);
    assert_eq!(stored_events(&app).await, []);
}

async fn a_user_cannot_revoke_another_users_token_nor_an_unknown_or_revoked_one(app: TestApp) {
    let (clerks, clerks_secret) = token_of(&app, "clerk", "reports").await;
    let (viewers, _) = token_of(&app, "viewer", "mine").await;
    let viewer = logged_in_as(&app, "viewer", "viewer").await;
    let page = html_of(&app, &viewer, "/account/tokens").await;
    assert!(
        !page.contains("reports"),
        "only the user's own tokens: {page}"
    );
    assert!(page.contains(r#"aria-label="Revoke mine""#), "{page}");

    for id in [
        clerks.to_string(),
        "99999".to_owned(),
        "not a number".to_owned(),
        String::new(),
    ] {
        let refused = revoke_token(&app, &viewer, &id).await;
        assert_eq!(
            location(&refused),
            "/account/tokens?error=not_revocable",
            "{id:?}"
        );
        let html = html_of(&app, &viewer, &location(&refused)).await;
        assert!(
            html.contains("That is not an active token of yours, so there is nothing to revoke."),
            "{html}"
        );
    }
    assert_eq!(api_status(&app, &clerks_secret).await, StatusCode::OK);

    let revoked = revoke_token(&app, &viewer, &viewers.to_string()).await;
    assert_eq!(location(&revoked), "/account/tokens?revoked=1");
    let again = revoke_token(&app, &viewer, &viewers.to_string()).await;
    assert_eq!(location(&again), "/account/tokens?error=not_revocable");

    assert_eq!(
        stored_tokens(&app).await,
        [
            (clerks, "clerk".to_owned(), "reports".to_owned(), false),
            (viewers, "viewer".to_owned(), "mine".to_owned(), true),
        ]
    );
    assert_eq!(
        stored_events(&app).await,
        [
            event(clerks, "clerk", "clerk", "created"),
            event(viewers, "viewer", "viewer", "created"),
            event(viewers, "viewer", "viewer", "revoked"),
        ]
    );
}
