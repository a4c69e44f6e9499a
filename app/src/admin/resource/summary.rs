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
    /// The longer description, the badge's accessible description (empty when none).
    #[serde(default)]
    pub description: String,
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

/// How many objects are in one state group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    /// The group's name, used in `group=`.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Objects in it.
    pub count: i64,
}

/// One state field of a resource with its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSummary {
    /// The field's name: its column and its list filter's parameter (`step`).
    pub name: String,
    /// Its label ("Step").
    pub label: String,
    /// Every declared state, in declaration order, with its count (zero included), then
    /// each stored value the machine does not declare ("Unknown state: x").
    pub states: Vec<StateCount>,
    /// Every state group of the field's machine, with its count.
    pub groups: Vec<GroupCount>,
}

/// One resource on the home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSummary {
    /// The resource's name, its address segment (`orders`).
    pub name: String,
    /// Its title (`Orders`).
    pub title: String,
    /// Each state field, in declaration order.
    pub fields: Vec<FieldSummary>,
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
