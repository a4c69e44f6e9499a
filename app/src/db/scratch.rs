//! Throwaway databases for tests and benchmarks: a fresh SQLite file in its own directory, or a
//! fresh PostgreSQL database created through `TEST_POSTGRES_ADMIN_URL`; both removed on drop.
//!
//! Outside CI a missing `TEST_POSTGRES_ADMIN_URL` means "skip PostgreSQL"; under `CI=true` it
//! is an error, so a CI run can never pass by silently skipping a backend.

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use super::{Backend, Db};

/// The variable naming a PostgreSQL URL allowed to create and drop databases.
pub const POSTGRES_ADMIN_URL_VARIABLE: &str = "TEST_POSTGRES_ADMIN_URL";

/// Why a scratch database could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    /// `CI=true` but no PostgreSQL admin URL is configured.
    #[error(
        "CI=true but {POSTGRES_ADMIN_URL_VARIABLE} is not set: PostgreSQL tests cannot be skipped"
    )]
    PostgresRequiredInCi,
    /// The admin URL is not a `postgres://` URL.
    #[error("{POSTGRES_ADMIN_URL_VARIABLE} must be a postgres:// URL")]
    NotPostgres,
    /// The temporary directory could not be created.
    #[error("creating a temporary directory failed: {0}")]
    Directory(#[from] std::io::Error),
    /// The database server refused.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// The PostgreSQL admin URL, `None` when unset outside CI.
pub fn postgres_admin_url() -> Result<Option<String>, ScratchError> {
    match std::env::var(POSTGRES_ADMIN_URL_VARIABLE) {
        Ok(url) if !url.is_empty() => Ok(Some(url)),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            Err(ScratchError::PostgresRequiredInCi)
        }
        _ => Ok(None),
    }
}

enum Location {
    Sqlite { directory: PathBuf },
    Postgres { admin_url: String, name: String },
}

/// A database that exists for as long as this value does.
pub struct ScratchDatabase {
    location: Location,
}

impl std::fmt::Debug for ScratchDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Location::Sqlite { directory } => write!(f, "ScratchDatabase({})", directory.display()),
            Location::Postgres { name, .. } => write!(f, "ScratchDatabase(postgres {name})"),
        }
    }
}

/// A name no other scratch database of this machine uses.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}_{nanos}_{count}", std::process::id())
}

/// The same server URL with another database name, keeping any query string.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(head, _)| head);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl ScratchDatabase {
    /// Creates an empty database; `Ok(None)` when PostgreSQL is asked for but not configured
    /// outside CI.
    pub async fn create(backend: Backend) -> Result<Option<Self>, ScratchError> {
        let location = match backend {
            Backend::Sqlite => {
                let directory =
                    std::env::temp_dir().join(format!("switchyard_{}", unique_suffix()));
                std::fs::create_dir_all(&directory)?;
                Location::Sqlite { directory }
            }
            Backend::Postgres => {
                let Some(admin_url) = postgres_admin_url()? else {
                    return Ok(None);
                };
                let Db::Postgres(admin) = Db::connect(&admin_url).await? else {
                    return Err(ScratchError::NotPostgres);
                };
                let name = format!("switchyard_test_{}", unique_suffix());
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&admin)
                    .await?;
                admin.close().await;
                Location::Postgres { admin_url, name }
            }
        };
        Ok(Some(ScratchDatabase { location }))
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self.location {
            Location::Sqlite { .. } => Backend::Sqlite,
            Location::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The directory holding the SQLite file (the embedded data directory), if SQLite.
    pub fn sqlite_directory(&self) -> Option<&Path> {
        match &self.location {
            Location::Sqlite { directory } => Some(directory),
            Location::Postgres { .. } => None,
        }
    }

    /// The URL the app connects with.
    pub fn url(&self) -> String {
        match &self.location {
            Location::Sqlite { directory } => {
                format!("sqlite://{}", directory.join("switchyard.db").display())
            }
            Location::Postgres { admin_url, name } => replace_database(admin_url, name),
        }
    }

    /// Opens a pool on it (WAL and NORMAL sync on SQLite, as the app runs) and migrates.
    pub async fn connect(&self) -> Result<Db, ScratchError> {
        let db = Db::connect(&self.url()).await?;
        db.migrate()
            .await
            .map_err(|e| ScratchError::Database(e.into()))?;
        Ok(db)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        match &self.location {
            Location::Sqlite { directory } => {
                // Best effort: a leftover temporary directory is harmless.
                let _ = std::fs::remove_dir_all(directory);
            }
            Location::Postgres { admin_url, name } => {
                // Drop may run inside or outside a runtime; a thread with its own runtime
                // works in both.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(runtime) = runtime {
                        runtime.block_on(async {
                            if let Ok(Db::Postgres(pool)) = Db::connect(&admin_url).await {
                                let sql =
                                    format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                                let _ = sqlx::query(&sql).execute(&pool).await;
                                pool.close().await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}
