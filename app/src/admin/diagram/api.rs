//! The diagram page's server function: the session, the resource's view permission, then the
//! resource.

use leptos::prelude::*;

use super::types::{DiagramInput, DiagramView};
use crate::error::AppError;

/// A resource's diagrams with live counts.
#[server(endpoint = "diagram")]
pub async fn read_diagram(input: DiagramInput) -> Result<DiagramView, AppError> {
    crate::error::respond(server::read_diagram(input).await)
}

#[cfg(feature = "ssr")]
mod server {
    use super::{DiagramInput, DiagramView};
    use crate::{admin::resource::caller::caller, error::AppError};

    pub async fn read_diagram(input: DiagramInput) -> Result<DiagramView, AppError> {
        let caller = caller(&input.resource).await?;
        caller
            .resource
            .diagram(&caller.context.db, &caller.actor)
            .await
    }
}
