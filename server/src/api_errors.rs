//! Gives every server-function error its own HTTP status.
//!
//! Server functions set their status from their `AppError` (`app::error::respond`), but when
//! a request cannot even be decoded into the function's input, Leptos answers before the
//! function runs, always with 500. This layer reads such an error back and answers with the
//! status the error names (a malformed request is a 400), so no expected failure is a 500.

use app::error::AppError;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// The header server_fn sets on its error responses.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";
/// Errors are a sentence of JSON; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Rewrites the status of a server function's 500 that carries an `AppError` other than
/// `Internal`.
pub async fn status_from_app_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        tracing::error!("a server function's error body could not be read");
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}
