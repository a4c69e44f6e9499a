//! The orders resource as the console registers it.

use super::{machine::orders_machine, machine::orders_table, model::Order};
use crate::admin::{registry::RegistryError, resource::MachineResource};

/// The orders resource: the SCENARIO machine over the `orders` table.
pub fn resource() -> Result<MachineResource<Order>, RegistryError> {
    let declaration = |message: String| RegistryError::Declaration {
        resource: "orders".to_owned(),
        message,
    };
    let machine = orders_machine().map_err(|error| declaration(error.to_string()))?;
    let table = orders_table().map_err(|error| declaration(error.to_string()))?;
    Ok(MachineResource::new("Orders", machine, table))
}
