//! What every request handler and server function shares.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use std::sync::Arc;

use crate::{admin::registry::ResourceRegistry, db::Db};

/// The application's shared state: site options, the database pool, the resources.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Leptos site options (address, site root, package names).
    pub leptos_options: LeptosOptions,
    /// The database, SQLite or PostgreSQL.
    pub db: Db,
    /// The resources the console manages.
    pub registry: Arc<ResourceRegistry>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
