//! What every request handler and server function shares.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::db::Db;

/// The application's shared state: site options and the database pool.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Leptos site options (address, site root, package names).
    pub leptos_options: LeptosOptions,
    /// The database, SQLite or PostgreSQL.
    pub db: Db,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
