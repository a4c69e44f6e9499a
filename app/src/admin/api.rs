//! The console's server functions: list, object, form and history pages, and firing a
//! transition. Each checks the session, the resource's view permission and then asks the
//! resource; each takes one input struct.
//!
//! A transition posted by a console page (with `origin`) follows Post/Redirect/Get: the
//! outcome is left in the session as a one-time message for the page it redirects to, so the
//! page shows it the same way with and without JavaScript.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::view::{FireInput, FireReport, FormView, HistoryView, ListQuery, ListView, ObjectView};
use crate::error::AppError;

/// Which list page to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListInput {
    /// The resource's name.
    pub resource: String,
    /// Filters, search, sort and page.
    #[serde(default)]
    pub query: ListQuery,
}

/// Which object to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInput {
    /// The resource's name.
    pub resource: String,
    /// The object's key.
    pub id: String,
}

/// Which transition form to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormInput {
    /// The resource's name.
    pub resource: String,
    /// The object's key.
    pub id: String,
    /// The transition's name.
    pub transition: String,
}

/// One page of a resource's list.
#[server(endpoint = "list")]
pub async fn list_objects(input: ListInput) -> Result<ListView, AppError> {
    crate::error::respond(server::list_objects(input).await)
}

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

/// A transition's form page, with what was typed and its errors after a refused submission.
#[server(endpoint = "form")]
pub async fn form_page(input: FormInput) -> Result<FormView, AppError> {
    crate::error::respond(server::form_page(input).await)
}

/// Fires a transition. Refusals answer 403 (forbidden or hidden), 404 (unknown object or
/// transition), 409 (changed since read) or 422 (wrong state, conditions, handler, form).
#[server(endpoint = "fire")]
pub async fn fire_transition(input: FireInput) -> Result<FireReport, AppError> {
    server::fire_transition(input).await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use std::{collections::BTreeMap, sync::Arc};

    use serde::{Deserialize, Serialize};
    use switchyard_engine::{Actor, FieldErrors};
    use tower_sessions::Session;

    use super::{FormInput, ListInput, ObjectInput};
    use crate::{
        admin::registry::AdminContext,
        admin::{
            resource::AdminResource,
            view::{
                form_path, object_path, FireInput, FireOrigin, FireReport, FormView, HistoryView,
                ListView, Message, MessageKind, ObjectView,
            },
        },
        auth::{session, users},
        error::{respond, AppError},
    };

    /// Rows on the history page.
    const HISTORY_PAGE_ROWS: usize = 500;
    /// The session key of the one-time message.
    const FLASH_KEY: &str = "switchyard.flash";

    /// What an action leaves for the page it redirects to.
    #[derive(Debug, Serialize, Deserialize)]
    pub(crate) struct Flash {
        /// The address of that page; only that page takes the message.
        pub(crate) page: String,
        pub(crate) message: Option<Message>,
        pub(crate) form: Option<FormFlash>,
    }

    /// A refused form submission: what was typed and each field's errors.
    #[derive(Debug, Serialize, Deserialize)]
    pub(crate) struct FormFlash {
        pub(crate) values: BTreeMap<String, String>,
        pub(crate) errors: FieldErrors,
    }

    /// Who is asking, about which resource, once they may view it.
    pub(crate) struct Caller {
        pub(crate) context: AdminContext,
        pub(crate) actor: Actor,
        pub(crate) resource: Arc<dyn AdminResource>,
    }

    pub(crate) async fn caller(resource: &str) -> Result<Caller, AppError> {
        let user = session::require_user().await?;
        let context = AdminContext::current()?;
        let resource = context
            .registry
            .get(resource)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("Resource `{resource}`")))?;
        let actor = users::actor(&context.db, &user).await?;
        if !actor.has_perm(&resource.view_permission()) {
            return Err(AppError::Forbidden);
        }
        Ok(Caller {
            context,
            actor,
            resource,
        })
    }

    async fn request_session() -> Result<Session, AppError> {
        leptos_axum::extract().await.map_err(AppError::internal)
    }

    /// The one-time message for the page at `page`, removed as it is read. A message for
    /// another page stays for it: with JavaScript the page that posted may read itself again
    /// while the browser is already on its way to the page the message is for.
    pub(crate) async fn take_flash(page: &str) -> Result<Option<Flash>, AppError> {
        let session = request_session().await?;
        // `remove` marks the session modified, so look first: most views have no message.
        let waiting: Option<Flash> = session.get(FLASH_KEY).await.map_err(AppError::internal)?;
        match waiting {
            Some(flash) if flash.page == page => {
                session
                    .remove_value(FLASH_KEY)
                    .await
                    .map_err(AppError::internal)?;
                Ok(Some(flash))
            }
            _ => Ok(None),
        }
    }

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

    pub async fn form_page(input: FormInput) -> Result<FormView, AppError> {
        let caller = caller(&input.resource).await?;
        let mut view: FormView = caller
            .resource
            .form(
                &caller.context.db,
                &input.id,
                &input.transition,
                &caller.actor,
            )
            .await?;
        let page = form_path(&view.resource, &view.id, &view.transition);
        if let Some(flash) = take_flash(&page).await? {
            view.message = flash.message;
            // The message is keyed by this form's address, so it is this form's.
            if let Some(form) = flash.form {
                view.values = form.values;
                view.errors = form.errors;
            }
        }
        Ok(view)
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
        let object = object_path(&input.resource, &input.id);
        let form = form_path(&input.resource, &input.id, &input.transition);
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
            page: location.clone(),
            message,
            form,
        });
        redirect_with(result, &location, flash).await
    }

    /// A refusal as the message a page shows: a conflict warns, anything else is an error.
    pub(crate) fn message_of(error: &AppError) -> Message {
        let kind = match error {
            AppError::Conflict(_) => MessageKind::Warning,
            _ => MessageKind::Error,
        };
        Message {
            kind,
            text: error.to_string(),
        }
    }

    /// Leaves `flash` in the session and redirects to `location`: a browser's own form post
    /// follows the redirect (its status stands, whatever the outcome); a script gets the
    /// result with its status and the redirect as a header for the router to follow.
    pub(crate) async fn redirect_with<T>(
        result: Result<T, AppError>,
        location: &str,
        flash: Option<Flash>,
    ) -> Result<T, AppError> {
        if let Some(flash) = flash {
            request_session()
                .await?
                .insert(FLASH_KEY, flash)
                .await
                .map_err(AppError::internal)?;
        }
        leptos_axum::redirect(location);
        if accepts_html() {
            result
        } else {
            respond(result)
        }
    }

    /// The login page, coming back to `back` afterwards.
    pub(crate) fn login_path(back: &str) -> String {
        format!("/login?next={}", url_encode(back))
    }

    /// Whether the request is a browser's own form post (JavaScript off), as Leptos decides.
    pub(crate) fn accepts_html() -> bool {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|value| value.to_str().ok())
                    .map(|value| value.contains("text/html"))
            })
            .unwrap_or(false)
    }

    fn url_encode(value: &str) -> String {
        serde_urlencoded::to_string([("", value)])
            .map(|pair| pair.trim_start_matches('=').to_owned())
            .unwrap_or_default()
    }
}
