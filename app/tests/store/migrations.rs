//! Migration 0017 takes the outcomes of a job's unmoved rows out of its snapshot: a job stored
//! before it (an `applied` outcome written by an older server, a skipped row with its reason,
//! pending rows) reads the same afterwards, row by row and in its list of problems.

use std::{borrow::Cow, path::Path};

use app::db::{
    jobs::{self, ItemRecord},
    scratch::ScratchDatabase,
    Backend, Db,
};
use app::with_pool;

crate::on_both_backends!(a_job_stored_before_0017_reads_the_same_after_it);

/// The project's migrations for `backend` up to `version`, read from their folder.
async fn migrations_up_to(backend: Backend, version: i64) -> sqlx::migrate::Migrator {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(folder);
    let mut migrator = sqlx::migrate::Migrator::new(path)
        .await
        .expect("the migrations folder");
    let kept: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|migration| migration.version <= version)
        .cloned()
        .collect();
    assert_eq!(kept.len() as i64, version, "one migration per version");
    migrator.migrations = Cow::Owned(kept);
    migrator
}

fn item(position: i64, outcome: Option<&str>, reason: Option<&str>) -> ItemRecord {
    ItemRecord {
        position,
        object_id: (position + 1).to_string(),
        outcome: outcome.map(str::to_owned),
        reason: reason.map(str::to_owned),
    }
}

async fn a_job_stored_before_0017_reads_the_same_after_it(backend: Backend) {
    let Some(database) = ScratchDatabase::create(backend).await.expect("scratch") else {
        return;
    };
    let db = Db::connect(&database.url()).await.expect("connect");
    let before = migrations_up_to(backend, 16).await;
    with_pool!(&db, pool => before.run(pool).await).expect("migrations up to 0016");
    let old_job = [
        "INSERT INTO bulk_jobs (id, resource, transition, label, mode, actor_id, \
         actor_username, total, status, done_through) \
         VALUES (7, 'orders', 'pay', 'Mark as paid', 'best_effort', 1, 'clerk', 4, 'running', 1)",
        "INSERT INTO bulk_job_items (job_id, position, object_id, outcome, reason) VALUES \
         (7, 0, '1', 'applied', NULL), (7, 1, '2', 'skipped', 'Already paid.'), \
         (7, 2, '3', NULL, NULL), (7, 3, '4', NULL, NULL)",
    ];
    for sql in old_job {
        with_pool!(&db, pool => sqlx::query(sql).execute(pool).await.map(|_| ())).expect(sql);
    }
    db.migrate().await.expect("migrations from 0017 on");

    let items = jobs::items_after(&db, 7, -1, 10).await.expect("items");
    assert_eq!(
        items,
        vec![
            item(0, Some("applied"), None),
            item(1, Some("skipped"), Some("Already paid.")),
            item(2, None, None),
            item(3, None, None),
        ]
    );
    let problems = jobs::items(&db, 7, true, 10).await.expect("problems");
    assert_eq!(
        problems,
        vec![item(1, Some("skipped"), Some("Already paid."))]
    );
}
