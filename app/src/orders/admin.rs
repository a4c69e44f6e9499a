//! The orders resource as the console registers it: the SCENARIO machine over the `orders`
//! table, with its list columns, search, and object fields.

use serde_json::{Map, Value};
use switchyard_engine::{BulkMode, FieldErrors, FieldKind, Form, FormField};

use super::{machine::orders_machine, machine::orders_table, model::Order};
use crate::admin::resource::{
    options::{AdminOptions, Column},
    registry::RegistryError,
    MachineResource,
};

/// `123456` cents → `1,234.56`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let units = (cents / 100).unsigned_abs().to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    for (index, digit) in units.chars().enumerate() {
        if index > 0 && (units.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", (cents % 100).unsigned_abs())
}

/// A cleaned decimal (`"12.3"`, at most two places) → cents.
fn parse_cents(decimal: &str) -> Option<i64> {
    let (whole, fraction) = decimal.split_once('.').unwrap_or((decimal, ""));
    let fraction = format!("{fraction:0<2}");
    let cents: i64 = fraction.get(..2)?.parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

fn customer_field() -> FormField {
    FormField::new("customer", FieldKind::Text)
        .label("Customer")
        .required()
        .length(1, 100)
}

/// A new order from the creation form: customer and amount; it starts in `new`.
fn new_order(fields: &Map<String, Value>) -> Result<Order, FieldErrors> {
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    let Some(amount_cents) = parse_cents(text("amount")) else {
        let sentence = "Enter an amount such as 12.50.".to_owned();
        return Err(FieldErrors::from([("amount".to_owned(), vec![sentence])]));
    };
    Ok(Order {
        customer: text("customer").to_owned(),
        amount_cents,
        tracking_number: String::new(),
        payment_recorded: false,
    })
}

fn options() -> AdminOptions<Order> {
    let customer = || Column::new("customer", "Customer", |o: &Order| o.customer.clone());
    let amount = || {
        Column::new("amount_cents", "Amount", |o: &Order| {
            format_cents(o.amount_cents)
        })
    };
    let tracking = || {
        Column::new("tracking_number", "Tracking number", |o: &Order| {
            o.tracking_number.clone()
        })
    };
    AdminOptions::new("Orders", "order")
        .column(customer().sortable())
        .column(amount().sortable().numeric())
        .column(tracking())
        .search(&["customer", "tracking_number"])
        .ordering("id")
        .page_size(100)
        .row_actions(&["pay", "cancel"])
        .field(customer())
        .field(amount())
        .field(tracking())
        .field(Column::new(
            "payment_recorded",
            "Payment recorded",
            |o: &Order| if o.payment_recorded { "Yes" } else { "No" }.to_owned(),
        ))
        .editable(Form::new().field(customer_field()))
        .creatable(
            Form::new().field(customer_field()).field(
                FormField::new("amount", FieldKind::Decimal { places: 2 })
                    .label("Amount")
                    .required()
                    .range(0, 9_999_999_999)
                    .help("In the shop's currency, such as 1250.00."),
            ),
            new_order,
        )
        .deletable()
        // Cancelling a batch of orders is meant together: one that cannot be cancelled
        // holds back the others, unless the operator chooses best effort on the preview.
        .bulk_mode("cancel", BulkMode::AllOrNothing)
        .action(super::actions::record_payment())
}

/// The orders resource.
pub fn resource() -> Result<MachineResource<Order>, RegistryError> {
    let declaration = |message: String| RegistryError::Declaration {
        resource: "orders".to_owned(),
        message,
    };
    let machine = orders_machine().map_err(|error| declaration(error.to_string()))?;
    let table = orders_table().map_err(|error| declaration(error.to_string()))?;
    MachineResource::new(machine, table, options())
}

#[cfg(test)]
mod tests {
    use super::{format_cents, parse_cents};

    #[test]
    fn cleaned_decimals_become_cents() {
        assert_eq!(parse_cents("12"), Some(1200));
        assert_eq!(parse_cents("12.3"), Some(1230));
        assert_eq!(parse_cents("0.05"), Some(5));
        assert_eq!(parse_cents("9999999999.99"), Some(999_999_999_999));
        assert_eq!(parse_cents("x"), None);
    }

    #[test]
    fn amounts_read_as_decimals_with_grouped_thousands() {
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(100_001), "1,000.01");
        assert_eq!(format_cents(123_456_789), "1,234,567.89");
        assert_eq!(format_cents(-150), "-1.50");
    }
}
