//! Personal API tokens: created for a user (shown once), listed, revoked, and checked on
//! every `/api/v1` request, where a token acts as its user with exactly that user's
//! permissions. Each creation and revocation leaves an event naming who did it, written in
//! the same transaction as the change.
//!
//! A secret is `sy_` and 64 hex digits of 256 random bits from the operating system. Only its
//! SHA-256 is stored: a secret that random cannot be guessed from its hash, so the slow
//! password hash would add nothing but latency to every request. A request's secret is
//! looked up by its hash, so no comparison of secrets happens at all, in constant time or
//! not.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::{
    token_types::{validate_days, validate_name, TokenAction, TokenRule},
    users::{self, User},
};
use crate::{db::Db, with_pool};

/// What every secret starts with, so a leaked one is recognisable (secret scanners).
const SECRET_PREFIX: &str = "sy_";

/// Random bytes in a secret (written as two hex digits each).
const SECRET_BYTES: usize = 32;

/// Characters of the secret kept in clear, to tell tokens apart (`sy_3f9a…`).
const PREFIX_LENGTH: usize = 7;

/// How events name an operator at `switchyard token …`. Usernames have no spaces, so it
/// cannot be mistaken for a user.
pub const COMMAND_LINE_ACTOR: &str = "command line";

/// The newest events [`events`] reads.
const EVENTS_SHOWN: i64 = 20;

/// Records a creation or revocation; shared by both, run in the change's transaction.
const INSERT_EVENT: &str = "INSERT INTO api_token_events \
    (token_id, user_id, actor_username, action, at) VALUES ($1, $2, $3, $4, $5)";

/// Who creates or revokes a token, as its events name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenActor<'a> {
    /// A user in the console, who acts on their own tokens only.
    Owner {
        /// The user's id.
        user_id: i64,
        /// The user's login name, recorded in the events.
        username: &'a str,
    },
    /// An operator at `switchyard token …` on the server, who may act on anyone's tokens.
    CommandLine,
}

impl<'a> TokenActor<'a> {
    /// A user acting on their own tokens.
    pub fn owner(user: &'a User) -> Self {
        Self::Owner {
            user_id: user.id,
            username: &user.username,
        }
    }

    /// The only user whose tokens this actor may touch, if it is limited to one.
    fn limited_to(self) -> Option<i64> {
        match self {
            Self::Owner { user_id, .. } => Some(user_id),
            Self::CommandLine => None,
        }
    }

    /// How the events name this actor.
    fn recorded_name(self) -> &'a str {
        match self {
            Self::Owner { username, .. } => username,
            Self::CommandLine => COMMAND_LINE_ACTOR,
        }
    }
}

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

/// A creation or revocation of one of a user's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEvent {
    /// The token's id.
    pub token_id: i64,
    /// The token's name.
    pub token_name: String,
    /// What happened.
    pub action: TokenAction,
    /// Who did it: the owner's username or [`COMMAND_LINE_ACTOR`].
    pub actor_username: String,
    /// Unix seconds.
    pub at: i64,
}

/// Why a token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name or lifetime breaks a rule.
    #[error(transparent)]
    Invalid(#[from] TokenRule),
    /// A user tried to create a token for someone else.
    #[error("a user creates tokens for themselves only")]
    NotOwner,
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

/// Creates a token for `user_id`, named `name`, expiring after `days` days if given, and
/// records that `actor` created it.
pub async fn create(
    db: &Db,
    user_id: i64,
    name: &str,
    days: Option<u32>,
    actor: TokenActor<'_>,
) -> Result<NewToken, TokenError> {
    let name = validate_name(name)?;
    let days = validate_days(days)?;
    if actor.limited_to().is_some_and(|owner| owner != user_id) {
        return Err(TokenError::NotOwner);
    }
    let mut random = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut random);
    let secret: String = std::iter::once(SECRET_PREFIX.to_owned())
        .chain(random.iter().map(|byte| format!("{byte:02x}")))
        .collect();
    let created = now();
    let expires = days.map(|days| created + i64::from(days) * 86_400);
    let id = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO api_tokens (user_id, name, secret_hash, prefix, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(hash(&secret))
        .bind(&secret[..PREFIX_LENGTH])
        .bind(created)
        .bind(expires)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(INSERT_EVENT)
            .bind(id)
            .bind(user_id)
            .bind(actor.recorded_name())
            .bind(TokenAction::Created.as_str())
            .bind(created)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?;
    tracing::info!(
        token = id,
        user = user_id,
        name,
        by = actor.recorded_name(),
        "created an API token"
    );
    Ok(NewToken { id, secret })
}

/// Revokes a live token (not revoked, not expired) that `actor` may touch, recording who did;
/// answers whether it did. Anything else (unknown, another user's, already revoked or
/// expired) changes and records nothing.
pub async fn revoke(db: &Db, id: i64, actor: TokenActor<'_>) -> Result<bool, sqlx::Error> {
    let at = now();
    let revoked = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let owner = sqlx::query_scalar::<_, i64>(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1) \
             AND ($3 IS NULL OR user_id = $3) RETURNING user_id",
        )
        .bind(at)
        .bind(id)
        .bind(actor.limited_to())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(owner) = owner {
            sqlx::query(INSERT_EVENT)
                .bind(id)
                .bind(owner)
                .bind(actor.recorded_name())
                .bind(TokenAction::Revoked.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(owner.is_some())
    })?;
    if revoked {
        tracing::info!(
            token = id,
            by = actor.recorded_name(),
            "revoked an API token"
        );
    }
    Ok(revoked)
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

/// The newest creations and revocations of a user's tokens, newest first.
pub async fn events(db: &Db, user_id: i64) -> Result<Vec<TokenEvent>, sqlx::Error> {
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, (i64, String, String, String, i64)>(
            "SELECT e.token_id, t.name, e.action, e.actor_username, e.at \
             FROM api_token_events e JOIN api_tokens t ON t.id = e.token_id \
             WHERE e.user_id = $1 ORDER BY e.id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(EVENTS_SHOWN)
        .fetch_all(pool)
        .await
    })?;
    // The table's CHECK allows only the actions there are, so none is skipped.
    Ok(rows
        .into_iter()
        .filter_map(|(token_id, token_name, action, actor_username, at)| {
            Some(TokenEvent {
                token_id,
                token_name,
                action: TokenAction::from_stored(&action)?,
                actor_username,
                at,
            })
        })
        .collect())
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
