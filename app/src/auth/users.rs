//! The users table: lookups for login and sessions, creation for the CLI and the demo.

use super::password_policy::validate_password;
use crate::{db::Db, error::AppError, with_pool};

/// A user row as the server needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Login name, unique.
    pub username: String,
    /// The Argon2 PHC string.
    pub password_hash: String,
    /// Holds every permission.
    pub is_superuser: bool,
    /// Sessions begun under another epoch are void; a password change moves it on.
    pub session_epoch: i64,
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Login name; 1 to 150 characters, no whitespace.
    pub username: String,
    /// The plain password; hashed before it is stored.
    pub password: String,
    /// Grants every permission.
    pub is_superuser: bool,
    /// Marks a demo user; the console warns while any exists.
    pub is_demo: bool,
}

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// The username is taken.
    #[error("a user named {0:?} already exists")]
    Exists(String),
    /// The username or password breaks a rule.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Hashing failed.
    #[error("could not hash the password")]
    Hashing,
}

const USER_COLUMNS: &str = "id, username, password_hash, is_superuser, session_epoch";

/// Finds an active user by login name.
pub async fn find_active_by_username(db: &Db, username: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1 AND is_active");
    with_pool!(db, pool => {
        sqlx::query_as::<_, User>(&sql).bind(username).fetch_optional(pool).await
    })
}

/// Finds an active user by id (a session's user may have been deactivated since).
pub async fn find_active_by_id(db: &Db, id: i64) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND is_active");
    with_pool!(db, pool => {
        sqlx::query_as::<_, User>(&sql).bind(id).fetch_optional(pool).await
    })
}

/// Finds a user's id by login name, active or not (`passwd` may reset either).
pub async fn find_id_by_username(db: &Db, username: &str) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT id FROM users WHERE username = $1";
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(sql).bind(username).fetch_optional(pool).await
    })
}

/// Stores a new password hash and moves the user's session epoch on, which voids every
/// session begun before. With `seen_epoch`, only while the epoch is still that one (a change
/// made meanwhile elsewhere wins). Answers the new epoch, or `None` when nothing changed.
pub async fn set_password_hash(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    seen_epoch: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 \
               WHERE id = $2 AND ($3 IS NULL OR session_epoch = $3) RETURNING session_epoch";
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(password_hash)
            .bind(user_id)
            .bind(seen_epoch)
            .fetch_optional(pool)
            .await
    })
}

/// Answers whether any demo user exists, i.e. whether this is a demo database.
pub async fn is_demo_database(db: &Db) -> Result<bool, sqlx::Error> {
    let sql = "SELECT EXISTS (SELECT 1 FROM users WHERE is_demo)";
    with_pool!(db, pool => sqlx::query_scalar::<_, bool>(sql).fetch_one(pool).await)
}

/// Checks a username against the console's rules, returning it trimmed.
pub fn validate_username(username: &str) -> Result<&str, CreateUserError> {
    let username = username.trim();
    if username.is_empty() || username.chars().count() > 150 {
        return Err(CreateUserError::Invalid(
            "a username has 1 to 150 characters".into(),
        ));
    }
    if username.chars().any(char::is_whitespace) {
        return Err(CreateUserError::Invalid("a username has no spaces".into()));
    }
    Ok(username)
}

/// Creates a user, hashing the password; refuses a taken username.
pub async fn create(db: &Db, new_user: NewUser) -> Result<i64, CreateUserError> {
    let username = validate_username(&new_user.username)?.to_owned();
    validate_password(&new_user.password)
        .map_err(|rule| CreateUserError::Invalid(rule.to_string()))?;
    if find_active_by_username(db, &username).await?.is_some() {
        return Err(CreateUserError::Exists(username));
    }
    let password_hash = super::password::hash(new_user.password)
        .await
        .map_err(|_| CreateUserError::Hashing)?;
    let sql = "INSERT INTO users (username, password_hash, is_superuser, is_demo) \
               VALUES ($1, $2, $3, $4) RETURNING id";
    let inserted = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(&username)
            .bind(&password_hash)
            .bind(new_user.is_superuser)
            .bind(new_user.is_demo)
            .fetch_one(pool)
            .await
    });
    match inserted {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(CreateUserError::Exists(username))
        }
        Err(error) => Err(error.into()),
    }
}

/// Grants permission codes (such as `orders.pay`) to a user; granting twice is harmless.
pub async fn grant(db: &Db, user_id: i64, codes: &[&str]) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO user_permissions (user_id, code) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    for code in codes {
        with_pool!(db, pool => sqlx::query(sql).bind(user_id).bind(*code).execute(pool).await.map(|_| ()))?;
    }
    Ok(())
}

impl From<CreateUserError> for AppError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::Exists(_) | CreateUserError::Invalid(_) => {
                AppError::Invalid(error.to_string())
            }
            other => AppError::internal(other),
        }
    }
}

/// Counts every user, active or not.
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    with_pool!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(pool).await)
}

/// The permission codes a user holds, directly or through groups.
#[derive(Clone, Debug, Default)]
pub struct Permissions {
    superuser: bool,
    codes: std::collections::BTreeSet<String>,
}

impl Permissions {
    /// Answers whether the user holds `code` (a superuser holds every code).
    pub fn allows(&self, code: &str) -> bool {
        self.superuser || self.codes.contains(code)
    }
}

/// Loads a user's permission codes: their own grants and their groups' grants.
pub async fn permissions(db: &Db, user: &User) -> Result<Permissions, sqlx::Error> {
    if user.is_superuser {
        return Ok(Permissions {
            superuser: true,
            codes: Default::default(),
        });
    }
    let sql = "SELECT code FROM user_permissions WHERE user_id = $1 \
               UNION SELECT gp.code FROM group_permissions gp \
               JOIN user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = $1";
    let codes = with_pool!(db, pool => {
        sqlx::query_scalar::<_, String>(sql).bind(user.id).fetch_all(pool).await
    })?;
    Ok(Permissions {
        superuser: false,
        codes: codes.into_iter().collect(),
    })
}

/// The engine's view of a user: their permission codes (own and through groups) and groups,
/// read in one statement (every console request asks it).
pub async fn actor(db: &Db, user: &User) -> Result<switchyard_engine::Actor, sqlx::Error> {
    use switchyard_engine::Actor;
    let sql = "SELECT 'group', g.name FROM groups g JOIN user_groups ug ON ug.group_id = g.id \
               WHERE ug.user_id = $1 \
               UNION ALL SELECT 'code', code FROM user_permissions WHERE user_id = $1 \
               UNION ALL SELECT 'code', gp.code FROM group_permissions gp \
               JOIN user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = $1";
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, (String, String)>(sql).bind(user.id).fetch_all(pool).await
    })?;
    let mut groups = Vec::new();
    let mut codes = std::collections::BTreeSet::new();
    for (kind, name) in rows {
        if kind == "group" {
            groups.push(name);
        } else {
            codes.insert(name);
        }
    }
    groups.sort();
    if user.is_superuser {
        return Ok(Actor::superuser(user.id, &user.username).with_groups(groups));
    }
    Ok(Actor::new(user.id, &user.username)
        .with_permissions(codes)
        .with_groups(groups))
}
