//! The list page's server function. Like every console server function it checks the
//! session, the resource's view permission and then asks the resource; it takes one input
//! struct.

use leptos::prelude::*;

use super::types::{ListInput, ListView, RowFired};
use crate::{admin::object::types::FireInput, error::AppError};

/// One page of a resource's list.
#[server(endpoint = "list")]
pub async fn list_objects(input: ListInput) -> Result<ListView, AppError> {
    crate::error::respond(server::list_objects(input).await)
}

/// Fires a row action through the object page's path, with the row's version, and answers
/// with the row as it is now. Refusals answer as `fire_transition`'s do.
#[server(endpoint = "fire_row")]
pub async fn fire_row(input: FireInput) -> Result<RowFired, AppError> {
    crate::error::respond(server::fire_row(input).await)
}

#[cfg(feature = "ssr")]
mod server {
    use super::{FireInput, ListInput, ListView, RowFired};
    use crate::{
        admin::{flash::take_flash, resource::caller::caller},
        error::AppError,
    };

    pub async fn list_objects(input: ListInput) -> Result<ListView, AppError> {
        let caller = caller(&input.resource).await?;
        let mut view = caller
            .resource
            .list(&caller.context.db, &input.query, &caller.actor)
            .await?;
        view.message = take_flash(&format!("/{}", view.resource))
            .await?
            .and_then(|flash| flash.message);
        Ok(view)
    }

    pub async fn fire_row(input: FireInput) -> Result<RowFired, AppError> {
        let caller = caller(&input.resource).await?;
        let db = &caller.context.db;
        let report = caller.resource.fire(db, &input, &caller.actor).await?;
        let row = caller
            .resource
            .list_row(db, &input.id, &caller.actor)
            .await?;
        Ok(RowFired {
            message: report.message,
            row,
        })
    }
}
