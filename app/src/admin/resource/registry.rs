//! The registry of resources the console manages, built once at start, and the console's
//! context (the database and that registry) its server functions and job runner work with.

use std::sync::Arc;

use super::admin_resource::AdminResource;
use crate::{admin::settings::visibility::DefaultVisibility, db::Db, error::AppError};

/// What the console's server side works with: the database and the registered resources.
/// Server functions read it from their Leptos context (the server provides it beside the
/// application's state); handlers and the job runner take it from that state by `FromRef`.
#[derive(Clone, Debug)]
pub struct AdminContext {
    /// The database.
    pub db: Db,
    /// The resources the console manages.
    pub registry: Arc<ResourceRegistry>,
}

impl AdminContext {
    /// The console's context inside a server function.
    pub fn current() -> Result<Self, AppError> {
        leptos::prelude::use_context::<AdminContext>().ok_or_else(|| {
            AppError::internal("the console's context is missing from the server function context")
        })
    }
}

/// Why a registry could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Two resources claim the same name (and so the same address).
    #[error("two resources are named {0:?}")]
    Duplicate(String),
    /// A resource's machine or table declaration was refused.
    #[error("resource {resource:?}: {message}")]
    Declaration {
        /// The resource.
        resource: String,
        /// What was wrong.
        message: String,
    },
}

/// Every registered resource, in registration order (the home page's order).
#[derive(Clone, Default)]
pub struct ResourceRegistry {
    resources: Vec<Arc<dyn AdminResource>>,
    default_visibility: DefaultVisibility,
}

impl ResourceRegistry {
    /// An empty registry whose console shows every transition unless its flag hides it.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty registry whose console applies `default` to transitions whose flag is unset
    /// (`HiddenUnlessShown`: django-fsm-2's `FSM_ADMIN_FORCE_PERMIT = True`). Every resource
    /// registered into it follows it.
    pub fn with_default_visibility(default: DefaultVisibility) -> Self {
        ResourceRegistry {
            resources: Vec::new(),
            default_visibility: default,
        }
    }

    /// Adds a resource; its name must be new.
    pub fn register(
        mut self,
        mut resource: impl AdminResource + 'static,
    ) -> Result<Self, RegistryError> {
        if self.get(resource.name()).is_some() {
            return Err(RegistryError::Duplicate(resource.name().to_owned()));
        }
        resource.set_default_visibility(self.default_visibility);
        self.resources.push(Arc::new(resource));
        Ok(self)
    }

    /// The resource with this name.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn AdminResource>> {
        self.resources
            .iter()
            .find(|resource| resource.name() == name)
    }

    /// Every resource, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn AdminResource>> {
        self.resources.iter()
    }
}

impl std::fmt::Debug for ResourceRegistry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .resources
            .iter()
            .map(|resource| resource.name())
            .collect();
        formatter
            .debug_struct("ResourceRegistry")
            .field("resources", &names)
            .finish()
    }
}
