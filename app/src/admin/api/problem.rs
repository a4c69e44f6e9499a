//! Refusals as `application/problem+json` (RFC 9457): a stable `type` per kind of refusal,
//! the status, a title, a sentence saying what to do, and the members a program needs to act
//! on it (the current version of a stale fire, each field's errors, each unmet condition).

use std::collections::BTreeMap;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::ApiReason;
use crate::error::AppError;

/// The media type of every refusal.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of refusal, e.g. `/problems/stale-version`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened and what to do, for this request.
    pub detail: String,
    /// The members of some kinds of refusal (boxed: most refusals have none).
    #[serde(flatten)]
    pub extensions: Box<Extensions>,
}

/// What a program needs to act on some refusals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Extensions {
    /// `stale-version`: the object's version now; read it again and decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// `wrong-state`, `conditions-unmet`, `forbidden`: every reason, machine-readable and as
    /// the sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<ApiReason>,
    /// `invalid-fields`: each refused field's sentences, by field name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
    /// `handler-failed`: the state the transition's `on_error` stored, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_state: Option<String>,
}

impl Problem {
    /// A refusal of `kind` with `status`.
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: &str) -> Problem {
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.to_owned(),
            extensions: Box::default(),
        }
    }

    /// With the object's current version.
    pub fn with_current_version(mut self, version: Option<i64>) -> Problem {
        self.extensions.current_version = version;
        self
    }

    /// With the reasons of a refusal.
    pub fn with_reasons(mut self, reasons: Vec<ApiReason>) -> Problem {
        self.extensions.reasons = reasons;
        self
    }

    /// With each refused field's sentences.
    pub fn with_errors(mut self, errors: BTreeMap<String, Vec<String>>) -> Problem {
        self.extensions.errors = errors;
        self
    }

    /// With the state an `on_error` stored.
    pub fn with_error_state(mut self, state: Option<String>) -> Problem {
        self.extensions.error_state = state;
        self
    }

    /// 400: a malformed request (its body, a parameter, a header).
    pub fn bad_request(detail: &str) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "Invalid request",
            detail,
        )
    }

    /// 401: no token, or one that is unknown, revoked or expired.
    pub fn unauthorized(detail: &str) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Not authenticated",
            detail,
        )
    }

    /// 403: the caller may not do this.
    pub fn forbidden(detail: &str) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// 404: no such endpoint, resource, object, transition or job.
    pub fn not_found(detail: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// 409: the request collides with another one (a stale version, a key still in use).
    pub fn conflict(kind: &str, detail: &str) -> Problem {
        Problem::new(StatusCode::CONFLICT, kind, "Conflict", detail)
    }

    /// 422: understood, but refused for a reason about the object or the fields.
    pub fn unprocessable(kind: &str, detail: &str) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, "Refused", detail)
    }

    /// 500, the cause logged and not shown.
    pub fn internal(error: impl std::fmt::Display) -> Problem {
        tracing::error!(%error, "an API request failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "The server failed; nothing was changed. The error is logged.",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        let detail = error.to_string();
        match error {
            AppError::NotFound(_) => Problem::not_found(&detail),
            AppError::NotAllowed(_) | AppError::Forbidden => Problem::forbidden(&detail),
            AppError::Invalid(_) => Problem::bad_request(&detail),
            AppError::Unauthenticated => Problem::unauthorized(&detail),
            AppError::Conflict(_) => Problem::conflict("stale-version", &detail),
            AppError::Refused(_) => Problem::unprocessable("refused", &detail),
            AppError::FormInvalid(errors) => Problem::unprocessable(
                "invalid-fields",
                "Some fields were refused; `errors` has each field's sentences.",
            )
            .with_errors(errors),
            AppError::Internal | AppError::Unreachable(_) => Problem::internal(detail),
        }
    }
}

impl From<sqlx::Error> for Problem {
    fn from(error: sqlx::Error) -> Problem {
        Problem::internal(error)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(&self)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
