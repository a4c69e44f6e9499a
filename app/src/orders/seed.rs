//! Seeding orders by SCENARIO's formula in large multi-row inserts (a million rows is fine).

use std::ops::Range;

use sqlx::QueryBuilder;

use super::model::Order;
use crate::{db::Db, with_pool};

/// Rows per `INSERT`: 4 binds each stays far below SQLite's 32,766 and PostgreSQL's 65,535.
const ROWS_PER_INSERT: i64 = 4_000;

/// Inserts rows `0..count` of the seed (ids 1..=count) in `new`.
pub async fn seed_orders(db: &Db, count: i64) -> Result<(), sqlx::Error> {
    seed_orders_range(db, 0..count).await
}

/// Inserts seed rows `indexes` (row i gets id i+1) in `new`, in one transaction.
pub async fn seed_orders_range(db: &Db, indexes: Range<i64>) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut start = indexes.start;
        while start < indexes.end {
            let end = (start + ROWS_PER_INSERT).min(indexes.end);
            let mut insert = QueryBuilder::new(
                "INSERT INTO orders (id, customer, amount_cents, state) ",
            );
            insert.push_values(start..end, |mut row, index| {
                let order = Order::seeded(index);
                row.push_bind(index + 1)
                    .push_bind(order.customer)
                    .push_bind(order.amount_cents)
                    .push_bind("new");
            });
            insert.build().execute(&mut *tx).await?;
            start = end;
        }
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    db.catch_up_identity("orders").await
}
