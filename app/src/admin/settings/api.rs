//! Server functions of the transition settings page: reading it, saving it, and reverting a
//! change. Posted from the console (`from_console`), they follow Post/Redirect/Get.

use leptos::prelude::*;

use super::types::{RevertInput, SettingsInput, SettingsPageInput, SettingsView};
use crate::{admin::flash::Message, error::AppError};

/// The transition settings of a resource: 403 without `<resource>.configure`.
#[server(endpoint = "settings")]
pub async fn settings_page(input: SettingsPageInput) -> Result<SettingsView, AppError> {
    crate::error::respond(server::settings_page(input).await)
}

/// Saves every transition's setting at once: 403 without `<resource>.configure`, 409 when a
/// setting changed since the page was read, 400 for an invalid choice; nothing is saved then.
#[server(endpoint = "settings_save")]
pub async fn save_settings(input: SettingsInput) -> Result<Message, AppError> {
    server::save_settings(input).await
}

/// Reverts a logged change, or resets one transition to the code's choice.
#[server(endpoint = "settings_revert")]
pub async fn revert_setting(input: RevertInput) -> Result<Message, AppError> {
    server::revert_setting(input).await
}

#[cfg(feature = "ssr")]
mod server {
    use super::SettingsPageInput;
    use crate::{
        admin::{
            flash::{login_path, message_of, redirect_with, take_flash, Flash, Message},
            resource::caller::caller,
            settings::types::{settings_path, RevertInput, SettingsInput, SettingsView},
        },
        error::{respond, AppError},
    };

    pub async fn settings_page(input: SettingsPageInput) -> Result<SettingsView, AppError> {
        let caller = caller(&input.resource).await?;
        let mut view = caller
            .resource
            .settings(&caller.context.db, &caller.actor)
            .await?;
        if let Some(flash) = take_flash(&settings_path(&input.resource)).await? {
            view.message = flash.message;
        }
        Ok(view)
    }

    /// Answers a script with the result, and a console page with a redirect back to the
    /// settings page carrying the outcome as its message.
    async fn answer(
        resource: &str,
        from_console: bool,
        result: Result<Message, AppError>,
    ) -> Result<Message, AppError> {
        if !from_console {
            return respond(result);
        }
        let page = settings_path(resource);
        let (location, message) = match &result {
            Ok(message) => (page, Some(message.clone())),
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

    pub async fn save_settings(input: SettingsInput) -> Result<Message, AppError> {
        let result = async {
            let caller = caller(&input.resource).await?;
            caller
                .resource
                .save_settings(&caller.context.db, &input, &caller.actor)
                .await
        }
        .await;
        answer(&input.resource, input.from_console, result).await
    }

    pub async fn revert_setting(input: RevertInput) -> Result<Message, AppError> {
        let result = async {
            let caller = caller(&input.resource).await?;
            caller
                .resource
                .revert_setting(&caller.context.db, &input, &caller.actor)
                .await
        }
        .await;
        answer(&input.resource, input.from_console, result).await
    }
}
