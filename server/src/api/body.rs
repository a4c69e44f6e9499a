//! Request bodies: JSON only, of a bounded size, refused as problems (415, 413, 400) before
//! anything runs.

use app::admin::api::Problem;
use axum::{
    body::Bytes,
    extract::rejection::BytesRejection,
    http::{header, HeaderMap, StatusCode},
};
use serde::de::DeserializeOwned;

/// The largest body the API reads: a fire's fields or a job's ids (100,000 keys fit).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The body's bytes, or the problem of a body that could not be read (too large, cut off).
pub fn bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Problem> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Body too large",
                &format!("The body is larger than {MAX_BODY} bytes."),
            )
        } else {
            Problem::bad_request("The body could not be read.")
        }
    })
}

/// The body as `T`: JSON (`Content-Type: application/json`), else 415; well-formed and of
/// the documented shape, else 400 naming what is wrong.
pub fn json<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, Problem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| {
            let media = media.trim();
            media.eq_ignore_ascii_case("application/json")
                || (media.starts_with("application/") && media.ends_with("+json"))
        });
    if !is_json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the body as JSON, with `Content-Type: application/json`.",
        ));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        Problem::bad_request(&format!(
            "The body is not the JSON this endpoint takes: {error}."
        ))
    })
}
