//! Refusals as `application/problem+json` (RFC 9457): a stable `type` per kind of refusal,
//! the status, a title, and a sentence saying what to do.

use app::error::AppError;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// One refusal.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// A stable identifier of the kind of refusal (`/problems/unauthorized`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What happened and what to do, for this request.
    pub detail: String,
}

impl Problem {
    fn new(status: StatusCode, kind: &str, title: &'static str, detail: &str) -> Problem {
        Problem {
            kind: format!("/problems/{kind}"),
            title,
            status: status.as_u16(),
            detail: detail.to_owned(),
        }
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

    /// 404: no such endpoint, resource or object.
    pub fn not_found(detail: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
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
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        match &error {
            AppError::NotFound(what) => Problem::not_found(&format!("{what} does not exist.")),
            AppError::NotAllowed(detail) => Problem::forbidden(detail),
            AppError::Invalid(detail) => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                "Invalid request",
                detail,
            ),
            _ => Problem::internal(error),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
