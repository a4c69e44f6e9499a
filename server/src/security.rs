//! Refuses state-changing requests that a browser sent on behalf of another site.
//!
//! Browsers label every request with `Sec-Fetch-Site` (and `Origin` on POST); both are
//! set by the browser and cannot be forged by a page. A request that carries neither
//! comes from a non-browser client (curl, scripts), which cannot ride a user's cookies.

use axum::{
    extract::Request,
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Middleware: lets safe methods through; refuses cross-origin unsafe ones with 403.
pub async fn refuse_cross_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_same_origin(request.headers()) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "refused a cross-origin request");
        (
            StatusCode::FORBIDDEN,
            "Refused: this request came from another site.",
        )
            .into_response()
    }
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (text(header::ORIGIN.as_str()), text(header::HOST.as_str())) {
        (Some(origin), Some(host)) => origin_host(origin) == Some(host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// The `host[:port]` part of an `Origin` value; `None` for `null` or anything odd.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
    }

    #[test]
    fn origin_must_match_host_without_fetch_metadata() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        let other = headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]);
        assert!(is_same_origin(&same));
        assert!(!is_same_origin(&other));
        assert!(!is_same_origin(&null));
    }

    #[test]
    fn a_client_without_browser_headers_is_not_a_cross_site_request() {
        assert!(is_same_origin(&headers(&[("host", "127.0.0.1:3000")])));
    }
}
