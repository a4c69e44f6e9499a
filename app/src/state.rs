//! The application's state: what the router holds, and the parts each module takes from it.
//!
//! Auth needs the database, the console needs the database and its resources; each takes its
//! part through `FromRef` (axum handlers) or a Leptos context of its own (server functions),
//! so neither depends on this module and the modules stay in one order: db, auth, admin, state.

use axum::extract::FromRef;
use leptos::{config::LeptosOptions, prelude::provide_context};

use std::sync::Arc;

use crate::{
    admin::resource::registry::{AdminContext, ResourceRegistry},
    db::Db,
};

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

impl AppState {
    /// Provides, in a request's Leptos context, the parts server functions read: the database
    /// (auth) and the console's context (admin). Leptos provides the state itself; pass this to
    /// `leptos_routes_with_context` and `file_and_error_handler_with_context`.
    pub fn leptos_context(&self) -> impl Fn() + Clone + Send + Sync + 'static {
        let db = self.db.clone();
        let admin = AdminContext::from_ref(self);
        move || {
            provide_context(db.clone());
            provide_context(admin.clone());
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for AdminContext {
    fn from_ref(state: &AppState) -> Self {
        AdminContext {
            db: state.db.clone(),
            registry: Arc::clone(&state.registry),
        }
    }
}
