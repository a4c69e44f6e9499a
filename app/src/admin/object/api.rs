//! The object page's server functions: the object page, its history, and firing a
//! transition. Each checks the session, the resource's view permission and then asks the
//! resource; each takes one input struct.
//!
//! A transition posted by a console page (with `origin`) follows Post/Redirect/Get: the
//! outcome is left in the session as a one-time message for the page it redirects to, so the
//! page shows it the same way with and without JavaScript.

use leptos::prelude::*;

use super::types::{FireInput, FireReport, HistoryView, ObjectInput, ObjectView};
use crate::error::AppError;

/// An object page, with the message its last action left.
#[server(endpoint = "object")]
pub async fn object_page(input: ObjectInput) -> Result<ObjectView, AppError> {
    crate::error::respond(server::object_page(input).await)
}

/// An object's history.
#[server(endpoint = "history")]
pub async fn history_page(input: ObjectInput) -> Result<HistoryView, AppError> {
    crate::error::respond(server::history_page(input).await)
}

/// Fires a transition. Refusals answer 403 (forbidden or hidden), 404 (unknown object or
/// transition), 409 (changed since read) or 422 (wrong state, conditions, handler, form).
#[server(endpoint = "fire")]
pub async fn fire_transition(input: FireInput) -> Result<FireReport, AppError> {
    server::fire_transition(input).await
}

#[cfg(feature = "ssr")]
mod server {
    use switchyard_engine::FieldErrors;

    use super::ObjectInput;
    use crate::{
        admin::{
            flash::{
                login_path, message_of, redirect_with, take_flash, Flash, FormFlash, Message,
                MessageKind,
            },
            form::types::form_path,
            list::types::ListQuery,
            object::types::{
                object_path, FireInput, FireOrigin, FireReport, HistoryView, ObjectView,
            },
            paths::encode_path_segment,
            resource::caller::caller,
        },
        error::{respond, AppError},
    };

    /// The list page `/{resource}` with `query`, read as a list query and written again, so
    /// nothing but a list's own parameters reaches the `Location` header.
    fn list_location(resource: &str, query: Option<&str>) -> String {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
        let query = ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        format!(
            "/{}{}",
            encode_path_segment(resource),
            query.to_query_string()
        )
    }

    /// Rows on the history page.
    const HISTORY_PAGE_ROWS: usize = 500;

    pub async fn object_page(input: ObjectInput) -> Result<ObjectView, AppError> {
        let caller = caller(&input.resource).await?;
        let mut view = caller
            .resource
            .object(&caller.context.db, &input.id, &caller.actor)
            .await?;
        view.message = take_flash(&object_path(&view.resource, &view.id))
            .await?
            .and_then(|flash| flash.message);
        Ok(view)
    }

    pub async fn history_page(input: ObjectInput) -> Result<HistoryView, AppError> {
        let caller = caller(&input.resource).await?;
        caller
            .resource
            .history(&caller.context.db, &input.id, HISTORY_PAGE_ROWS)
            .await
    }

    async fn fire(input: &FireInput) -> Result<FireReport, AppError> {
        let caller = caller(&input.resource).await?;
        caller
            .resource
            .fire(&caller.context.db, input, &caller.actor)
            .await
    }

    pub async fn fire_transition(input: FireInput) -> Result<FireReport, AppError> {
        let result = fire(&input).await;
        let Some(origin) = input.origin else {
            return respond(result);
        };
        let form = form_path(&input.resource, &input.id, &input.transition);
        // A row action goes back to the list it was on; everything else to the object.
        let object = match origin {
            FireOrigin::List => list_location(&input.resource, input.list_query.as_deref()),
            FireOrigin::Object | FireOrigin::Form => object_path(&input.resource, &input.id),
        };
        let message = |kind, text: String| Some(Message { kind, text });
        let (location, flash) = match &result {
            Ok(report) => (object, Some((Some(report.message.clone()), None))),
            Err(AppError::Unauthenticated) => {
                let back = if origin == FireOrigin::Form {
                    form
                } else {
                    object
                };
                (login_path(&back), None)
            }
            Err(AppError::FormInvalid(errors)) => (
                form,
                Some((
                    message(
                        MessageKind::Error,
                        AppError::FormInvalid(errors.clone()).to_string(),
                    ),
                    Some(FormFlash {
                        values: input.fields.clone(),
                        errors: errors.clone(),
                    }),
                )),
            ),
            Err(error) => {
                let typed = (origin == FireOrigin::Form).then(|| FormFlash {
                    values: input.fields.clone(),
                    errors: FieldErrors::new(),
                });
                let location = if origin == FireOrigin::Form {
                    form
                } else {
                    object
                };
                (location, Some((Some(message_of(error)), typed)))
            }
        };
        let flash = flash.map(|(message, form)| Flash {
            // The page takes its message whatever its query string.
            page: location.split('?').next().unwrap_or_default().to_owned(),
            message,
            form,
        });
        redirect_with(result, &location, flash).await
    }
}
