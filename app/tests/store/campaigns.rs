//! Two state fields on one row (campaigns: an integer `step` and a `review` keyed into
//! `review_states`), each fired through its own store over the same table and version;
//! retired values written with plain SQL; a key row deleted from its table.

use app::campaigns::{
    machine::{campaigns_table, review_machine, step_machine},
    seed::seed_campaigns,
    Campaign,
};
use app::db::{Backend, Db, SqlStore};
use app::with_pool;
use switchyard_engine::{
    FireError, FireRequest, Machine, StoreError, StoredState, Unavailable, Version,
};

use crate::support::{admin, fixture};

crate::on_both_backends!(
    each_field_fires_through_its_own_column_and_every_fire_bumps_the_one_version,
    a_retired_step_and_an_unknown_review_key_are_kept_and_left_only_from_any_state,
    a_fire_into_a_key_deleted_from_its_table_is_refused_by_the_database_not_an_error
);

struct Campaigns {
    step: Machine<Campaign>,
    review: Machine<Campaign>,
    step_store: SqlStore<Campaign>,
    review_store: SqlStore<Campaign>,
}

fn campaigns(db: &Db) -> Campaigns {
    let table = campaigns_table().expect("campaigns table");
    let step_store = SqlStore::new(db.clone(), table.for_state("step").expect("step"));
    let review_store = step_store.sharing_writer(table.for_state("review").expect("review"));
    Campaigns {
        step: step_machine().expect("step machine"),
        review: review_machine().expect("review machine"),
        step_store,
        review_store,
    }
}

async fn row(db: &Db, id: i64) -> (i64, String, i64, i64) {
    let sql = "SELECT step, review, jobs, version FROM campaigns WHERE id = $1";
    with_pool!(db, pool => {
        sqlx::query_as::<_, (i64, String, i64, i64)>(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("campaign row")
    })
}

async fn fields_audited(db: &Db, id: &str) -> Vec<(String, String)> {
    let sql = "SELECT transition, field FROM audit_log \
               WHERE resource = 'campaigns' AND object_id = $1 ORDER BY id";
    with_pool!(db, pool => {
        sqlx::query_as::<_, (String, String)>(sql)
            .bind(id)
            .fetch_all(pool)
            .await
            .expect("audit rows")
    })
}

async fn execute(db: &Db, sql: &str) {
    with_pool!(db, pool => { sqlx::query(sql).execute(pool).await.map(|_| ()) }).expect(sql);
}

async fn each_field_fires_through_its_own_column_and_every_fire_bumps_the_one_version(
    backend: Backend,
) {
    let Some(f) = fixture(backend, 0).await else {
        return;
    };
    seed_campaigns(&f.db, 3).await.expect("seed");
    let c = campaigns(&f.db);
    assert_eq!(row(&f.db, 1).await, (1, "pending".to_owned(), 0, 1));

    let produce = c
        .step
        .fire(&c.step_store, FireRequest::new(1, "produce", admin()))
        .await;
    assert!(
        matches!(
            produce,
            Err(FireError::Unavailable {
                reason: Unavailable::ConditionsUnmet { .. },
                ..
            })
        ),
        "no job yet: {produce:?}"
    );
    c.step
        .fire(&c.step_store, FireRequest::new(1, "add_job", admin()))
        .await
        .expect("add a job");
    c.step
        .fire(&c.step_store, FireRequest::new(1, "produce", admin()))
        .await
        .expect("produce");
    assert_eq!(row(&f.db, 1).await, (2, "pending".to_owned(), 1, 3));

    // A review page loaded at version 1 is stale for the review field too.
    let stale = c
        .review
        .fire(
            &c.review_store,
            FireRequest::new(1, "approve", admin()).expecting_version(Version::FIRST),
        )
        .await;
    assert!(matches!(stale, Err(FireError::Conflict(_))), "{stale:?}");

    c.review
        .fire(&c.review_store, FireRequest::new(1, "approve", admin()))
        .await
        .expect("approve");
    assert_eq!(row(&f.db, 1).await, (2, "approved".to_owned(), 1, 4));
    assert_eq!(
        fields_audited(&f.db, "1").await,
        [
            ("add_job", "step"),
            ("produce", "step"),
            ("approve", "review")
        ]
        .map(|(t, field)| (t.to_owned(), field.to_owned()))
    );
    assert_eq!(
        row(&f.db, 2).await,
        (1, "pending".to_owned(), 0, 1),
        "others untouched"
    );
}

async fn a_retired_step_and_an_unknown_review_key_are_kept_and_left_only_from_any_state(
    backend: Backend,
) {
    let Some(f) = fixture(backend, 0).await else {
        return;
    };
    seed_campaigns(&f.db, 2).await.expect("seed");
    // A step retired by a later release, and a review state the machine never declared.
    execute(&f.db, "UPDATE campaigns SET step = 9 WHERE id = 1").await;
    execute(
        &f.db,
        "INSERT INTO review_states (name, label) VALUES ('escalated', 'Escalated')",
    )
    .await;
    execute(
        &f.db,
        "UPDATE campaigns SET review = 'escalated' WHERE id = 1",
    )
    .await;
    let c = campaigns(&f.db);

    let add_job = c
        .step
        .fire(&c.step_store, FireRequest::new(1, "add_job", admin()))
        .await;
    assert!(
        matches!(
            add_job,
            Err(FireError::Unavailable {
                reason: Unavailable::WrongState { ref state },
                ..
            }) if state.as_str() == "9"
        ),
        "{add_job:?}"
    );
    c.review
        .fire(
            &c.review_store,
            FireRequest::new(1, "reset_review", admin()),
        )
        .await
        .expect("back to review (+) leaves an unknown key");
    assert_eq!(row(&f.db, 1).await, (9, "pending".to_owned(), 0, 2));
    let source: String = with_pool!(&f.db, pool => {
        sqlx::query_scalar("SELECT source FROM audit_log WHERE object_id = '1'")
            .fetch_one(pool)
            .await
            .expect("audit row")
    });
    assert_eq!(source, "escalated");
    let read = c
        .step_store
        .read(&switchyard_engine::ObjectId::Int(1))
        .await
        .expect("read")
        .expect("present");
    assert_eq!(read.0.state, StoredState::Integer(9));
    assert_eq!(read.1, vec![StoredState::Text("pending".to_owned())]);
}

async fn a_fire_into_a_key_deleted_from_its_table_is_refused_by_the_database_not_an_error(
    backend: Backend,
) {
    let Some(f) = fixture(backend, 0).await else {
        return;
    };
    seed_campaigns(&f.db, 1).await.expect("seed");
    execute(&f.db, "DELETE FROM review_states WHERE name = 'approved'").await;
    let c = campaigns(&f.db);
    let approve = c
        .review
        .fire(&c.review_store, FireRequest::new(1, "approve", admin()))
        .await;
    assert!(
        matches!(approve, Err(FireError::Store(StoreError::Refused(_)))),
        "{approve:?}"
    );
    assert_eq!(row(&f.db, 1).await, (1, "pending".to_owned(), 0, 1));
    assert!(fields_audited(&f.db, "1").await.is_empty(), "rolled back");
}
