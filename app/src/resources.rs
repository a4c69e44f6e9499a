//! The resources this console manages. A deployer adds one line here per resource.

use crate::admin::resource::registry::{RegistryError, ResourceRegistry};

/// Builds the registry of every resource, in the order the home page lists them.
pub fn registry() -> Result<ResourceRegistry, RegistryError> {
    ResourceRegistry::new()
        .register(crate::orders::admin::resource()?)?
        .register(crate::campaigns::admin::resource()?)
}
