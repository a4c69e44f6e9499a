//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! and their Rust types, and served at `GET /api/v1/openapi.json`.

use std::sync::OnceLock;

use app::admin::api::Problem;
use axum::{http::header, response::IntoResponse};
use utoipa::{
    openapi::{
        security::{Http, HttpAuthScheme, SecurityScheme},
        OpenApi as Document,
    },
    Modify, OpenApi,
};

/// The document's fixed parts: what the API is, where it is, how to authenticate.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchyard automation API",
        description = "State machines on database rows, for programs. A personal API token \
                       (`/account/tokens` or `switchyard token create`) acts as its user with \
                       exactly that user's permissions. Transitions hidden from the console \
                       are fireable here by users who hold their permission. Every refusal \
                       is an `application/problem+json` document with a stable `type`."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerScheme),
    components(schemas(Problem)),
    tags(
        (name = "resources", description = "What the caller may see."),
        (name = "objects", description = "Objects, their transitions and their history."),
        (name = "jobs", description = "Bulk jobs: one transition over many objects."),
        (name = "settings", description = "The console's transition settings."),
        (name = "documentation", description = "This document."),
    )
)]
struct BaseDocument;

/// Adds the `bearer` scheme every operation names.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The fixed parts, which the routes then add their paths to.
pub(super) fn base() -> Document {
    BaseDocument::openapi()
}

/// The whole document, worked out once.
pub fn document() -> &'static Document {
    static DOCUMENT: OnceLock<Document> = OnceLock::new();
    DOCUMENT.get_or_init(|| super::documented().split_for_parts().1)
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "documentation",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.", content_type = "application/json"))
)]
pub async fn serve() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| {
        document()
            .to_pretty_json()
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
    });
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}

#[cfg(test)]
mod tests {
    /// Routes are added only through `routes!`, which documents them: no file of the API
    /// routes another way.
    #[test]
    fn every_route_goes_through_the_documented_router() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        for entry in std::fs::read_dir(&folder).expect("the API's folder") {
            let path = entry.expect("an entry").path();
            // This file names the forbidden calls in the list below.
            if path.ends_with("openapi.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let code: String = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            for forbidden in [".route(", ".nest(", ".merge(", "routing::"] {
                assert!(
                    !code.contains(forbidden),
                    "{} routes with `{forbidden}`, outside the documented router",
                    path.display()
                );
            }
        }
    }
}
