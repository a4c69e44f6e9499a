//! Sessions: stored in the database through `tower-sessions`, keyed by an opaque cookie.
//!
//! A logged-in session holds a [`Login`]: the user, the user's session epoch at login, and
//! when the login happened. A password change moves the epoch on, which voids every older
//! session; the store drops a login older than the absolute lifetime as it loads it, so
//! every reader of the session sees it logged out, whatever its activity.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion, SessionStore},
    Session,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::{
    users::{self, User},
    SessionInfo, UserSummary,
};
use crate::{
    admin::resource::registry::AdminContext,
    db::{job_list, Db},
    error::AppError,
};

/// The session key holding the [`Login`].
const LOGIN_KEY: &str = "login";

/// How long a login lasts at most, whatever its activity, unless configured otherwise.
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// Who logged in to a session, under which session epoch, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// The user's id.
    pub user_id: i64,
    /// The user's session epoch at login; the session is void once the user's moves on.
    pub session_epoch: i64,
    /// When the user logged in, in milliseconds since 1970 (UTC).
    pub logged_in_at_ms: i64,
}

impl Login {
    fn is_older_than(&self, lifetime: Duration, now_ms: i64) -> bool {
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        now_ms.saturating_sub(self.logged_in_at_ms) >= lifetime_ms
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The session store of whichever backend the console runs on, which also ends logins past
/// their absolute lifetime.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    backend: StoreBackend,
    lifetime: Duration,
}

#[derive(Clone, Debug)]
enum StoreBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    /// Creates the store and its table (the library owns that table's schema). A login
    /// older than `lifetime` is dropped when its session is loaded.
    pub async fn open(db: &Db, lifetime: Duration) -> Result<Self, sqlx::Error> {
        let backend = match db {
            Db::Sqlite(pool) => StoreBackend::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => StoreBackend::Postgres(PostgresStore::new(pool.clone())),
        };
        match &backend {
            StoreBackend::Sqlite(inner) => inner.migrate().await?,
            StoreBackend::Postgres(inner) => inner.migrate().await?,
        }
        Ok(Self { backend, lifetime })
    }
}

/// Drops a login past its lifetime from a loaded record; the session itself (and the cookie)
/// carry on, logged out, so nothing reads as a forged cookie.
fn end_expired_login(record: &mut Record, lifetime: Duration, now_ms: i64) {
    let login = record
        .data
        .get(LOGIN_KEY)
        .and_then(|value| serde_json::from_value::<Login>(value.clone()).ok());
    if login.is_some_and(|login| login.is_older_than(lifetime, now_ms)) {
        record.data.remove(LOGIN_KEY);
        tracing::info!("a login reached its absolute lifetime and ended");
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &self.backend {
            // The library's SQLite `create` reads then inserts inside one deferred
            // transaction, which SQLite refuses at once (no busy wait) when another
            // connection wrote in between: a login during a bulk job would fail. Separate
            // autocommit statements wait for the writer instead; ids are 128 random bits.
            StoreBackend::Sqlite(store) => {
                while store.load(&record.id).await?.is_some() {
                    record.id = Id::default();
                }
                store.save(record).await
            }
            StoreBackend::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match &self.backend {
            StoreBackend::Sqlite(store) => store.save(record).await,
            StoreBackend::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut loaded = match &self.backend {
            StoreBackend::Sqlite(store) => store.load(id).await?,
            StoreBackend::Postgres(store) => store.load(id).await?,
        };
        if let Some(record) = &mut loaded {
            end_expired_login(record, self.lifetime, now_ms());
        }
        Ok(loaded)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match &self.backend {
            StoreBackend::Sqlite(store) => store.delete(id).await,
            StoreBackend::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match &self.backend {
            StoreBackend::Sqlite(store) => store.delete_expired().await,
            StoreBackend::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// The active user behind a session, if any. A deactivated user's session is void, and so
/// is one begun before the user's password last changed.
pub async fn current_user(session: &Session, db: &Db) -> Result<Option<User>, AppError> {
    Ok(current_login(session, db).await?.map(|(user, _)| user))
}

/// The active user behind a session with the session's [`Login`], if any (see
/// [`current_user`]).
pub async fn current_login(session: &Session, db: &Db) -> Result<Option<(User, Login)>, AppError> {
    let stored = session
        .get_value(LOGIN_KEY)
        .await
        .map_err(AppError::internal)?;
    // A value that does not read as a login (a session from before logins carried an
    // epoch) is no login.
    let Some(login) = stored.and_then(|value| serde_json::from_value::<Login>(value).ok()) else {
        return Ok(None);
    };
    let user = users::find_active_by_id(db, login.user_id).await?;
    Ok(user
        .filter(|user| user.session_epoch == login.session_epoch)
        .map(|user| (user, login)))
}

/// Starts a logged-in session under a new id, so a planted session id is useless.
pub async fn log_in(session: &Session, user: &User) -> Result<(), AppError> {
    let login = Login {
        user_id: user.id,
        session_epoch: user.session_epoch,
        logged_in_at_ms: now_ms(),
    };
    start(session, login).await
}

/// Carries the current session on under a new id and the user's new session epoch after
/// the user changed their password; the login time stays, and so does the session's end.
pub async fn continue_under_epoch(
    session: &Session,
    login: Login,
    session_epoch: i64,
) -> Result<(), AppError> {
    start(
        session,
        Login {
            session_epoch,
            ..login
        },
    )
    .await
}

async fn start(session: &Session, login: Login) -> Result<(), AppError> {
    session.cycle_id().await.map_err(AppError::internal)?;
    session
        .insert(LOGIN_KEY, login)
        .await
        .map_err(AppError::internal)
}

/// Ends the session and deletes it from the store.
pub async fn log_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(AppError::internal)
}

/// The database inside a server function. The server provides it as a context of its own, so
/// that auth needs nothing of the application's state (which holds the console's resources,
/// and the console asks auth who is logged in).
pub fn database() -> Result<Db, AppError> {
    leptos::prelude::use_context::<Db>().ok_or_else(|| {
        AppError::internal("the database is missing from the server function context")
    })
}

/// The logged-in user inside a server function, or `Unauthenticated`.
pub async fn require_user() -> Result<User, AppError> {
    let db = database()?;
    let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
    current_user(&session, &db)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The visitor and database facts every page shows.
pub async fn session_info() -> Result<SessionInfo, AppError> {
    let db = database()?;
    let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
    let user = current_user(&session, &db).await?;
    let demo_database = users::is_demo_database(&db).await?;
    let (resources, unfinished_jobs) = match &user {
        Some(user) => {
            let actor = users::actor(&db, user).await?;
            let registry = AdminContext::current()?.registry;
            let resources: Vec<(String, String)> = registry
                .iter()
                .filter(|resource| actor.has_perm(&resource.view_permission()))
                .map(|resource| (resource.name().to_owned(), resource.title().to_owned()))
                .collect();
            let names: Vec<String> = resources.iter().map(|(name, _)| name.clone()).collect();
            let unfinished = job_list::unfinished_count(&db, &names).await?;
            (resources, unfinished)
        }
        None => (Vec::new(), 0),
    };
    Ok(SessionInfo {
        user: user.map(|user| UserSummary {
            id: user.id,
            username: user.username,
            is_superuser: user.is_superuser,
        }),
        demo_database,
        resources,
        unfinished_jobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_logged_in_at(logged_in_at_ms: i64) -> Record {
        let login = Login {
            user_id: 7,
            session_epoch: 0,
            logged_in_at_ms,
        };
        let mut data = std::collections::HashMap::new();
        data.insert(
            LOGIN_KEY.to_owned(),
            serde_json::to_value(login).expect("json"),
        );
        data.insert("other".to_owned(), serde_json::Value::Bool(true));
        Record {
            id: Id::default(),
            data,
            expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc(),
        }
    }

    #[test]
    fn a_login_as_old_as_the_lifetime_is_dropped_and_a_younger_one_kept() {
        let lifetime = Duration::from_secs(60);
        let mut young = record_logged_in_at(1_000_000 - 59_999);
        end_expired_login(&mut young, lifetime, 1_000_000);
        assert!(young.data.contains_key(LOGIN_KEY));

        let mut old = record_logged_in_at(1_000_000 - 60_000);
        end_expired_login(&mut old, lifetime, 1_000_000);
        assert!(!old.data.contains_key(LOGIN_KEY));
        assert!(old.data.contains_key("other"), "only the login ends");
    }
}
