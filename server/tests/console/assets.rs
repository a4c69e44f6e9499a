//! The built front end as browsers get it: the file compressed at build time that the
//! request's `Accept-Encoding` prefers (brotli, then gzip, else as built), never compressed
//! again per request, and with hashed names kept by browsers for a year.

use std::path::PathBuf;

use reqwest::StatusCode;
use server::config::Config;

use crate::{on_both_backends, support::TestApp};

on_both_backends!(
    configure = built_site;
    a_hashed_asset_is_served_precompressed_by_accept_encoding_and_cached_for_a_year,
);

const WASM: &str = "/pkg/switchyard.AbC123.wasm";

/// A site as a release build leaves it: one hashed module, with its `.br` and `.gz` beside.
fn built_site(config: &mut Config) {
    let root: PathBuf =
        std::env::temp_dir().join(format!("switchyard-site-{}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("site");
    std::fs::write(pkg.join("switchyard.AbC123.wasm"), b"\0asm raw module").expect("wasm");
    std::fs::write(pkg.join("switchyard.AbC123.wasm.br"), b"brotli bytes").expect("br");
    std::fs::write(pkg.join("switchyard.AbC123.wasm.gz"), b"gzip bytes").expect("gz");
    config.leptos_options.site_root = root.to_string_lossy().as_ref().into();
    config.leptos_options.hash_files = true;
}

async fn a_hashed_asset_is_served_precompressed_by_accept_encoding_and_cached_for_a_year(
    app: TestApp,
) {
    let client = app.client();
    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), "brotli bytes"),
        ("gzip, deflate", Some("gzip"), "gzip bytes"),
        ("identity", None, "\0asm raw module"),
    ] {
        let response = client
            .get(app.url(WASM))
            .header("accept-encoding", accept)
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        let headers = response.headers().clone();
        assert_eq!(
            headers
                .get("content-encoding")
                .map(|value| value.to_str().expect("ascii")),
            encoding,
            "{accept}"
        );
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers["content-type"], "application/wasm");
        assert_eq!(response.text().await.expect("body"), body, "{accept}");
    }
    let missing = client
        .get(app.url("/pkg/switchyard.Nope.wasm"))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
