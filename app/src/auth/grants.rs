//! Granting and revoking permission codes, for users and for groups, and group membership.
//! The command line (`switchyard grant`, `revoke`, `group`) is built on these.

use crate::{db::Db, with_pool};

/// Who receives or loses a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantee {
    /// A user, by login name.
    User(String),
    /// A group, by name.
    Group(String),
}

/// Why a grant could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// No user has this name.
    #[error("there is no user named {0:?}")]
    NoSuchUser(String),
    /// No group has this name.
    #[error("there is no group named {0:?} (create it with `switchyard group add USER {0}`)")]
    NoSuchGroup(String),
    /// A group name must not be empty.
    #[error("a group name must be 1 to 150 characters")]
    InvalidGroupName,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

async fn user_id(db: &Db, username: &str) -> Result<i64, GrantError> {
    let sql = "SELECT id FROM users WHERE username = $1";
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(sql).bind(username).fetch_optional(pool).await
    })?
    .ok_or_else(|| GrantError::NoSuchUser(username.to_owned()))
}

async fn group_id(db: &Db, name: &str) -> Result<i64, GrantError> {
    let sql = "SELECT id FROM groups WHERE name = $1";
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(sql).bind(name).fetch_optional(pool).await
    })?
    .ok_or_else(|| GrantError::NoSuchGroup(name.to_owned()))
}

/// Grants codes; granting a code already held is harmless.
pub async fn grant(db: &Db, grantee: &Grantee, codes: &[String]) -> Result<(), GrantError> {
    let (sql, id) = match grantee {
        Grantee::User(name) => (
            "INSERT INTO user_permissions (user_id, code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            user_id(db, name).await?,
        ),
        Grantee::Group(name) => (
            "INSERT INTO group_permissions (group_id, code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            group_id(db, name).await?,
        ),
    };
    for code in codes {
        with_pool!(db, pool => sqlx::query(sql).bind(id).bind(code).execute(pool).await.map(|_| ()))?;
    }
    Ok(())
}

/// Revokes codes; returns how many grants were removed.
pub async fn revoke(db: &Db, grantee: &Grantee, codes: &[String]) -> Result<u64, GrantError> {
    let (sql, id) = match grantee {
        Grantee::User(name) => (
            "DELETE FROM user_permissions WHERE user_id = $1 AND code = $2",
            user_id(db, name).await?,
        ),
        Grantee::Group(name) => (
            "DELETE FROM group_permissions WHERE group_id = $1 AND code = $2",
            group_id(db, name).await?,
        ),
    };
    let mut removed = 0;
    for code in codes {
        removed += with_pool!(db, pool => {
            sqlx::query(sql).bind(id).bind(code).execute(pool).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(removed)
}

/// Puts a user in a group, creating the group if it does not exist yet.
pub async fn add_to_group(db: &Db, username: &str, group: &str) -> Result<(), GrantError> {
    let group = group.trim();
    if group.is_empty() || group.chars().count() > 150 {
        return Err(GrantError::InvalidGroupName);
    }
    let user = user_id(db, username).await?;
    with_pool!(db, pool => {
        sqlx::query("INSERT INTO groups (name) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(group)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    let group = group_id(db, group).await?;
    with_pool!(db, pool => {
        sqlx::query("INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(user)
            .bind(group)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Takes a user out of a group; returns whether they were in it.
pub async fn remove_from_group(db: &Db, username: &str, group: &str) -> Result<bool, GrantError> {
    let user = user_id(db, username).await?;
    let group = group_id(db, group).await?;
    let removed = with_pool!(db, pool => {
        sqlx::query("DELETE FROM user_groups WHERE user_id = $1 AND group_id = $2")
            .bind(user)
            .bind(group)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(removed > 0)
}
