//! Form cleaning: submitted strings become typed JSON, or every field's errors are reported.

use std::collections::BTreeMap;

use serde_json::json;
use switchyard_engine::{FieldKind, Form, FormField};

use crate::support::{ship_form, Order};

fn submit(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_ship_form_cleans_valid_input_and_reports_each_invalid_field() {
    let form = ship_form();
    let cleaned = form.clean(&submit(&[
        ("tracking_number", " TRK123 "),
        ("carrier", "ups"),
    ]));
    assert_eq!(
        cleaned,
        Ok(json!({"tracking_number": "TRK123", "carrier": "ups", "note": null}))
    );
    let errors = form
        .clean(&submit(&[("tracking_number", "AB"), ("carrier", "post")]))
        .expect_err("invalid");
    assert_eq!(
        errors["tracking_number"],
        ["Ensure this value has at least 3 characters (it has 2)."]
    );
    assert_eq!(
        errors["carrier"],
        ["Select a valid choice. post is not one of the available choices."]
    );
    assert!(!errors.contains_key("note"));
    let errors = form.clean(&submit(&[])).expect_err("missing");
    assert_eq!(errors["tracking_number"], ["This field is required."]);
}

#[test]
fn every_field_kind_cleans_to_its_json_type() {
    let form = Form::new()
        .field(FormField::new("count", FieldKind::Number).range(1, 10))
        .field(FormField::new("price", FieldKind::Decimal { places: 2 }))
        .field(FormField::new("urgent", FieldKind::Checkbox))
        .field(FormField::new("due", FieldKind::Date))
        .field(FormField::new("remark", FieldKind::Textarea).length(0, 5));
    let cleaned = form.clean(&submit(&[
        ("count", "7"),
        ("price", "12.50"),
        ("urgent", "on"),
        ("due", "2024-02-29"),
    ]));
    assert_eq!(
        cleaned,
        Ok(
            json!({"count": 7, "price": "12.50", "urgent": true, "due": "2024-02-29", "remark": null})
        )
    );
    let cases = [
        ("count", "eleven", "Enter a whole number."),
        (
            "count",
            "11",
            "Ensure this value is less than or equal to 10.",
        ),
        (
            "price",
            "1.234",
            "Ensure that there are no more than 2 decimal places.",
        ),
        ("price", "1,5", "Enter a number."),
        ("due", "2023-02-29", "Enter a valid date (YYYY-MM-DD)."),
        (
            "remark",
            "too long",
            "Ensure this value has at most 5 characters (it has 8).",
        ),
    ];
    for (field, value, sentence) in cases {
        let errors = form.clean(&submit(&[(field, value)])).expect_err(field);
        assert_eq!(errors[field], [sentence], "{field}={value}");
    }
}

#[test]
fn initial_values_come_from_the_object_and_the_form_serializes_for_the_console() {
    let mut order = Order::new("Ann", 100);
    order.tracking_number = "OLD42".into();
    let form = ship_form();
    let initial = form.initial_values(&order);
    assert_eq!(initial.get("tracking_number"), Some(&json!("OLD42")));
    assert_eq!(initial.len(), 1);
    let declared = serde_json::to_value(&form).expect("serializes");
    assert_eq!(declared["description_field"], "note");
    assert_eq!(declared["fields"][1]["kind"]["kind"], "select");
}

#[test]
fn text_refuses_control_characters_and_a_textarea_keeps_newlines_and_tabs() {
    let form = Form::new()
        .field(FormField::new("line", FieldKind::Text))
        .field(FormField::new("note", FieldKind::Textarea));
    for (line, note, refused) in [
        ("a\u{0}b", "", "line"),
        ("a\tb", "", "line"),
        ("a\u{1b}[31m", "", "line"),
        ("ok", "bell\u{7}", "note"),
        ("ok", "nul\u{0}", "note"),
    ] {
        let errors = form
            .clean(&submit(&[("line", line), ("note", note)]))
            .expect_err("refused");
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            [refused],
            "{line:?} {note:?}"
        );
    }
    let cleaned = form.clean(&submit(&[("line", "plain"), ("note", "one\r\n\ttwo")]));
    assert_eq!(
        cleaned,
        Ok(json!({"line": "plain", "note": "one\r\n\ttwo"}))
    );
}

#[test]
fn text_without_a_declared_maximum_is_bounded_by_its_kind() {
    use switchyard_engine::{TEXTAREA_MAX, TEXT_MAX};
    let form = Form::new()
        .field(FormField::new("line", FieldKind::Text))
        .field(FormField::new("note", FieldKind::Textarea))
        .field(FormField::new("code", FieldKind::Text).length(0, 5));
    let at_limit = form.clean(&submit(&[
        ("line", &"l".repeat(TEXT_MAX)),
        ("note", &"n".repeat(TEXTAREA_MAX)),
        ("code", "12345"),
    ]));
    assert!(at_limit.is_ok());
    let errors = form
        .clean(&submit(&[
            ("line", &"l".repeat(TEXT_MAX + 1)),
            ("note", &"n".repeat(TEXTAREA_MAX + 1)),
            ("code", "123456"),
        ]))
        .expect_err("too long");
    assert_eq!(errors.len(), 3, "{errors:?}");
}
