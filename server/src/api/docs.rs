//! `GET /api/v1/docs`: the OpenAPI document as a page to read, with the console's style and
//! no script: each operation with its parameters, body and answers, then each schema.

use std::fmt::Write;

use axum::response::Html;
use serde_json::Value;

use super::openapi::document;

/// The API's reference, as a page.
#[utoipa::path(
    get,
    path = "/docs",
    tag = "documentation",
    responses((status = 200, description = "This document as a page to read.", content_type = "text/html"))
)]
pub async fn page() -> Html<String> {
    Html(render(
        &serde_json::to_value(document()).unwrap_or(Value::Null),
    ))
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&quot;"),
            '\'' => safe.push_str("&#39;"),
            c => safe.push(c),
        }
    }
    safe
}

/// Prose made safe for HTML, with `code` spans set as code.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

/// A member as text, empty when absent.
fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A schema's short name: `ApiObject`, `array of ResourceInfo`, `string`.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", schema_name(items));
    }
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        let names: Vec<String> = variants.iter().map(schema_name).collect();
        return names.join(" or ");
    }
    match schema.get("type") {
        Some(Value::String(kind)) => escape(kind),
        Some(Value::Array(kinds)) => escape(
            &kinds
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" or "),
        ),
        _ => "any".to_owned(),
    }
}

fn render(document: &Value) -> String {
    let info = &document["info"];
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/switchyard.css\"></head>\
         <body><main id=\"main\" class=\"page api-docs\">\
         <nav class=\"breadcrumbs\" aria-label=\"Breadcrumbs\"><a href=\"/\">Home</a> / API</nav>\
         <h1>{title}</h1><p>{description}</p>\
         <p>Every address below starts with <code>/api/v1</code> and takes \
         <code>Authorization: Bearer &lt;token&gt;</code>. The machine-readable document is \
         <a href=\"/api/v1/openapi.json\">openapi.json</a>.</p>",
        title = escape(text(info, "title")),
        description = prose(text(info, "description")),
    );
    let empty = serde_json::Map::new();
    let paths = document["paths"].as_object().unwrap_or(&empty);
    let operations: Vec<(&str, &str, &Value)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap_or(&empty)
                .iter()
                .map(move |(method, operation)| (path.as_str(), method.as_str(), operation))
        })
        .collect();
    // One section per tag, in the document's order of tags.
    let tags = document["tags"].as_array().cloned().unwrap_or_default();
    for tag in &tags {
        let name = text(tag, "name");
        let _ = write!(
            html,
            "<h2 id=\"tag-{0}\">{1}</h2><p>{2}</p>",
            escape(name),
            escape(&capitalized(name)),
            prose(text(tag, "description"))
        );
        for (path, method, operation) in &operations {
            if operation["tags"][0].as_str() == Some(name) {
                operation_html(&mut html, method, path, operation);
            }
        }
    }
    html.push_str("<h2>Schemas</h2>");
    let schemas = document["components"]["schemas"]
        .as_object()
        .unwrap_or(&empty);
    for (name, schema) in schemas {
        let _ = write!(
            html,
            "<section class=\"card\" id=\"schema-{0}\"><h3>{0}</h3><p>{1}</p>",
            escape(name),
            prose(text(schema, "description"))
        );
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            html.push_str(
                "<table class=\"data\"><thead><tr><th scope=\"col\">Member</th>\
                 <th scope=\"col\">Type</th><th scope=\"col\">Meaning</th></tr></thead><tbody>",
            );
            for (member, property) in properties {
                let _ = write!(
                    html,
                    "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(member),
                    if required.contains(&member.as_str()) {
                        " (required)"
                    } else {
                        ""
                    },
                    schema_name(property),
                    prose(text(property, "description"))
                );
            }
            html.push_str("</tbody></table>");
        }
        html.push_str("</section>");
    }
    html.push_str("</main></body></html>");
    html
}

fn operation_html(html: &mut String, method: &str, path: &str, operation: &Value) {
    let _ = write!(
        html,
        "<section class=\"card\"><h3><code>{} /api/v1{}</code></h3><p>{} {}</p>",
        escape(&method.to_uppercase()),
        escape(path),
        prose(text(operation, "summary")),
        prose(text(operation, "description"))
    );
    if let Some(parameters) = operation["parameters"].as_array() {
        html.push_str(
            "<table class=\"data\"><caption>Parameters</caption><thead><tr><th scope=\"col\">Name</th>\
             <th scope=\"col\">In</th><th scope=\"col\">Type</th><th scope=\"col\">Meaning</th>\
             </tr></thead><tbody>",
        );
        for parameter in parameters {
            let _ = write!(
                html,
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(text(parameter, "name")),
                if parameter["required"].as_bool() == Some(true) {
                    " (required)"
                } else {
                    ""
                },
                escape(text(parameter, "in")),
                schema_name(&parameter["schema"]),
                prose(text(parameter, "description"))
            );
        }
        html.push_str("</tbody></table>");
    }
    if let Some(body) = operation["requestBody"]["content"].as_object() {
        for (media, content) in body {
            let _ = write!(
                html,
                "<p>Body: <code>{}</code>, {}</p>",
                escape(media),
                schema_name(&content["schema"])
            );
        }
    }
    html.push_str("<dl class=\"responses\">");
    let empty = serde_json::Map::new();
    for (status, answer) in operation["responses"].as_object().unwrap_or(&empty) {
        let schema = answer["content"]
            .as_object()
            .and_then(|content| content.values().next())
            .map(|content| schema_name(&content["schema"]))
            .filter(|name| name != "any")
            .map(|name| format!(" ({name})"))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<dt>{}</dt><dd>{}{}</dd>",
            escape(status),
            prose(text(answer, "description")),
            schema
        );
    }
    html.push_str("</dl></section>");
}

/// "objects" → "Objects".
fn capitalized(word: &str) -> String {
    let mut characters = word.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_every_operation_and_escapes_what_it_shows() {
        let page = render(&serde_json::json!({
            "info": {"title": "T <1>", "description": "Send `a<b`."},
            "tags": [{"name": "things", "description": "Things."}],
            "paths": {"/a/{x}": {"get": {"tags": ["things"], "summary": "Reads <x>", "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"S": {"properties": {"m": {"type": "string"}}, "required": ["m"]}}}
        }));
        assert!(page.contains("GET /api/v1/a/{x}"));
        assert!(page.contains("Reads &lt;x&gt;"));
        assert!(page.contains("T &lt;1&gt;"));
        assert!(page.contains("Send <code>a&lt;b</code>."));
        assert!(page.contains("<h2 id=\"tag-things\">Things</h2>"));
        assert!(page.contains("id=\"schema-S\""));
        assert!(!page.contains("<x>"));
    }
}
