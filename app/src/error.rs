//! The one error type that crosses from server functions to the browser.
//!
//! Users see a clear sentence; the full cause chain goes to the logs on the server and
//! never into a response.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// What went wrong, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the user must log in.
    #[error("Please log in to continue.")]
    Unauthenticated,
    /// Logged in, but not allowed to do this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// The named thing does not exist (or is not visible to this user).
    #[error("{0} was not found.")]
    NotFound(String),
    /// The request itself is wrong; the sentence says how.
    #[error("{0}")]
    Invalid(String),
    /// This user may not do this to this object; the sentence names the action.
    #[error("{0}")]
    NotAllowed(String),
    /// The action was refused or failed for a reason about the object (its state, its
    /// conditions, its handler); the sentence says which.
    #[error("{0}")]
    Refused(String),
    /// Someone else changed the object since the page was read.
    #[error("{0}")]
    Conflict(String),
    /// A form's fields were refused; each field has its sentences.
    #[error("Please correct the errors below.")]
    FormInvalid(switchyard_engine::FieldErrors),
    /// A failure on the server; details are in the server's log only.
    #[error("Something went wrong on the server; it has been logged. Please try again.")]
    Internal,
    /// The browser could not reach the server.
    #[error("Could not reach the server: {0}")]
    Unreachable(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(message) => Self::Unreachable(message),
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => {
                Self::Invalid(format!("The request was malformed: {message}"))
            }
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;
    use axum::http::StatusCode;

    impl AppError {
        /// The HTTP status this error is answered with.
        pub fn status(&self) -> StatusCode {
            match self {
                Self::Unauthenticated => StatusCode::UNAUTHORIZED,
                Self::Forbidden => StatusCode::FORBIDDEN,
                Self::NotFound(_) => StatusCode::NOT_FOUND,
                Self::Invalid(_) => StatusCode::BAD_REQUEST,
                Self::NotAllowed(_) => StatusCode::FORBIDDEN,
                Self::Refused(_) | Self::FormInvalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Self::Conflict(_) => StatusCode::CONFLICT,
                Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                Self::Unreachable(_) => StatusCode::BAD_GATEWAY,
            }
        }

        /// Logs an unexpected failure with its whole cause chain and hides it from the user.
        pub fn internal(error: impl std::fmt::Display) -> Self {
            tracing::error!(%error, "internal error");
            Self::Internal
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> Self {
            Self::internal(error)
        }
    }

    /// Sets the response status of the current server function from its result, so an
    /// error is never answered with a blanket 500.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(error) = &result {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(error.status());
            }
        }
        result
    }
}

#[cfg(feature = "ssr")]
pub use server::respond;
