//! Who is asking, about which resource: every console server function starts here, checking
//! the session and then the resource's view permission.

use std::sync::Arc;

use switchyard_engine::Actor;

use super::{admin_resource::AdminResource, registry::AdminContext};
use crate::{
    auth::{session, users},
    error::AppError,
};

/// Who is asking, about which resource, once they may view it.
pub(crate) struct Caller {
    /// The database and the resources.
    pub(crate) context: AdminContext,
    /// The logged-in user with their permissions.
    pub(crate) actor: Actor,
    /// The resource asked about.
    pub(crate) resource: Arc<dyn AdminResource>,
}

/// The caller of a server function about `resource`: `Unauthenticated` without a session,
/// `NotFound` for an unknown resource, `Forbidden` without its view permission.
pub(crate) async fn caller(resource: &str) -> Result<Caller, AppError> {
    let user = session::require_user().await?;
    caller_of(AdminContext::current()?, &user, resource).await
}

/// The caller `user` is about `resource`, outside a server function (a streamed export).
pub(crate) async fn caller_of(
    context: AdminContext,
    user: &users::User,
    resource: &str,
) -> Result<Caller, AppError> {
    let resource = context
        .registry
        .get(resource)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("Resource `{resource}`")))?;
    let actor = users::actor(&context.db, user).await?;
    if !actor.has_perm(&resource.view_permission()) {
        return Err(AppError::Forbidden);
    }
    Ok(Caller {
        context,
        actor,
        resource,
    })
}
