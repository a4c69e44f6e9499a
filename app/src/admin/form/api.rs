//! The transition form page's server function.

use leptos::prelude::*;

use super::types::{FormInput, FormView};
use crate::error::AppError;

/// A transition's form page, with what was typed and its errors after a refused submission.
#[server(endpoint = "form")]
pub async fn form_page(input: FormInput) -> Result<FormView, AppError> {
    crate::error::respond(server::form_page(input).await)
}

#[cfg(feature = "ssr")]
mod server {
    use super::{FormInput, FormView};
    use crate::{
        admin::{flash::take_flash, form::types::form_path, resource::caller::caller},
        error::AppError,
    };

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
}
