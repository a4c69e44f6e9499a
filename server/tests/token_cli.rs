//! `switchyard token create` and `token revoke` as an operator runs them, on a fresh
//! embedded database.

use std::process::{Command, Output};

fn switchyard(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("SWITCHYARD_PASSWORD", "a long enough password")
        .output()
        .expect("the binary runs")
}

#[test]
fn a_token_is_created_once_for_an_active_user_and_revoked_once() {
    let data = tempfile::tempdir().expect("temp dir");
    assert!(switchyard(data.path(), &["createuser", "bob"])
        .status
        .success());
    let created = switchyard(
        data.path(),
        &[
            "token",
            "create",
            "bob",
            "--name",
            "deploys",
            "--expires-in",
            "7",
        ],
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let secret = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(secret.starts_with("sy_") && secret.len() == 67, "{secret}");
    let said = String::from_utf8_lossy(&created.stderr);
    assert!(
        said.contains("Created token 1 for \"bob\" (expires in 7 days)"),
        "{said}"
    );

    let ghost = switchyard(data.path(), &["token", "create", "ghost", "--name", "x"]);
    assert!(!ghost.status.success());
    assert!(String::from_utf8_lossy(&ghost.stderr).contains("no active user named \"ghost\""));
    let too_long = switchyard(
        data.path(),
        &[
            "token",
            "create",
            "bob",
            "--name",
            "x",
            "--expires-in",
            "9999",
        ],
    );
    assert!(!too_long.status.success());

    let revoked = switchyard(data.path(), &["token", "revoke", "1"]);
    assert!(revoked.status.success());
    assert_eq!(
        String::from_utf8_lossy(&revoked.stdout).trim(),
        "Revoked token 1."
    );
    let again = switchyard(data.path(), &["token", "revoke", "1"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no live token 1"));

    assert_eq!(
        events_of(data.path(), "bob"),
        [
            ("revoked".to_owned(), "command line".to_owned()),
            ("created".to_owned(), "command line".to_owned()),
        ],
        "one event each, naming the command line; the refused revoke records nothing"
    );
}

/// `(action, actor)` of each event of the user's tokens, newest first, read from the
/// embedded database the commands wrote.
fn events_of(data: &std::path::Path, username: &str) -> Vec<(String, String)> {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let file = data.join(server::config::SQLITE_FILE);
        let db = app::db::Db::open_sqlite_file(&file)
            .await
            .expect("the database");
        let user = app::auth::users::find_id_by_username(&db, username)
            .await
            .expect("lookup")
            .expect("the user");
        let events = app::auth::tokens::events(&db, user).await.expect("events");
        db.close().await;
        events
            .into_iter()
            .map(|event| (event.action.as_str().to_owned(), event.actor_username))
            .collect()
    })
}
