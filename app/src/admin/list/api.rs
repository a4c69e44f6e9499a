//! The list page's server function. Like every console server function it checks the
//! session, the resource's view permission and then asks the resource; it takes one input
//! struct.

use leptos::prelude::*;

use super::types::{ListInput, ListView};
use crate::error::AppError;

/// One page of a resource's list.
#[server(endpoint = "list")]
pub async fn list_objects(input: ListInput) -> Result<ListView, AppError> {
    crate::error::respond(server::list_objects(input).await)
}

#[cfg(feature = "ssr")]
mod server {
    use super::{ListInput, ListView};
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
}
