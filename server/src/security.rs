//! Refuses state-changing requests that a browser sent on behalf of another site.
//!
//! Browsers label every request with `Sec-Fetch-Site` (and `Origin` on POST, `Referer` on
//! most); all are set by the browser and cannot be forged by a page. Any of them naming
//! another site refuses the request; an older browser may send only `Referer`. A request
//! that carries none comes from a non-browser client (curl, scripts), which cannot ride a
//! user's cookies.

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
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    let host = text(header::HOST.as_str());
    let names_this_site = |value: Option<&str>| match value {
        None => true,
        Some(value) => host.is_some() && site_of(value) == host,
    };
    names_this_site(text(header::ORIGIN.as_str()))
        && names_this_site(text(header::REFERER.as_str()))
}

/// The `host[:port]` an `Origin` or `Referer` names, for an `http` or `https` address;
/// `None` for `null` or anything odd.
fn site_of(address: &str) -> Option<&str> {
    let rest = address
        .strip_prefix("https://")
        .or_else(|| address.strip_prefix("http://"))?;
    let site = rest.split(['/', '?', '#']).next()?;
    (!site.is_empty() && !site.contains('@')).then_some(site)
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
    fn a_referer_naming_another_site_is_refused_even_alone() {
        let host = ("host", "127.0.0.1:3000");
        let foreign = headers(&[("referer", "http://evil.example/page"), host]);
        let own = headers(&[("referer", "http://127.0.0.1:3000/orders/1?x=1"), host]);
        let tricky = headers(&[("referer", "http://127.0.0.1:3000@evil.example/"), host]);
        let mixed = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:3000"),
            ("referer", "https://evil.example/"),
            host,
        ]);
        assert!(!is_same_origin(&foreign));
        assert!(is_same_origin(&own));
        assert!(!is_same_origin(&tricky));
        assert!(!is_same_origin(&mixed));
    }

    #[test]
    fn a_client_without_browser_headers_is_not_a_cross_site_request() {
        assert!(is_same_origin(&headers(&[("host", "127.0.0.1:3000")])));
    }
}
