//! Server functions to edit an object's fields, create objects and delete them. Posted from
//! the console (`from_console`), they follow Post/Redirect/Get like transitions do.

use leptos::prelude::*;

use super::types::{DeleteInput, EditInput, EditView, SaveInput, SaveReport};
use crate::error::AppError;

/// The edit or creation page, with what was typed and its errors after a refusal.
#[server(endpoint = "edit")]
pub async fn edit_page(input: EditInput) -> Result<EditView, AppError> {
    crate::error::respond(server::edit_page(input).await)
}

/// Saves an edit or creates an object: 403 without `<resource>.change` / `.add`, 409 when the
/// object changed since it was read, 422 with each field's sentences for invalid fields.
#[server(endpoint = "save")]
pub async fn save_object(input: SaveInput) -> Result<SaveReport, AppError> {
    server::save_object(input).await
}

/// Deletes an object: 403 without `<resource>.delete`, 409 when it changed since it was read.
#[server(endpoint = "delete")]
pub async fn delete_object(input: DeleteInput) -> Result<SaveReport, AppError> {
    server::delete_object(input).await
}

#[cfg(feature = "ssr")]
mod server {
    use switchyard_engine::FieldErrors;

    use super::EditInput;
    use crate::{
        admin::{
            edit::types::{edit_path, DeleteInput, EditView, SaveInput, SaveReport},
            flash::{login_path, message_of, redirect_with, take_flash, Flash, FormFlash},
            object::types::object_path,
            resource::caller::caller,
        },
        error::{respond, AppError},
    };

    pub async fn edit_page(input: EditInput) -> Result<EditView, AppError> {
        let caller = caller(&input.resource).await?;
        let id = (!input.id.is_empty()).then_some(input.id.as_str());
        let mut view = caller
            .resource
            .edit(&caller.context.db, id, &caller.actor)
            .await?;
        let page = edit_path(&view.resource, view.id.as_deref().unwrap_or_default());
        if let Some(flash) = take_flash(&page).await? {
            view.message = flash.message;
            if let Some(form) = flash.form {
                view.values = form.values;
                view.errors = form.errors;
            }
        }
        Ok(view)
    }

    pub async fn save_object(input: SaveInput) -> Result<SaveReport, AppError> {
        let result = async {
            let caller = caller(&input.resource).await?;
            caller
                .resource
                .save(&caller.context.db, &input, &caller.actor)
                .await
        }
        .await;
        if !input.from_console {
            return respond(result);
        }
        let page = edit_path(&input.resource, &input.id);
        let typed = |errors: FieldErrors| {
            Some(FormFlash {
                values: input.fields.clone(),
                errors,
            })
        };
        let (location, flash) = match &result {
            Ok(report) => {
                let location = object_path(&input.resource, &report.id);
                (location, Some((Some(report.message.clone()), None)))
            }
            Err(AppError::Unauthenticated) => (login_path(&page), None),
            Err(error @ AppError::FormInvalid(errors)) => {
                (page, Some((Some(message_of(error)), typed(errors.clone()))))
            }
            Err(error) => (
                page,
                Some((Some(message_of(error)), typed(FieldErrors::new()))),
            ),
        };
        let flash = flash.map(|(message, form)| Flash {
            page: location.clone(),
            message,
            form,
        });
        redirect_with(result, &location, flash).await
    }

    pub async fn delete_object(input: DeleteInput) -> Result<SaveReport, AppError> {
        let result = async {
            let caller = caller(&input.resource).await?;
            caller
                .resource
                .delete(&caller.context.db, &input, &caller.actor)
                .await
        }
        .await;
        if !input.from_console {
            return respond(result);
        }
        let page = format!("{}/delete", object_path(&input.resource, &input.id));
        let (location, message) = match &result {
            Ok(report) => (format!("/{}", input.resource), Some(report.message.clone())),
            Err(AppError::Unauthenticated) => (login_path(&page), None),
            Err(error) => (page, Some(message_of(error))),
        };
        let flash = message.map(|message| Flash {
            page: location.clone(),
            message: Some(message),
            form: None,
        });
        redirect_with(result, &location, flash).await
    }
}
