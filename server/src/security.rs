//! What every answer does against hostile pages: state-changing requests a browser sent on
//! behalf of another site are refused, and each answer carries a Content-Security-Policy;
//! a page's inline scripts run only with a nonce made for that page alone.
//!
//! Browsers label every request with `Sec-Fetch-Site` (and `Origin` on POST, `Referer` on
//! most); all are set by the browser and cannot be forged by a page. Any of them naming
//! another site refuses the request; an older browser may send only `Referer`. A request
//! that carries none comes from a non-browser client (curl, scripts), which cannot ride a
//! user's cookies.

use axum::{
    extract::Request,
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::{
    context::{provide_context, use_context},
    nonce::Nonce,
};

/// Middleware: makes a fresh nonce for each request (128 random bits, leptos's own
/// generator) and leaves it in the request's extensions for a page to render its scripts
/// with (`provide_request_nonce`). An HTML answer gets a policy that runs only scripts from
/// this site or carrying that nonce; any other answer (JSON, CSV, redirects) holds no
/// script of its own, so it gets the same policy without a nonce, which also makes answers
/// that should not differ (a wrong password, an unknown user) carry the same headers.
pub async fn content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let is_page = is_page(&response);
    // A nonce is URL-safe base64, always a valid header value; were it not, the page would
    // still get the policy, only without the nonce (its inline scripts then blocked).
    let with_nonce = is_page.then(|| policy(&format!(" 'nonce-{nonce}'")));
    let policy = with_nonce
        .and_then(|text| HeaderValue::from_str(&text).ok())
        .unwrap_or_else(|| HeaderValue::from_static(POLICY_WITHOUT_NONCE));
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, policy);
    response
}

/// Whether an answer is an HTML page.
pub(crate) fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// Gives the page being rendered the nonce of its request, in place of the one leptos_axum
/// made up for it, so the hydration script and the resources' data scripts carry the nonce
/// the header names. Called in the Leptos handlers' context, where the request's `Parts`
/// already are.
pub fn provide_request_nonce() {
    let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// The policy of answers that are not pages: no inline script runs at all.
const POLICY_WITHOUT_NONCE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
    object-src 'none'; base-uri 'self'; form-action 'self'";

/// Everything from this site only; scripts also when inline with the nonce, and WebAssembly
/// compiled (the hydration code is a `.wasm` module, which `script-src` otherwise forbids).
/// No style is inline (no page has a `style` attribute or `<style>` element), so `style-src`
/// needs no `'unsafe-inline'`. No framing, plugins, foreign `<base>` or form targets.
fn policy(nonce_source: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'{nonce_source} 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
         object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

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

    #[test]
    fn the_policy_without_a_nonce_is_the_pages_policy_minus_the_nonce() {
        assert_eq!(policy(""), POLICY_WITHOUT_NONCE);
        assert!(!POLICY_WITHOUT_NONCE.contains("unsafe-inline"));
    }

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
