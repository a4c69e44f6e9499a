//! A transition form as a JSON Schema (2020-12) of the `fields` a fire sends: what the
//! console's page shows as inputs, for a program to fill in. The server cleans the values by
//! the same form, so the schema describes, and the form decides.

use serde_json::{json, Map, Value};
use switchyard_engine::{FieldKind, Form};

/// The schema of `form`'s fields.
pub fn form_schema(form: &Form) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in &form.fields {
        let mut schema = match &field.kind {
            FieldKind::Text | FieldKind::Textarea => json!({
                "type": "string",
                "maxLength": field.text_limit(),
            }),
            FieldKind::Number => json!({ "type": ["integer", "string"] }),
            FieldKind::Decimal { places } => json!({
                "type": "string",
                "pattern": format!("^-?[0-9]+(\\.[0-9]{{1,{places}}})?$"),
            }),
            FieldKind::Select { choices } => json!({
                "type": "string",
                "enum": choices.iter().map(|(value, _)| value.as_str()).collect::<Vec<_>>(),
            }),
            FieldKind::Checkbox => json!({ "type": "boolean" }),
            FieldKind::Date => json!({ "type": "string", "format": "date" }),
        };
        if let Value::Object(members) = &mut schema {
            members.insert("title".to_owned(), Value::from(field.label.as_str()));
            if !field.help_text.is_empty() {
                members.insert(
                    "description".to_owned(),
                    Value::from(field.help_text.as_str()),
                );
            }
            if let Some(min) = field.min_length {
                members.insert("minLength".to_owned(), Value::from(min));
            }
            if let Some(min) = field.min {
                members.insert("minimum".to_owned(), Value::from(min));
            }
            if let Some(max) = field.max {
                members.insert("maximum".to_owned(), Value::from(max));
            }
        }
        if field.required {
            required.push(Value::from(field.name.as_str()));
        }
        properties.insert(field.name.clone(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
    })
}

#[cfg(test)]
mod tests {
    use switchyard_engine::FormField;

    use super::*;

    #[test]
    fn each_kind_becomes_its_json_type_with_its_rules() {
        let form = Form::new()
            .field(
                FormField::new("note", FieldKind::Textarea)
                    .required()
                    .length(3, 50),
            )
            .field(FormField::new("count", FieldKind::Number).range(1, 9))
            .field(FormField::select(
                "why",
                &[("late", "Late"), ("lost", "Lost")],
            ))
            .field(FormField::new("notify", FieldKind::Checkbox));
        let schema = form_schema(&form);
        assert_eq!(schema["required"], json!(["note"]));
        let note = &schema["properties"]["note"];
        assert_eq!(
            (
                note["type"].as_str(),
                note["minLength"].as_u64(),
                note["maxLength"].as_u64()
            ),
            (Some("string"), Some(3), Some(50))
        );
        assert_eq!(schema["properties"]["count"]["maximum"], 9);
        assert_eq!(schema["properties"]["why"]["enum"], json!(["late", "lost"]));
        assert_eq!(schema["properties"]["notify"]["type"], "boolean");
    }
}
