//! Middleware: every refusal under `/api/` is a problem document, including those answered
//! before a handler runs (a body over the server's limit, a cross-site post, a method the
//! route does not take, a query string that cannot be read).

use app::admin::api::{problem::PROBLEM_JSON, Problem};
use axum::{
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Rewrites an API error answer that is not already `application/problem+json`.
pub async fn problems_for_api(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/v1/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (kind, detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "This endpoint does not take this method; the OpenAPI document lists the methods.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too-large", "The body is too large."),
        StatusCode::FORBIDDEN => (
            "forbidden",
            "Refused: this request came from another site. Programs send no browser headers.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported-media-type",
            "Send the body as JSON, with `Content-Type: application/json`.",
        ),
        status if status.is_server_error() => (
            "internal",
            "The server failed; nothing was changed. The error is logged.",
        ),
        _ => (
            "invalid",
            "The request could not be read: check its parameters against the OpenAPI document.",
        ),
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let mut answer = Problem::new(status, kind, title, detail).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}
