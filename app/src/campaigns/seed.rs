//! Seeding campaigns as `SCENARIO.md` says: row i has id i+1, `Campaign %03d`, no job, a
//! draft pending review.

use sqlx::QueryBuilder;

use super::model::Campaign;
use crate::{db::Db, with_pool};

/// Rows per `INSERT`: 5 binds each stays far below both backends' limits.
const ROWS_PER_INSERT: i64 = 4_000;

/// The stored value of `draft` (the step machine's code 1).
const DRAFT: i64 = 1;

/// Inserts campaigns `0..count` (ids 1..=count) as drafts pending review, in one transaction.
pub async fn seed_campaigns(db: &Db, count: i64) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut start = 0;
        while start < count {
            let end = (start + ROWS_PER_INSERT).min(count);
            let mut insert =
                QueryBuilder::new("INSERT INTO campaigns (id, name, jobs, step, review) ");
            insert.push_values(start..end, |mut row, index| {
                let campaign = Campaign::seeded(index);
                row.push_bind(index + 1)
                    .push_bind(campaign.name)
                    .push_bind(campaign.jobs)
                    .push_bind(DRAFT)
                    .push_bind("pending");
            });
            insert.build().execute(&mut *tx).await?;
            start = end;
        }
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    db.catch_up_identity("campaigns").await
}
