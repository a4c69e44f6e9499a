//! The registry of resources the console manages, built once at start.

use std::sync::Arc;

use super::resource::AdminResource;

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
}

impl ResourceRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource; its name must be new.
    pub fn register(
        mut self,
        resource: impl AdminResource + 'static,
    ) -> Result<Self, RegistryError> {
        if self.get(resource.name()).is_some() {
            return Err(RegistryError::Duplicate(resource.name().to_owned()));
        }
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
