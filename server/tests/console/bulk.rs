//! Bulk transitions: the grouped preview, both modes over mixed selections, form data on
//! every row, cancelling, resuming a job a crashed server left half done (exactly once), and
//! two jobs racing on the same rows.

use std::{path::PathBuf, sync::Arc};

use app::{
    admin::bulk::job_runner,
    db::{history::object_history, jobs},
    orders::{orders_machine, orders_table, OrdersStore},
    state::AppState,
};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use switchyard_engine::{Actor, FireRequest};

use crate::{
    helpers::{call, logged_in, order_row, page, post_as_browser, set_state},
    on_both_backends,
    support::{location, TestApp},
};

on_both_backends!(
    the_preview_counts_what_will_move_and_groups_the_rest_by_reason,
    best_effort_moves_what_it_can_and_reports_the_rest,
    all_or_nothing_moves_nothing_when_one_row_cannot,
    a_form_is_asked_once_and_reaches_every_row,
    a_cancelled_job_stops_and_keeps_what_it_did,
    a_job_resumed_after_a_crash_applies_each_row_exactly_once,
    two_jobs_on_the_same_rows_never_apply_one_twice,
    bulk_refusals_change_nothing,
    a_deployer_action_runs_as_a_job_with_its_outcomes,
    a_job_held_by_a_live_run_is_left_to_it_until_its_lease_runs_out,
    a_finished_jobs_running_time_and_rate_stop_at_its_end,
);

pub(crate) fn state_of(app: &TestApp) -> AppState {
    let leptos_toml = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    AppState {
        leptos_options: server::config::leptos_options(&leptos_toml).expect("Leptos.toml"),
        db: app.db.clone(),
        registry: Arc::new(app::resources::registry().expect("registry")),
    }
}

fn ids_fields(transition: &str, ids: &[&str]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("input[resource]".to_owned(), "orders".to_owned()),
        ("input[transition]".to_owned(), transition.to_owned()),
    ];
    for (index, id) in ids.iter().enumerate() {
        fields.push((format!("input[ids][{index}]"), (*id).to_owned()));
    }
    fields
}

async fn post(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    call(app, client, endpoint, &pairs).await
}

async fn audit_count(app: &TestApp, id: i64) -> i64 {
    app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_log WHERE resource = 'orders' AND object_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(pool)
        .await
    })
    .expect("audit count")
}

async fn count_in(app: &TestApp, state: &str) -> i64 {
    app::with_pool!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders WHERE state = $1")
            .bind(state)
            .fetch_one(pool)
            .await
    })
    .expect("count")
}

async fn the_preview_counts_what_will_move_and_groups_the_rest_by_reason(app: TestApp) {
    app::orders::seed_orders(&app.db, 10).await.expect("seed");
    for id in [2, 4, 6] {
        set_state(&app, id, "paid").await;
    }
    let clerk = logged_in(&app, "clerk").await;
    let ids = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "99"];
    let response = post(&app, &clerk, "bulk_preview", &ids_fields("pay", &ids)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let preview: Value = response.json().await.expect("json");
    assert_eq!(preview["label"], "Mark as paid");
    assert_eq!(preview["total"], 11);
    assert_eq!(preview["will_move"], 7);
    assert_eq!(
        preview["groups"][0]["reason"],
        "Mark as paid is not possible: the order is Paid."
    );
    assert_eq!(preview["groups"][0]["count"], 3);
    assert_eq!(
        preview["groups"][0]["examples"],
        serde_json::json!(["2", "4", "6"])
    );
    assert_eq!(preview["groups"][1]["reason"], "No such order.");
    assert_eq!(count_in(&app, "paid").await, 3, "a preview writes nothing");

    // "Select all matching" follows the list's filter.
    let mut matching = ids_fields("pay", &[]);
    matching.push(("input[all_matching]".to_owned(), "true".to_owned()));
    matching.push(("input[query][states][state]".to_owned(), "new".to_owned()));
    let preview: Value = post(&app, &clerk, "bulk_preview", &matching)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(preview["total"], 7);
    assert_eq!(preview["will_move"], 7);

    // The list offers the clerk's transitions as bulk actions, the viewer none.
    let list: Value = call(&app, &clerk, "list", &[("input[resource]", "orders")])
        .await
        .json()
        .await
        .expect("json");
    let labels: Vec<&str> = list["bulk_actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["label"].as_str().expect("label"))
        .collect();
    assert_eq!(labels, ["Mark as paid", "Ship", "Deliver", "Cancel order"]);
    let viewer = logged_in(&app, "viewer").await;
    let list: Value = call(&app, &viewer, "list", &[("input[resource]", "orders")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["bulk_actions"], serde_json::json!([]));
}

async fn apply(app: &TestApp, client: &Client, fields: &[(String, String)]) -> i64 {
    let response = post(app, client, "bulk_apply", fields).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
    response.json().await.expect("job id")
}

async fn job(app: &TestApp, client: &Client, id: i64) -> Value {
    call(app, client, "job", &[("input[id]", &id.to_string())])
        .await
        .json()
        .await
        .expect("json")
}

async fn best_effort_moves_what_it_can_and_reports_the_rest(app: TestApp) {
    app::orders::seed_orders(&app.db, 10).await.expect("seed");
    for id in [2, 4] {
        set_state(&app, id, "paid").await;
    }
    let clerk = logged_in(&app, "clerk").await;
    let id = apply(
        &app,
        &clerk,
        &ids_fields("pay", &["1", "2", "3", "4", "5", "42"]),
    )
    .await;
    let report = job(&app, &clerk, id).await;
    assert_eq!(report["status"], "done");
    assert_eq!(
        (
            report["applied"].as_i64(),
            report["skipped"].as_i64(),
            report["failed"].as_i64()
        ),
        (Some(3), Some(3), Some(0))
    );
    let problems: Vec<(&str, &str)> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id"),
                p["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("2", "Mark as paid is not possible: the order is Paid."),
            ("4", "Mark as paid is not possible: the order is Paid."),
            ("42", "No such order."),
        ]
    );
    for order in [1, 3, 5] {
        assert_eq!(order_row(&app, order).await.0, "paid");
        assert_eq!(audit_count(&app, order).await, 1);
    }
    let history = object_history(&app.db, "orders", "1", 10, None)
        .await
        .expect("history");
    assert_eq!(
        history[0].description.as_deref(),
        Some(format!("Bulk job {id}").as_str())
    );
    let csv = clerk
        .get(app.url(&format!("/jobs/{id}/outcomes.csv")))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.expect("text");
    assert!(
        csv.starts_with("position,object_id,outcome,reason\n1,1,applied,\n2,2,skipped,"),
        "{csv}"
    );
    assert!(csv.contains("6,42,skipped,No such order."), "{csv}");
}

async fn all_or_nothing_moves_nothing_when_one_row_cannot(app: TestApp) {
    app::orders::seed_orders(&app.db, 5).await.expect("seed");
    set_state(&app, 3, "paid").await;
    let clerk = logged_in(&app, "clerk").await;
    let mut fields = ids_fields("pay", &["1", "2", "3", "4"]);
    fields.push(("input[all_or_nothing]".to_owned(), "true".to_owned()));
    let id = apply(&app, &clerk, &fields).await;
    let report = job(&app, &clerk, id).await;
    assert_eq!(report["status"], "done");
    assert_eq!(report["applied"], 0);
    assert_eq!(report["skipped"], 1);
    assert_eq!(report["failed"], 3, "the others were held back");
    assert_eq!(count_in(&app, "paid").await, 1);
    assert_eq!(audit_count(&app, 1).await, 0);

    let mut fields = ids_fields("pay", &["1", "2", "4"]);
    fields.push(("input[all_or_nothing]".to_owned(), "true".to_owned()));
    let id = apply(&app, &clerk, &fields).await;
    assert_eq!(job(&app, &clerk, id).await["applied"], 3);
    assert_eq!(count_in(&app, "paid").await, 4);

    // `cancel` is declared all or nothing by default: the preview checks that mode, and a
    // request that does not say runs in it; saying `false` chooses best effort.
    let (_, html) = page(&app, &clerk, "/orders/bulk?transition=cancel&id=1&id=5").await;
    let checked = html
        .split("<input")
        .find(|input| input.contains("checked"))
        .expect("a checked mode");
    assert!(checked.contains(r#"value="true""#), "{checked}");
    set_state(&app, 2, "delivered").await;
    let id = apply(&app, &clerk, &ids_fields("cancel", &["1", "2", "5"])).await;
    let report = job(&app, &clerk, id).await;
    assert_eq!(report["mode"], "All or nothing");
    assert_eq!(report["applied"], 0, "{report}");
    assert_eq!(count_in(&app, "cancelled").await, 0);
    let mut fields = ids_fields("cancel", &["1", "2", "5"]);
    fields.push(("input[all_or_nothing]".to_owned(), "false".to_owned()));
    let id = apply(&app, &clerk, &fields).await;
    let report = job(&app, &clerk, id).await;
    assert_eq!(report["mode"], "Best effort");
    assert_eq!(
        (report["applied"].as_i64(), report["skipped"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(count_in(&app, "cancelled").await, 2);
}

async fn a_form_is_asked_once_and_reaches_every_row(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    for id in 1..=3 {
        set_state(&app, id, "paid").await;
    }
    let clerk = logged_in(&app, "clerk").await;
    let preview: Value = post(
        &app,
        &clerk,
        "bulk_preview",
        &ids_fields("ship", &["1", "2", "3"]),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(preview["form"]["fields"][0]["name"], "tracking_number");

    let mut fields = ids_fields("ship", &["1", "2", "3"]);
    fields.push(("input[fields][tracking_number]".to_owned(), "AB".to_owned()));
    let response = post(&app, &clerk, "bulk_apply", &fields).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the form is cleaned before any job"
    );
    // Without JavaScript the refusal goes back to the preview, with the errors and what was
    // typed, once.
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = post_as_browser(&app, &clerk, "bulk_apply", &pairs).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let preview_path = "/orders/bulk?transition=ship&id=1&id=2&id=3";
    assert_eq!(location(&response), preview_path);
    let (_, html) = page(&app, &clerk, preview_path).await;
    assert!(html.contains(r#"role="alert""#), "the refusal is shown");
    assert!(html.contains(r#"value="AB""#), "what was typed is kept");
    assert!(html.contains("at least"), "the field's error is shown");
    let (_, again) = page(&app, &clerk, preview_path).await;
    assert!(!again.contains(r#"value="AB""#), "only once");
    let count = app::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bulk_jobs").fetch_one(pool).await).expect("jobs");
    assert_eq!(count, 0);

    let mut fields = ids_fields("ship", &["1", "2", "3"]);
    fields.push((
        "input[fields][tracking_number]".to_owned(),
        "BATCH-7".to_owned(),
    ));
    fields.push(("input[fields][carrier]".to_owned(), "dhl".to_owned()));
    fields.push((
        "input[fields][note]".to_owned(),
        "Morning pickup".to_owned(),
    ));
    let id = apply(&app, &clerk, &fields).await;
    assert_eq!(job(&app, &clerk, id).await["applied"], 3);
    let rows = app::with_pool!(&app.db, pool => {
        sqlx::query_as::<_, (String, String, String, Option<String>, Option<i64>)>(
            "SELECT CAST(o.id AS TEXT), o.tracking_number, CAST(a.arguments AS TEXT), a.description, \
             a.job_id FROM orders o \
             JOIN audit_log a ON a.object_id = CAST(o.id AS TEXT) AND a.transition = 'ship' ORDER BY o.id",
        )
        .fetch_all(pool)
        .await
    })
    .expect("rows");
    assert_eq!(rows.len(), 3);
    for (order, tracking, arguments, description, job_id) in rows {
        assert_eq!(tracking, "BATCH-7");
        // The job holds the form once; its audit rows only name it.
        assert_eq!(
            (arguments.as_str(), description, job_id),
            ("null", None, Some(id))
        );
        let shown = object_history(&app.db, "orders", &order, 1, None)
            .await
            .expect("history");
        let arguments: Value = serde_json::from_str(&shown[0].arguments).expect("json");
        assert_eq!(arguments["carrier"], "dhl");
        assert_eq!(
            shown[0].description,
            Some(format!("Bulk job {id}: Morning pickup"))
        );
    }
}

pub(crate) async fn stored_job(app: &TestApp, ids: &[String], actor: (i64, &str)) -> i64 {
    let job = jobs::NewJob {
        resource: "orders".to_owned(),
        transition: "pay".to_owned(),
        label: "Mark as paid".to_owned(),
        mode: "best_effort",
        arguments: Value::Null,
        description: None,
        actor_id: actor.0,
        actor_username: actor.1.to_owned(),
        channel: "console",
    };
    let snapshot = jobs::Snapshot::Keys(ids.to_vec());
    match jobs::create_job(&app.db, &job, &snapshot, i64::MAX)
        .await
        .expect("job")
    {
        jobs::Created::Job(id) => id,
        other => panic!("no job stored: {other:?}"),
    }
}

pub(crate) async fn clerk_id(app: &TestApp) -> i64 {
    app::auth::users::find_active_by_username(&app.db, "clerk")
        .await
        .expect("lookup")
        .expect("clerk")
        .id
}

async fn a_cancelled_job_stops_and_keeps_what_it_did(app: TestApp) {
    app::orders::seed_orders(&app.db, 12_000)
        .await
        .expect("seed");
    let clerk_id = clerk_id(&app).await;
    let ids: Vec<String> = (1..=12_000).map(|id| id.to_string()).collect();

    // Cancelled before it starts: nothing moves.
    let first = stored_job(&app, &ids[..100], (clerk_id, "clerk")).await;
    assert!(jobs::request_cancel(&app.db, first).await.expect("cancel"));
    job_runner::run_job(state_of(&app), first).await;
    let record = jobs::job(&app.db, first).await.expect("read").expect("job");
    assert_eq!((record.status.as_str(), record.applied), ("cancelled", 0));
    assert_eq!(count_in(&app, "paid").await, 0);

    // A preview of all 12,000 reads them in chunks (10,000, then the rest) and counts each
    // row once; one paid order in the second chunk is grouped.
    let clerk = logged_in(&app, "clerk").await;
    set_state(&app, 11_500, "paid").await;
    let mut everything = ids_fields("pay", &[]);
    everything.push(("input[all_matching]".to_owned(), "true".to_owned()));
    let preview: Value = post(&app, &clerk, "bulk_preview", &everything)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (preview["total"].as_i64(), preview["will_move"].as_i64()),
        (Some(12_000), Some(11_999)),
        "{preview}"
    );
    assert_eq!(
        preview["groups"][0]["examples"],
        serde_json::json!(["11500"])
    );
    set_state(&app, 11_500, "new").await;

    // Cancelled while it runs, through the console: what it did stays done and logged.
    let mut fields = ids_fields("pay", &[]);
    fields.push(("input[all_matching]".to_owned(), "true".to_owned()));
    let second = apply(&app, &clerk, &fields).await;
    let cancelled = call(
        &app,
        &clerk,
        "job_cancel",
        &[("input[id]", &second.to_string())],
    )
    .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let viewer = logged_in(&app, "viewer").await;
    let refused = call(
        &app,
        &viewer,
        "job_cancel",
        &[("input[id]", &second.to_string())],
    )
    .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "only its author or a superuser"
    );
    let record = loop {
        let record = jobs::job(&app.db, second)
            .await
            .expect("read")
            .expect("job");
        if !matches!(record.status.as_str(), "queued" | "running") {
            break record;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(
        matches!(record.status.as_str(), "cancelled" | "done"),
        "{record:?}"
    );
    let paid = count_in(&app, "paid").await;
    assert_eq!(paid, record.applied, "every applied row is counted");
    let audits = app::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await).expect("audits");
    assert_eq!(audits, paid, "one audit row per applied row");
}

async fn a_job_resumed_after_a_crash_applies_each_row_exactly_once(app: TestApp) {
    app::orders::seed_orders(&app.db, 10).await.expect("seed");
    let clerk_id = clerk_id(&app).await;
    let ids: Vec<String> = (1..=10).map(|id| id.to_string()).collect();
    let id = stored_job(&app, &ids, (clerk_id, "clerk")).await;
    // The crashed worker had applied rows 1..=4, and recorded only 1 and 2.
    let store = OrdersStore::new(app.db.clone(), orders_table().expect("table"));
    let machine = orders_machine().expect("machine");
    let clerk = Actor::new(clerk_id, "clerk").with_permissions(["orders.view", "orders.pay"]);
    for order in 1..=4_i64 {
        let request = FireRequest::new(order, "pay", clerk.clone())
            .from_console()
            .in_job(id);
        machine.fire(&store, request).await.expect("pay");
    }
    assert!(jobs::claim(&app.db, id, "crashed-run")
        .await
        .expect("claim")
        .is_some());
    let recorded = jobs::record_batch(
        &store,
        jobs::BatchRecord::new(
            (id, "crashed-run"),
            -1,
            &[(0, ids[0].clone()), (1, ids[1].clone())],
            vec![],
        ),
    )
    .await
    .expect("record");
    assert!(matches!(
        recorded,
        jobs::Recorded::Kept {
            finished: false,
            ..
        }
    ));
    age_heartbeat(&app).await;

    // The server starts again: unfinished jobs resume.
    let record = resume_and_finish(&app, id).await;
    assert_eq!(record.status, "done");
    assert_eq!((record.applied, record.skipped, record.failed), (10, 0, 0));
    for order in 1..=10 {
        assert_eq!(order_row(&app, order).await.0, "paid");
        assert_eq!(
            audit_count(&app, order).await,
            1,
            "order {order} applied once"
        );
    }
}

async fn two_jobs_on_the_same_rows_never_apply_one_twice(app: TestApp) {
    app::orders::seed_orders(&app.db, 300).await.expect("seed");
    let clerk_id = clerk_id(&app).await;
    let ids: Vec<String> = (1..=300).map(|id| id.to_string()).collect();
    let first = stored_job(&app, &ids, (clerk_id, "clerk")).await;
    let mut reversed = ids.clone();
    reversed.reverse();
    let second = stored_job(&app, &reversed, (clerk_id, "clerk")).await;
    tokio::join!(
        job_runner::run_job(state_of(&app), first),
        job_runner::run_job(state_of(&app), second)
    );
    let a = jobs::job(&app.db, first).await.expect("read").expect("job");
    let b = jobs::job(&app.db, second)
        .await
        .expect("read")
        .expect("job");
    assert_eq!(a.applied + b.applied, 300, "{a:?} {b:?}");
    assert_eq!(a.skipped + b.skipped, 300);
    assert_eq!(count_in(&app, "paid").await, 300);
    let audits = app::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await).expect("audits");
    assert_eq!(audits, 300);
}

async fn bulk_refusals_change_nothing(app: TestApp) {
    app::orders::seed_orders(&app.db, 3).await.expect("seed");
    let viewer = logged_in(&app, "viewer").await;
    let clerk = logged_in(&app, "clerk").await;
    let admin = logged_in(&app, "admin").await;
    let cases = [
        (&viewer, "pay", StatusCode::FORBIDDEN),
        (&clerk, "reopen", StatusCode::FORBIDDEN),
        (&admin, "hold", StatusCode::FORBIDDEN),
        (&clerk, "teleport", StatusCode::NOT_FOUND),
    ];
    for (client, transition, status) in cases {
        let response = post(
            &app,
            client,
            "bulk_apply",
            &ids_fields(transition, &["1", "2"]),
        )
        .await;
        assert_eq!(response.status(), status, "{transition}");
        let response = post(
            &app,
            client,
            "bulk_preview",
            &ids_fields(transition, &["1", "2"]),
        )
        .await;
        assert_eq!(response.status(), status, "{transition} preview");
    }
    let response = post(&app, &clerk, "bulk_apply", &ids_fields("pay", &[])).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "an empty selection"
    );
    let response = call(&app, &clerk, "job", &[("input[id]", "999")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let count = app::with_pool!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bulk_jobs").fetch_one(pool).await).expect("jobs");
    assert_eq!(count, 0);
    assert_eq!(count_in(&app, "new").await, 3);
}

async fn a_deployer_action_runs_as_a_job_with_its_outcomes(app: TestApp) {
    app::orders::seed_orders(&app.db, 4).await.expect("seed");
    let admin = logged_in(&app, "admin").await;
    // Order 2 is paid: paying recorded its payment, so the action skips it.
    let mut pay = ids_fields("pay", &["2"]);
    pay.push(("input[all_or_nothing]".to_owned(), "false".to_owned()));
    apply(&app, &admin, &pay).await;

    let list: Value = call(&app, &admin, "list", &[("input[resource]", "orders")])
        .await
        .json()
        .await
        .expect("json");
    let last = &list["bulk_actions"]
        .as_array()
        .expect("actions")
        .last()
        .cloned();
    assert_eq!(
        last.as_ref()
            .map(|a| (a["name"].clone(), a["label"].clone())),
        Some(("record_payment".into(), "Record payment".into())),
        "after the transitions"
    );
    let fields = ids_fields("record_payment", &["1", "2", "3", "99"]);
    let preview: Value = post(&app, &admin, "bulk_preview", &fields)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (preview["total"].as_i64(), preview["will_move"].as_i64()),
        (Some(4), Some(3))
    );
    assert_eq!(preview["groups"][0]["reason"], "No such order.");
    assert_eq!(preview["choose_mode"], false, "it runs row by row");

    let mut all_or_nothing = fields.clone();
    all_or_nothing.push(("input[all_or_nothing]".to_owned(), "true".to_owned()));
    let refused = post(&app, &admin, "bulk_apply", &all_or_nothing).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let id = apply(&app, &admin, &fields).await;
    let report = job(&app, &admin, id).await;
    assert_eq!(report["status"], "done", "{report}");
    assert_eq!(
        (report["applied"].as_i64(), report["skipped"].as_i64()),
        (Some(2), Some(2)),
        "{report}"
    );
    let recorded = |id: i64| {
        let db = app.db.clone();
        async move {
            app::with_pool!(&db, pool => sqlx::query_scalar::<_, bool>(
                "SELECT payment_recorded FROM orders WHERE id = $1").bind(id).fetch_one(pool).await)
            .expect("row")
        }
    };
    assert!(recorded(1).await && recorded(3).await && !recorded(4).await);
    assert_eq!(order_row(&app, 1).await.0, "new", "the state is left alone");
    assert_eq!(audit_count(&app, 1).await, 1, "one audited edit");
    let csv = admin
        .get(app.url(&format!("/jobs/{id}/outcomes.csv")))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert!(
        csv.contains("2,2,skipped,Its payment is already recorded."),
        "{csv}"
    );

    // The clerk lacks `orders.change`: not offered, and refused when posted.
    let clerk = logged_in(&app, "clerk").await;
    let refused = post(&app, &clerk, "bulk_apply", &fields).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn a_job_held_by_a_live_run_is_left_to_it_until_its_lease_runs_out(app: TestApp) {
    app::orders::seed_orders(&app.db, 5).await.expect("seed");
    let clerk_id = clerk_id(&app).await;
    let ids: Vec<String> = (1..=5).map(|id| id.to_string()).collect();
    let id = stored_job(&app, &ids, (clerk_id, "clerk")).await;
    // Another server's run holds the job and keeps its heartbeat fresh.
    assert!(jobs::claim(&app.db, id, "other-server")
        .await
        .expect("claim")
        .is_some());
    job_runner::run_job(state_of(&app), id).await;
    let record = jobs::job(&app.db, id).await.expect("read").expect("job");
    assert_eq!((record.status.as_str(), record.applied), ("running", 0));
    assert_eq!(
        count_in(&app, "paid").await,
        0,
        "left to the run that holds it"
    );
    assert!(
        jobs::claim(&app.db, id, "other-server")
            .await
            .expect("renew")
            .is_some(),
        "its holder renews the claim"
    );

    // That server died: once the heartbeat is older than the lease, a run takes it over.
    age_heartbeat(&app).await;
    job_runner::run_job(state_of(&app), id).await;
    let record = jobs::job(&app.db, id).await.expect("read").expect("job");
    assert_eq!((record.status.as_str(), record.applied), ("done", 5));
    assert!(
        jobs::claim(&app.db, id, "other-server")
            .await
            .expect("claim")
            .is_none(),
        "a finished job is nobody's"
    );
}

async fn a_finished_jobs_running_time_and_rate_stop_at_its_end(app: TestApp) {
    app::orders::seed_orders(&app.db, 100).await.expect("seed");
    let clerk_id = clerk_id(&app).await;
    let ids: Vec<String> = (1..=100).map(|id| id.to_string()).collect();
    let id = stored_job(&app, &ids, (clerk_id, "clerk")).await;
    job_runner::run_job(state_of(&app), id).await;
    // It ran for ten seconds, long ago: its time and rate are those ten seconds, not the
    // time since it started.
    app::with_pool!(&app.db, pool => {
        sqlx::query(
            "UPDATE bulk_jobs SET started_at = '2026-01-01T00:00:00.000Z', \
             finished_at = '2026-01-01T00:00:10.000Z' WHERE id = $1",
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })
    .expect("backdate");
    let record = jobs::job(&app.db, id).await.expect("read").expect("job");
    assert_eq!((record.status.as_str(), record.applied), ("done", 100));
    assert!(
        (record.elapsed_seconds - 10.0).abs() < 0.01,
        "{}",
        record.elapsed_seconds
    );
    let view = app::admin::bulk::jobs::job_view(&app.db, record)
        .await
        .expect("view");
    assert!((view.rate - 10.0).abs() < 0.01, "{}", view.rate);
    assert_eq!(view.seconds_left, None);
}

/// Resumes the unfinished job `id` as a restarted server would, and waits for it to stop.
pub(crate) async fn resume_and_finish(app: &TestApp, id: i64) -> jobs::JobRecord {
    assert_eq!(
        job_runner::resume_unfinished(&state_of(app))
            .await
            .expect("resume"),
        1
    );
    loop {
        let record = jobs::job(&app.db, id).await.expect("read").expect("job");
        if !matches!(record.status.as_str(), "queued" | "running") {
            return record;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Makes every job's heartbeat an hour old, as if the server running it had died.
pub(crate) async fn age_heartbeat(app: &TestApp) {
    let stale = match app.db.backend() {
        app::db::Backend::Sqlite => {
            "UPDATE bulk_jobs SET heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')"
        }
        app::db::Backend::Postgres => {
            "UPDATE bulk_jobs SET heartbeat_at = now() - interval '1 hour'"
        }
    };
    app::with_pool!(&app.db, pool => sqlx::query(stale).execute(pool).await.map(|_| ()))
        .expect("age");
}
