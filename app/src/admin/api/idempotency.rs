//! `Idempotency-Key`: the first answer to a request sent with a key is kept for a day, and a
//! retry with the same key gets that answer instead of firing again (the IETF draft
//! "The Idempotency-Key HTTP Header Field").
//!
//! A key is claimed before the request runs, by inserting its row: of two requests racing
//! with one key, one inserts and runs, the other finds the row. A row still running answers
//! 409 to a retry; one whose request differs (another path or body) answers 422. A claim
//! older than [`ABANDONED_AFTER`] still running was left by a stopped server and is taken
//! over. Server failures are not kept, so a retry after one may run again.

use sha2::{Digest, Sha256};

use crate::{auth::tokens::now, db::Db, with_pool};

/// How long an answer is kept, in seconds.
const KEPT_FOR: i64 = 24 * 3600;
/// A claim still running after this many seconds was abandoned.
const ABANDONED_AFTER: i64 = 300;
/// The longest key, in characters.
pub const KEY_MAX: usize = 255;

/// What a key's claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or abandoned): run the request, then [`complete`] or [`release`].
    Fresh,
    /// The key's first request answered this.
    Replay {
        /// Its status.
        status: u16,
        /// Its body.
        body: Vec<u8>,
    },
    /// The key's first request is still running.
    InProgress,
    /// The key was used for another request.
    Mismatch,
}

/// Whether `key` may be a key: 1 to [`KEY_MAX`] visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= KEY_MAX && key.bytes().all(|b| b.is_ascii_graphic())
}

/// What identifies a request: its method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), path.as_bytes(), body] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize().to_vec()
}

/// Claims `key` for `user` and a request of `fingerprint`.
pub async fn claim(
    db: &Db,
    user: i64,
    key: &str,
    fingerprint: &[u8],
) -> Result<Claim, sqlx::Error> {
    let at = now();
    let inserted = with_pool!(db, pool => {
        sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
            .bind(at - KEPT_FOR)
            .execute(pool)
            .await?;
        sqlx::query(
            "INSERT INTO api_idempotency (user_id, key, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(key)
        .bind(fingerprint)
        .bind(at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let found = with_pool!(db, pool => {
        sqlx::query_as::<_, (Vec<u8>, i32, Option<Vec<u8>>, i64)>(
            "SELECT fingerprint, status, body, created_at FROM api_idempotency \
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(pool)
        .await
    })?;
    let Some((kept, status, body, created)) = found else {
        // Deleted as expired between the two statements: a new claim is a fresh one.
        return Box::pin(claim(db, user, key, fingerprint)).await;
    };
    if kept != fingerprint {
        return Ok(Claim::Mismatch);
    }
    if status != 0 {
        return Ok(Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body: body.unwrap_or_default(),
        });
    }
    if at - created < ABANDONED_AFTER {
        return Ok(Claim::InProgress);
    }
    let taken = with_pool!(db, pool => {
        sqlx::query(
            "UPDATE api_idempotency SET created_at = $1 \
             WHERE user_id = $2 AND key = $3 AND status = 0 AND created_at = $4",
        )
        .bind(at)
        .bind(user)
        .bind(key)
        .bind(created)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(if taken == 1 {
        Claim::Fresh
    } else {
        Claim::InProgress
    })
}

/// Keeps the answer of a fresh claim.
pub async fn complete(
    db: &Db,
    user: i64,
    key: &str,
    status: u16,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        sqlx::query("UPDATE api_idempotency SET status = $1, body = $2 WHERE user_id = $3 AND key = $4")
            .bind(i32::from(status))
            .bind(body)
            .bind(user)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Gives a fresh claim up (its request failed on the server), so a retry runs again.
pub async fn release(db: &Db, user: i64, key: &str) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        sqlx::query("DELETE FROM api_idempotency WHERE user_id = $1 AND key = $2 AND status = 0")
            .bind(user)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
    })
}
