//! The home page's view of every resource: its states with their counts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A state as the console shows it: a badge with a label and a colour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateBadge {
    /// The state's name, as stored.
    pub name: String,
    /// The label shown to people.
    pub label: String,
    /// The badge colour declared on the state (`grey` when none).
    pub colour: String,
}

/// How many objects are in one state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    /// The state.
    pub state: StateBadge,
    /// Objects in it.
    pub count: i64,
}

/// One resource on the home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSummary {
    /// The resource's name, its address segment (`orders`).
    pub name: String,
    /// Its title (`Orders`).
    pub title: String,
    /// Every declared state, in declaration order, with its count (zero included).
    pub states: Vec<StateCount>,
    /// All objects.
    pub total: i64,
}

/// The resources the user may view, each with its count per state.
#[server(endpoint = "home")]
pub async fn home_summary() -> Result<Vec<ResourceSummary>, AppError> {
    crate::error::respond(server::home_summary().await)
}

#[cfg(feature = "ssr")]
mod server {
    use super::ResourceSummary;
    use crate::{
        admin::resource::registry::AdminContext,
        auth::{session, users},
        error::AppError,
    };

    pub async fn home_summary() -> Result<Vec<ResourceSummary>, AppError> {
        let user = session::require_user().await?;
        let state = AdminContext::current()?;
        let permissions = users::permissions(&state.db, &user).await?;
        let mut summaries = Vec::new();
        for resource in state.registry.iter() {
            if !permissions.allows(&resource.view_permission()) {
                continue;
            }
            summaries.push(resource.summary(&state.db).await?);
        }
        Ok(summaries)
    }
}
