//! Personal API tokens: created for a user (shown once), listed, revoked, and checked on
//! every `/api/v1` request, where a token acts as its user with exactly that user's
//! permissions.
//!
//! A secret is `sy_` and 64 hex digits of 256 random bits from the operating system. Only its
//! SHA-256 is stored: a secret that random cannot be guessed from its hash, so the slow
//! password hash would add nothing but latency to every request. A request's secret is
//! looked up by its hash, so no comparison of secrets happens at all, in constant time or
//! not.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::users::{self, User};
use crate::{db::Db, with_pool};

/// What every secret starts with, so a leaked one is recognisable (secret scanners).
const SECRET_PREFIX: &str = "sy_";

/// Random bytes in a secret (written as two hex digits each).
const SECRET_BYTES: usize = 32;

/// Characters of the secret kept in clear, to tell tokens apart (`sy_3f9a…`).
const PREFIX_LENGTH: usize = 7;

/// How long a token may live at most, in days.
pub const MAX_DAYS: u32 = 3650;

/// A token just created: its id and the secret, shown once.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The token's id (for `switchyard token revoke ID`).
    pub id: i64,
    /// The secret, never stored.
    pub secret: String,
}

/// A token as its owner sees it in a list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    /// Its id.
    pub id: i64,
    /// The name it was given.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, if it expires.
    pub expires_at: Option<i64>,
    /// Unix seconds of its last use, if any.
    pub last_used_at: Option<i64>,
    /// Unix seconds of its revocation, if revoked.
    pub revoked_at: Option<i64>,
}

/// Why a token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name or lifetime breaks a rule.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Creates a token for `user_id`, named `name`, expiring after `days` days if given.
pub async fn create(
    db: &Db,
    user_id: i64,
    name: &str,
    days: Option<u32>,
) -> Result<NewToken, TokenError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(TokenError::Invalid(
            "a token's name is 1 to 100 characters, without control characters".to_owned(),
        ));
    }
    if days.is_some_and(|days| days == 0 || days > MAX_DAYS) {
        return Err(TokenError::Invalid(format!(
            "a token lives 1 to {MAX_DAYS} days"
        )));
    }
    let mut random = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut random);
    let secret: String = std::iter::once(SECRET_PREFIX.to_owned())
        .chain(random.iter().map(|byte| format!("{byte:02x}")))
        .collect();
    let created = now();
    let expires = days.map(|days| created + i64::from(days) * 86_400);
    let id = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO api_tokens (user_id, name, secret_hash, prefix, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(hash(&secret))
        .bind(&secret[..PREFIX_LENGTH])
        .bind(created)
        .bind(expires)
        .fetch_one(pool)
        .await
    })?;
    tracing::info!(token = id, user = user_id, name, "created an API token");
    Ok(NewToken { id, secret })
}

/// Revokes a token, of `owner` only when given; answers whether a live token was revoked.
pub async fn revoke(db: &Db, id: i64, owner: Option<i64>) -> Result<bool, sqlx::Error> {
    let revoked = with_pool!(db, pool => {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR user_id = $3)",
        )
        .bind(now())
        .bind(id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    if revoked > 0 {
        tracing::info!(token = id, "revoked an API token");
    }
    Ok(revoked > 0)
}

/// A user's tokens, newest first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<TokenRow>, sqlx::Error> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, TokenRow>(
            "SELECT id, name, prefix, created_at, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await
    })
}

/// The active user a secret acts as, if it is a live token: not revoked, not expired, its
/// user still active. Its last use is recorded at most once a minute.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<User>, sqlx::Error> {
    if !secret.starts_with(SECRET_PREFIX) || secret.len() != SECRET_PREFIX.len() + 2 * SECRET_BYTES
    {
        return Ok(None);
    }
    let at = now();
    let found = with_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64, Option<i64>)>(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE secret_hash = $1 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(hash(secret))
        .bind(at)
        .fetch_optional(pool)
        .await
    })?;
    let Some((id, user_id, last_used)) = found else {
        return Ok(None);
    };
    if last_used.is_none_or(|last| at - last >= 60) {
        with_pool!(db, pool => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
    }
    users::find_active_by_id(db, user_id).await
}
