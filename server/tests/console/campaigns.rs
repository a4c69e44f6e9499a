//! A resource with two state fields (campaigns: integer `step`, key-table `review`) through
//! every console path: object page blocks, fires on each machine against the row's one
//! version, the reject form, the confirmation of "Cancel campaign", history, filters per
//! field and per group, bulk on the second field, settings and creation.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{call, list_of, logged_in, page},
    on_both_backends,
    support::TestApp,
};

on_both_backends!(
    the_object_page_has_a_block_per_field_and_each_machine_fires_on_the_one_version,
    reject_cleans_its_reason_into_the_audit_description,
    cancel_asks_its_question_before_it_runs,
    lists_filter_by_each_field_and_by_group,
    bulk_runs_on_the_second_field_and_settings_cover_both_machines,
    a_created_campaign_starts_in_both_initial_states,
);

/// Seeds `n` campaigns (drafts pending review).
pub async fn seeded(app: &TestApp, n: i64) {
    app::campaigns::seed::seed_campaigns(&app.db, n)
        .await
        .expect("seed campaigns");
}

/// `(step, review, jobs, version)` of a campaign, straight from the database.
pub async fn campaign(app: &TestApp, id: i64) -> (i64, String, i64, i64) {
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (i64, String, i64, i64)>(
            "SELECT step, review, jobs, version FROM campaigns WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
    })
    .expect("campaign row")
}

/// Fires a campaign transition through the JSON server function.
pub async fn fire(
    app: &TestApp,
    client: &Client,
    id: &str,
    transition: &str,
    version: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let keys: Vec<String> = fields
        .iter()
        .map(|(name, _)| format!("input[fields][{name}]"))
        .collect();
    let mut pairs = vec![
        ("input[resource]", "campaigns"),
        ("input[id]", id),
        ("input[transition]", transition),
        ("input[version]", version),
    ];
    pairs.extend(
        keys.iter()
            .map(String::as_str)
            .zip(fields.iter().map(|(_, v)| *v)),
    );
    call(app, client, "fire", &pairs).await
}

/// `(transition, field, description)` of a campaign's audit rows, oldest first.
async fn audit(app: &TestApp, id: i64) -> Vec<(String, Option<String>, Option<String>)> {
    app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, Option<String>, Option<String>)>(
            "SELECT transition, field, description FROM audit_log \
             WHERE resource = 'campaigns' AND object_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(pool)
        .await
    })
    .expect("audit rows")
}

async fn the_object_page_has_a_block_per_field_and_each_machine_fires_on_the_one_version(
    app: TestApp,
) {
    seeded(&app, 2).await;
    let clerk = logged_in(&app, "clerk").await;
    let admin = logged_in(&app, "admin").await;

    let view: Value = call(
        &app,
        &clerk,
        "object",
        &[("input[resource]", "campaigns"), ("input[id]", "1")],
    )
    .await
    .json()
    .await
    .expect("json");
    let blocks = view["blocks"].as_array().expect("blocks");
    let headings: Vec<&str> = blocks
        .iter()
        .map(|b| b["label"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(headings, ["Step", "Review"]);
    assert_eq!(blocks[0]["state"]["label"], "Draft");
    assert_eq!(blocks[0]["state"]["description"], "Being planned");
    assert_eq!(
        blocks[1]["state"]["label"], "Pending review",
        "from review_states"
    );
    let produce = blocks[0]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["name"] == "produce")
        .expect("Start production is shown");
    assert_eq!(produce["label"], "Start production");
    assert_eq!(produce["disabled_reason"], "Add a job first.");

    let (status, html) = page(&app, &clerk, "/campaigns/1").await;
    assert_eq!(status, StatusCode::OK);
    for text in [">Step</h2>", ">Review</h2>", "Add job", "Add a job first."] {
        assert!(html.contains(text), "the page shows {text}");
    }

    let added = fire(&app, &clerk, "1", "add_job", "1", &[]).await;
    assert_eq!(added.status(), StatusCode::OK, "{:?}", added.text().await);
    assert_eq!(campaign(&app, 1).await, (1, "pending".to_owned(), 1, 2));
    let produced = fire(&app, &clerk, "1", "produce", "2", &[]).await;
    assert_eq!(produced.status(), StatusCode::OK);
    let report: Value = produced.json().await.expect("json");
    assert_eq!(
        report["message"]["text"],
        "Start production: moved from Draft to Being produced."
    );

    // A page of the review block loaded before those fires is stale.
    let stale = fire(&app, &admin, "1", "approve", "1", &[]).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(campaign(&app, 1).await, (2, "pending".to_owned(), 1, 3));
    // The clerk holds no `campaigns.review`.
    let forbidden = fire(&app, &clerk, "1", "approve", "3", &[]).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let approved = fire(&app, &admin, "1", "approve", "3", &[]).await;
    assert_eq!(approved.status(), StatusCode::OK);
    assert_eq!(campaign(&app, 1).await, (2, "approved".to_owned(), 1, 4));
    assert_eq!(campaign(&app, 2).await, (1, "pending".to_owned(), 0, 1));

    let fields: Vec<Option<String>> = audit(&app, 1).await.into_iter().map(|r| r.1).collect();
    let expected = ["step", "step", "review"].map(|f| Some(f.to_owned()));
    assert_eq!(fields, expected, "every audit row names its field");
    let (status, history) = page(&app, &admin, "/campaigns/1/history").await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains("Approve") && history.contains("(Review)"));
    assert!(history.contains("Start production") && history.contains("(Step)"));
}

async fn reject_cleans_its_reason_into_the_audit_description(app: TestApp) {
    seeded(&app, 1).await;
    let admin = logged_in(&app, "admin").await;
    let (status, html) = page(&app, &admin, "/campaigns/1/transitions/reject").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Reason") && html.contains("Review: "),
        "{html}"
    );

    let short = fire(&app, &admin, "1", "reject", "1", &[("reason", "no")]).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(campaign(&app, 1).await, (1, "pending".to_owned(), 0, 1));

    let reason = "The artwork is missing.";
    let rejected = fire(&app, &admin, "1", "reject", "1", &[("reason", reason)]).await;
    assert_eq!(rejected.status(), StatusCode::OK);
    assert_eq!(campaign(&app, 1).await, (1, "rejected".to_owned(), 0, 2));
    assert_eq!(
        audit(&app, 1).await,
        [(
            "reject".to_owned(),
            Some("review".to_owned()),
            Some(reason.to_owned())
        )]
    );
    let back = fire(&app, &admin, "1", "reset_review", "2", &[]).await;
    assert_eq!(back.status(), StatusCode::OK, "+ leaves rejected");
    assert_eq!(campaign(&app, 1).await.1, "pending");
}

async fn cancel_asks_its_question_before_it_runs(app: TestApp) {
    seeded(&app, 1).await;
    let admin = logged_in(&app, "admin").await;
    let (_, object) = page(&app, &admin, "/campaigns/1").await;
    assert!(
        object.contains(r#"href="/campaigns/1/transitions/cancel""#),
        "the button opens the confirmation page"
    );
    let (status, html) = page(&app, &admin, "/campaigns/1/transitions/cancel").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Cancel this campaign? This cannot be undone."));
    assert_eq!(campaign(&app, 1).await.0, 1, "opening it changes nothing");
    let cancelled = fire(&app, &admin, "1", "cancel", "1", &[]).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(campaign(&app, 1).await.0, 4);
}

async fn set(app: &TestApp, sql: &str) {
    app::with_pool!(&app.db, pool => { sqlx::query(sql).execute(pool).await.map(|_| ()) })
        .expect(sql);
}

async fn list(app: &TestApp, client: &Client, query: &[(&str, &str)]) -> reqwest::Response {
    list_of(app, client, "campaigns", query).await
}

async fn total(app: &TestApp, client: &Client, query: &[(&str, &str)]) -> Value {
    let response = list(app, client, query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query:?}");
    response.json::<Value>().await.expect("json")["total"].clone()
}

async fn lists_filter_by_each_field_and_by_group(app: TestApp) {
    seeded(&app, 10).await;
    set(&app, "UPDATE campaigns SET step = 2 WHERE id IN (1, 2, 3)").await;
    set(&app, "UPDATE campaigns SET step = 3 WHERE id = 4").await;
    set(
        &app,
        "UPDATE campaigns SET review = 'approved' WHERE id IN (2, 4)",
    )
    .await;
    let viewer = logged_in(&app, "viewer").await;

    assert_eq!(total(&app, &viewer, &[("step", "producing")]).await, 3);
    assert_eq!(total(&app, &viewer, &[("review", "approved")]).await, 2);
    let both = [("step", "producing"), ("review", "pending")];
    assert_eq!(total(&app, &viewer, &both).await, 2);
    assert_eq!(total(&app, &viewer, &[("group", "active")]).await, 9);
    let page_one: Value = list(&app, &viewer, &both).await.json().await.expect("json");
    let badges: Vec<&str> = page_one["rows"][0]["states"]
        .as_array()
        .expect("a badge per field")
        .iter()
        .map(|b| b["label"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(badges, ["Being produced", "Pending review"]);

    let (status, html) = page(&app, &viewer, "/campaigns?step=producing&review=pending").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1–2 of 2 campaigns"), "{html}");
    for (query, sentence) in [
        (vec![("stage", "draft")], "There is no state field `stage`"),
        (vec![("step", "nine")], "There is no step `nine`"),
        (vec![("group", "open")], "There is no state group `open`"),
    ] {
        let response = list(&app, &viewer, &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query:?}");
        assert!(response.text().await.unwrap_or_default().contains(sentence));
    }
    // Hostile filters: refused, quoted with their control characters escaped.
    for query in [
        vec![("st\u{1}ep", "draft")],
        vec![("step", "draft\u{0}")],
        vec![("review", "pending\u{7}")],
        vec![("group", "act\nive")],
    ] {
        let response = list(&app, &viewer, &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query:?}");
        let body = response.text().await.unwrap_or_default();
        assert!(!body.chars().any(char::is_control), "{body:?}");
    }
    let (status, _) = page(&app, &viewer, "/campaigns?review=%00").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, home) = page(&app, &viewer, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("/campaigns?group=active") && home.contains("/orders?group=open"));
}

async fn bulk_runs_on_the_second_field_and_settings_cover_both_machines(app: TestApp) {
    seeded(&app, 4).await;
    set(
        &app,
        "UPDATE campaigns SET review = 'approved' WHERE id = 2",
    )
    .await;
    let admin = logged_in(&app, "admin").await;
    let mut fields = vec![
        ("input[resource]".to_owned(), "campaigns".to_owned()),
        ("input[transition]".to_owned(), "approve".to_owned()),
    ];
    for (index, id) in ["1", "2", "3"].iter().enumerate() {
        fields.push((format!("input[ids][{index}]"), (*id).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let preview: Value = call(&app, &admin, "bulk_preview", &pairs)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(preview["will_move"], 2, "{preview}");
    assert_eq!(
        preview["groups"][0]["reason"],
        "Approve is not possible: the campaign is Approved."
    );
    let applied = call(&app, &admin, "bulk_apply", &pairs).await;
    assert_eq!(applied.status(), StatusCode::OK);
    let job: i64 = applied.json().await.expect("job id");
    let report: Value = call(&app, &admin, "job", &[("input[id]", &job.to_string())])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (report["status"].as_str(), report["applied"].as_i64()),
        (Some("done"), Some(2))
    );
    for id in [1, 2, 3] {
        assert_eq!(campaign(&app, id).await.1, "approved");
    }
    assert_eq!(campaign(&app, 4).await.1, "pending");
    assert_eq!(audit(&app, 1).await[0].1.as_deref(), Some("review"));

    let (status, settings) = page(&app, &admin, "/campaigns/settings/transitions").await;
    assert_eq!(status, StatusCode::OK);
    for label in [
        "Add job",
        "Start production",
        "Cancel campaign",
        "Approve",
        "Back to review",
    ] {
        assert!(
            settings.contains(&format!("Visibility of {label}")),
            "{label}"
        );
    }
}

/// Saves the creation form of a campaign named `name`.
async fn create(app: &TestApp, client: &Client, name: &str) -> reqwest::Response {
    let fields = [
        ("input[resource]", "campaigns"),
        ("input[id]", ""),
        ("input[version]", "0"),
        ("input[fields][name]", name),
    ];
    call(app, client, "save", &fields).await
}

async fn a_created_campaign_starts_in_both_initial_states(app: TestApp) {
    let admin = logged_in(&app, "admin").await;
    let created = create(&app, &admin, "Spring launch").await;
    assert_eq!(
        created.status(),
        StatusCode::OK,
        "{:?}",
        created.text().await
    );
    assert_eq!(campaign(&app, 1).await, (1, "pending".to_owned(), 0, 1));
    let too_long = create(&app, &admin, "A name far longer than thirty characters").await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
