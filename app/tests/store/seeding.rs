//! The SCENARIO seed: row i gets id i+1 and the formula's customer and amount; new orders
//! inserted afterwards get fresh ids.

use app::db::Backend;
use app::orders::Order;
use app::with_pool;

use crate::support::{count_in_state, fixture, order};

crate::on_both_backends!(seeding_follows_the_scenario_formula_and_leaves_room_for_new_rows);

async fn seeding_follows_the_scenario_formula_and_leaves_room_for_new_rows(backend: Backend) {
    let Some(f) = fixture(backend, 9_000).await else {
        return;
    };
    assert_eq!(count_in_state(&f.db, "new").await, 9_000);
    let customers: Vec<(i64, String, i64)> = with_pool!(&f.db, pool => {
        sqlx::query_as("SELECT id, customer, amount_cents FROM orders WHERE id IN (1, 2, 101, 9000) ORDER BY id")
            .fetch_all(pool)
            .await
            .expect("seeded rows")
    });
    assert_eq!(
        customers,
        [
            (1, "Customer 0000000".to_owned(), 100),
            (2, "Customer 0000001".to_owned(), 3_801),
            (101, "Customer 0000100".to_owned(), 70_100),
            (
                9_000,
                "Customer 0008999".to_owned(),
                Order::seeded(8_999).amount_cents
            ),
        ]
    );
    let seeded = order(&f.db, 9_000).await;
    assert_eq!((seeded.version, seeded.payment_recorded), (1, false));
    let next: i64 = with_pool!(&f.db, pool => {
        sqlx::query_scalar("INSERT INTO orders (customer, amount_cents) VALUES ('Walk-in', 500) RETURNING id")
            .fetch_one(pool)
            .await
            .expect("a new order after the seed")
    });
    assert_eq!(next, 9_001);
}
