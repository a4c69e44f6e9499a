//! The messages a page shows after an action, and the Post/Redirect/Get helpers every feature
//! shares: a console page posts, the server leaves a one-time message (and, after a refused
//! form, what was typed) in the session for the page it redirects to, so the page shows it the
//! same way with and without JavaScript.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use switchyard_engine::FieldErrors;
#[cfg(feature = "ssr")]
use tower_sessions::Session;

#[cfg(feature = "ssr")]
use crate::error::{respond, AppError};

/// How a message reads: a success, a refusal or failure, or a warning (a conflict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    /// The transition happened.
    Success,
    /// The transition was refused or failed.
    Error,
    /// Someone else changed the object first.
    Warning,
}

/// A message shown at the top of a page after an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// How it reads.
    pub kind: MessageKind,
    /// The sentence, naming the transition by its label.
    pub text: String,
}

/// The session key of the one-time message.
#[cfg(feature = "ssr")]
const FLASH_KEY: &str = "switchyard.flash";

/// What an action leaves for the page it redirects to.
#[cfg(feature = "ssr")]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Flash {
    /// The address of that page; only that page takes the message.
    pub(crate) page: String,
    pub(crate) message: Option<Message>,
    pub(crate) form: Option<FormFlash>,
}

/// A refused form submission: what was typed and each field's errors.
#[cfg(feature = "ssr")]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FormFlash {
    pub(crate) values: BTreeMap<String, String>,
    pub(crate) errors: FieldErrors,
}

#[cfg(feature = "ssr")]
async fn request_session() -> Result<Session, AppError> {
    leptos_axum::extract().await.map_err(AppError::internal)
}

/// The one-time message for the page at `page`, removed as it is read. A message for
/// another page stays for it: with JavaScript the page that posted may read itself again
/// while the browser is already on its way to the page the message is for.
#[cfg(feature = "ssr")]
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

/// A refusal as the message a page shows: a conflict warns, anything else is an error.
pub(crate) fn message_of(error: &crate::error::AppError) -> Message {
    let kind = match error {
        crate::error::AppError::Conflict(_) => MessageKind::Warning,
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
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
pub(crate) fn login_path(back: &str) -> String {
    format!("/login?next={}", url_encode(back))
}

/// Whether the request is a browser's own form post (JavaScript off), as Leptos decides.
#[cfg(feature = "ssr")]
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

#[cfg(feature = "ssr")]
fn url_encode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|pair| pair.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}
