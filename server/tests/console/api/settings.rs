//! Transition settings through the API: read and written by users who may configure the
//! resource, with the revision each was read at.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{assert_problem, get, get_json, send, token_for};
use crate::{on_both_backends, support::TestApp};

on_both_backends!(settings_are_read_and_written_by_configurers_only);

fn row<'v>(settings: &'v Value, name: &str) -> &'v Value {
    settings["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .find(|row| row["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {settings}"))
}

async fn settings_are_read_and_written_by_configurers_only(app: TestApp) {
    const PATH: &str = "/api/v1/resources/orders/settings";
    let (_, admin) = token_for(&app, "admin").await;
    let settings = get_json(&app, PATH, &admin).await;
    assert_eq!(row(&settings, "hold")["shown"], false);
    assert_eq!(row(&settings, "pay")["shown"], true);
    assert_eq!(row(&settings, "pay")["revision"], 0);

    let hide = json!({ "changes": [{ "transition": "pay", "visibility": "hidden", "label": "Paid", "revision": 0 }] });
    let saved = send(&app, Method::PUT, PATH, &admin, &hide).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.expect("json");
    assert_eq!(row(&saved, "pay")["shown"], false);
    assert_eq!(row(&saved, "pay")["visibility"], "hidden");
    assert_eq!(row(&saved, "pay")["label_override"], "Paid");
    assert_eq!(saved["changes"][0]["transition"], "pay");
    assert_eq!(saved["changes"][0]["actor"], "admin");

    // The same change at the old revision: someone changed it meanwhile.
    let stale = send(&app, Method::PUT, PATH, &admin, &hide).await;
    assert_problem(stale, StatusCode::CONFLICT, "stale-version").await;
    let sideways =
        json!({ "changes": [{ "transition": "pay", "visibility": "sideways", "revision": 1 }] });
    let refused = send(&app, Method::PUT, PATH, &admin, &sideways).await;
    assert_problem(refused, StatusCode::BAD_REQUEST, "invalid").await;

    let (_, clerk) = token_for(&app, "clerk").await;
    assert_problem(
        get(&app, PATH, Some(&clerk)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let show = json!({ "changes": [{ "transition": "pay", "reset": true, "revision": 1 }] });
    let refused = send(&app, Method::PUT, PATH, &clerk, &show).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        row(&get_json(&app, PATH, &admin).await, "pay")["visibility"],
        "hidden"
    );
}
