//! The store is generic: a deployer table with UUID keys, integer state codes, a nullable
//! column, a real and a JSON column, declared in a few lines, fires like orders do.

use app::db::{Backend, ColumnKind, IdKind, SqlStore, StateKind, TableDecl};
use app::with_pool;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use switchyard_engine::{
    Actor, BulkMode, BulkRequest, FireRequest, Machine, ObjectId, StateDecl, StateStorage,
    TransitionDecl,
};

use crate::support::fixture;

crate::on_both_backends!(a_uuid_keyed_table_with_integer_states_and_json_fires_and_round_trips);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Ticket {
    title: String,
    assignee: Option<String>,
    weight: f64,
    labels: Value,
}

const SQLITE_TABLE: &str = "CREATE TABLE tickets (key TEXT PRIMARY KEY, title TEXT NOT NULL, \
    assignee TEXT, weight REAL NOT NULL, labels TEXT NOT NULL, status INTEGER NOT NULL, \
    revision INTEGER NOT NULL)";
const POSTGRES_TABLE: &str = "CREATE TABLE tickets (key UUID PRIMARY KEY, title TEXT NOT NULL, \
    assignee VARCHAR(40), weight DOUBLE PRECISION NOT NULL, labels JSONB NOT NULL, \
    status INTEGER NOT NULL, revision INTEGER NOT NULL)";

async fn a_uuid_keyed_table_with_integer_states_and_json_fires_and_round_trips(backend: Backend) {
    let Some(f) = fixture(backend, 0).await else {
        return;
    };
    let create = match backend {
        Backend::Sqlite => SQLITE_TABLE,
        Backend::Postgres => POSTGRES_TABLE,
    };
    let keys = [
        "6f1c1f6e-8a55-4d43-9a43-1b7b8e0c0a01",
        "6f1c1f6e-8a55-4d43-9a43-1b7b8e0c0a02",
    ];
    with_pool!(&f.db, pool => {
        sqlx::query(create).execute(pool).await.expect("create tickets");
        for key in keys {
            let insert = match backend {
                Backend::Sqlite => "INSERT INTO tickets VALUES ($1, 'Broken', NULL, 1.5, '[\"bug\"]', 10, 1)",
                Backend::Postgres => "INSERT INTO tickets VALUES ($1::uuid, 'Broken', NULL, 1.5, '[\"bug\"]', 10, 1)",
            };
            sqlx::query(insert).bind(key).execute(pool).await.expect("insert ticket");
        }
    });
    let table = TableDecl::new("tickets")
        .id("key", IdKind::Uuid)
        .state("status", StateKind::Integer)
        .version("revision")
        .updated_at(None)
        .column("title", ColumnKind::Text)
        .column("assignee", ColumnKind::Text)
        .column("weight", ColumnKind::Real)
        .column("labels", ColumnKind::Json)
        .build()
        .expect("tickets table");
    let store = SqlStore::<Ticket>::new(f.db.clone(), table);
    let machine = Machine::<Ticket>::builder("tickets")
        .storage(StateStorage::IntegerCode)
        .state(StateDecl::new("open").code(10).initial())
        .state(StateDecl::new("assigned").code(20))
        .transition(
            TransitionDecl::new("assign")
                .from("open")
                .to("assigned")
                .handler_with_args(|ticket: &mut Ticket, _, who: String| {
                    ticket.assignee = Some(who);
                    ticket.weight *= 2.0;
                    ticket.labels = json!(["bug", {"triaged": true}]);
                    Ok(())
                }),
        )
        .build()
        .expect("tickets machine");
    let first = ObjectId::Uuid(u128::from_str_radix(&keys[0].replace('-', ""), 16).expect("hex"));
    let actor = Actor::superuser(1, "admin");
    let fired = machine
        .fire(
            &store,
            FireRequest::new(first.clone(), "assign", actor.clone()).arguments(json!("ada")),
        )
        .await
        .expect("assign");
    assert_eq!(fired.row.object().assignee.as_deref(), Some("ada"));
    let second = ObjectId::Uuid(u128::from_str_radix(&keys[1].replace('-', ""), 16).expect("hex"));
    let request = BulkRequest::new(vec![first, second], "assign", actor, BulkMode::BestEffort)
        .arguments(json!("grace"));
    let report = machine.fire_bulk(&store, request).await.expect("bulk");
    assert_eq!(
        (report.applied(), report.failed()),
        (1, 1),
        "the first is assigned already"
    );

    let read =
        "SELECT status, revision, assignee, weight, CAST(labels AS TEXT) FROM tickets ORDER BY key";
    let rows: Vec<(i64, i64, Option<String>, f64, String)> = with_pool!(&f.db, pool => {
        sqlx::query_as(match backend {
            Backend::Sqlite => read,
            Backend::Postgres => "SELECT status::int8, revision::int8, assignee::text, weight, labels::text FROM tickets ORDER BY key",
        }).fetch_all(pool).await.expect("tickets")
    });
    assert_eq!(
        (rows[0].0, rows[0].1, rows[0].2.as_deref(), rows[0].3),
        (20, 2, Some("ada"), 3.0)
    );
    let labels: Value = serde_json::from_str(&rows[0].4).expect("JSON");
    assert_eq!(labels, json!(["bug", {"triaged": true}]));
    assert_eq!(
        (rows[1].0, rows[1].1, rows[1].2.as_deref()),
        (20, 2, Some("grace"))
    );
    let audit_ids: Vec<String> = with_pool!(&f.db, pool => {
        sqlx::query_scalar("SELECT object_id FROM audit_log WHERE resource = 'tickets' ORDER BY id")
            .fetch_all(pool).await.expect("audit rows")
    });
    assert_eq!(audit_ids, keys, "hyphenated UUIDs");
}
