//! A job resumed in the middle of a batch: a run died after applying part of a batch without
//! recording it. The next run records those rows as applied instead of firing them again,
//! fires the rest once, and the job's counters equal the outcomes it lists row by row.

use app::{
    db::jobs::{self, BatchRecord, Recorded},
    orders::{orders_machine, orders_table, OrdersStore},
};
use switchyard_engine::{Actor, BulkMode, BulkRequest, ObjectId};

use crate::{
    bulk::{age_heartbeat, clerk_id, resume_and_finish, stored_job},
    helpers::set_state,
    on_both_backends,
    support::TestApp,
};

on_both_backends!(counters_equal_outcomes_after_a_resume_in_the_middle_of_a_batch);

const ORDERS: i64 = 12_500;

async fn counters_equal_outcomes_after_a_resume_in_the_middle_of_a_batch(app: TestApp) {
    app::orders::seed_orders(&app.db, ORDERS)
        .await
        .expect("seed");
    for paid in [7, 11_000] {
        set_state(&app, paid, "paid").await;
    }
    let clerk_id = clerk_id(&app).await;
    // Every order, then one that does not exist.
    let mut ids: Vec<String> = (1..=ORDERS).map(|id| id.to_string()).collect();
    ids.push("99999999".to_owned());
    let id = stored_job(&app, &ids, (clerk_id, "clerk")).await;

    // The run that died had recorded positions 0..=1,999 (order 7 skipped), then applied
    // orders 2,001..=5,000, the rest of its batch, without recording them.
    let claimed = jobs::claim(&app.db, id, "crashed-run")
        .await
        .expect("claim")
        .expect("claimed");
    assert_eq!((claimed.done_through, claimed.resumed), (-1, false));
    let store = OrdersStore::new(app.db.clone(), orders_table().expect("table"));
    let machine = orders_machine().expect("machine");
    let clerk = Actor::new(clerk_id, "clerk").with_permissions(["orders.view", "orders.pay"]);
    let keys = (1..=5_000).map(ObjectId::Int).collect();
    let request = BulkRequest::new(keys, "pay", clerk, BulkMode::BestEffort)
        .from_console()
        .in_job(id);
    let report = machine.fire_bulk(&store, request).await.expect("pay");
    assert_eq!(report.applied(), 4_999, "order 7 was paid already");
    let recorded: Vec<(i64, String)> = (0..2_000).map(|p| (p, ids[p as usize].clone())).collect();
    let skipped = vec![(6, "skipped", Some("Already paid.".to_owned()))];
    let first = BatchRecord::new((id, "crashed-run"), -1, &recorded, skipped);
    assert_eq!(
        jobs::record_batch(&store, first).await.expect("record"),
        Recorded::Kept {
            cancel_requested: false,
            finished: false
        }
    );
    age_heartbeat(&app).await;

    // The server starts again and resumes the job, from position 2,000.
    let record = resume_and_finish(&app, id).await;
    assert_eq!(record.status, "done", "{record:?}");
    let total = ORDERS + 1;
    assert_eq!(
        (record.applied, record.skipped, record.failed, record.total),
        (ORDERS - 2, 3, 0, total),
        "orders 7 and 11,000 were paid already, and 99999999 does not exist"
    );

    // The counters are the outcomes the job lists, row by row.
    let items = jobs::items_after(&app.db, id, -1, total + 1)
        .await
        .expect("items");
    assert_eq!(items.len() as i64, total);
    let count = |kind: &str| {
        items
            .iter()
            .filter(|item| item.outcome.as_deref() == Some(kind))
            .count() as i64
    };
    assert_eq!(
        (count("applied"), count("skipped"), count("failed")),
        (record.applied, record.skipped, record.failed)
    );
    let skipped: Vec<&str> = items
        .iter()
        .filter(|item| item.outcome.as_deref() == Some("skipped"))
        .map(|item| item.object_id.as_str())
        .collect();
    assert_eq!(skipped, ["7", "11000", "99999999"]);

    // Every order is paid, each through exactly one audit row of this job.
    let (paid, audits, audited): (i64, i64, i64) = app::with_pool!(&app.db, pool => {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM orders WHERE state = 'paid'), COUNT(*), \
             COUNT(DISTINCT object_id) FROM audit_log WHERE job_id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
    })
    .expect("counts");
    assert_eq!((paid, audits, audited), (ORDERS, ORDERS - 2, ORDERS - 2));
}
