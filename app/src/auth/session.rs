//! Sessions: stored in the database through `tower-sessions`, keyed by an opaque cookie.

use async_trait::async_trait;
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
use crate::{db::Db, error::AppError};

/// The session key holding the logged-in user's id.
const USER_ID_KEY: &str = "user_id";

/// The session store of whichever backend the console runs on.
#[derive(Clone, Debug)]
pub enum DbSessionStore {
    /// Sessions in the SQLite file.
    Sqlite(SqliteStore),
    /// Sessions in PostgreSQL.
    Postgres(PostgresStore),
}

impl DbSessionStore {
    /// Creates the store and its table (the library owns that table's schema).
    pub async fn open(db: &Db) -> Result<Self, sqlx::Error> {
        let store = match db {
            Db::Sqlite(pool) => Self::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => Self::Postgres(PostgresStore::new(pool.clone())),
        };
        match &store {
            Self::Sqlite(inner) => inner.migrate().await?,
            Self::Postgres(inner) => inner.migrate().await?,
        }
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            // The library's SQLite `create` reads then inserts inside one deferred
            // transaction, which SQLite refuses at once (no busy wait) when another
            // connection wrote in between: a login during a bulk job would fail. Separate
            // autocommit statements wait for the writer instead; ids are 128 random bits.
            Self::Sqlite(store) => {
                while store.load(&record.id).await?.is_some() {
                    record.id = Id::default();
                }
                store.save(record).await
            }
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// The active user behind a session, if any; a deactivated user's session is void.
pub async fn current_user(session: &Session, db: &Db) -> Result<Option<User>, AppError> {
    let user_id: Option<i64> = session.get(USER_ID_KEY).await.map_err(AppError::internal)?;
    match user_id {
        Some(id) => Ok(users::find_active_by_id(db, id).await?),
        None => Ok(None),
    }
}

/// Starts a logged-in session under a new id, so a planted session id is useless.
pub async fn log_in(session: &Session, user: &User) -> Result<(), AppError> {
    session.cycle_id().await.map_err(AppError::internal)?;
    session
        .insert(USER_ID_KEY, user.id)
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
    Ok(SessionInfo {
        user: user.map(|user| UserSummary {
            id: user.id,
            username: user.username,
            is_superuser: user.is_superuser,
        }),
        demo_database,
    })
}
