//! Who is using the console: users, passwords, sessions, login and logout, login
//! throttling, changing a password, and personal API tokens.

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod grants;
#[cfg(feature = "ssr")]
pub mod password;
pub mod password_policy;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;
pub mod token_api;
#[cfg(feature = "ssr")]
pub mod token_forms;
pub mod token_types;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod users;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The logged-in user as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// Database id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Superusers hold every permission.
    pub is_superuser: bool,
}

/// What every page needs to know about the visitor and the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The logged-in user, if any.
    pub user: Option<UserSummary>,
    /// True while any demo user exists: the console then warns that this is a demo database.
    pub demo_database: bool,
    /// The resources the user may view, as (name, title), for the header.
    #[serde(default)]
    pub resources: Vec<(String, String)>,
    /// Bulk jobs of those resources still queued or running.
    #[serde(default)]
    pub unfinished_jobs: i64,
}

/// Tells the page who is logged in and whether this is a demo database.
#[server(endpoint = "session")]
pub async fn fetch_session_info() -> Result<SessionInfo, AppError> {
    crate::error::respond(session::session_info().await)
}
