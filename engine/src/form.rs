//! Transition forms: field declarations the console renders, and server-side cleaning into typed JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The longest one-line text a field takes unless it declares its own maximum.
pub const TEXT_MAX: usize = 1_000;
/// The longest multi-line text a field takes unless it declares its own maximum.
pub const TEXTAREA_MAX: usize = 10_000;

/// The kind of input a form field is, with its kind-specific rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldKind {
    /// A one-line text input; cleaned to a JSON string.
    Text,
    /// A multi-line text input; cleaned to a JSON string.
    Textarea,
    /// An integer input; cleaned to a JSON integer.
    Number,
    /// A decimal input with at most `places` decimals; cleaned to a JSON string (never a float).
    Decimal {
        /// Allowed decimal places.
        places: u32,
    },
    /// A choice among `(value, label)` pairs; cleaned to the chosen value as a string.
    Select {
        /// The choices, in display order.
        choices: Vec<(String, String)>,
    },
    /// A checkbox; absent means false. Cleaned to a JSON boolean.
    Checkbox,
    /// A calendar date `YYYY-MM-DD`; cleaned to that string.
    Date,
}

/// One field of a transition form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    /// The argument name the cleaned value is stored under.
    pub name: String,
    /// The label shown beside the input.
    pub label: String,
    /// The kind of input.
    pub kind: FieldKind,
    /// Whether an empty value is refused.
    pub required: bool,
    /// Minimum length in characters, for text kinds.
    pub min_length: Option<usize>,
    /// Maximum length in characters, for text kinds.
    pub max_length: Option<usize>,
    /// Minimum value, for numbers and decimals.
    pub min: Option<i64>,
    /// Maximum value, for numbers and decimals.
    pub max: Option<i64>,
    /// Help text shown under the input.
    pub help_text: String,
    /// The object field (by its serde name) whose value pre-fills the input.
    pub initial_from: Option<String>,
}

impl FormField {
    /// A field of the given kind; optional, labelled by its name, no rules.
    pub fn new(name: &str, kind: FieldKind) -> Self {
        FormField {
            name: name.to_owned(),
            label: name.to_owned(),
            kind,
            required: false,
            min_length: None,
            max_length: None,
            min: None,
            max: None,
            help_text: String::new(),
            initial_from: None,
        }
    }

    /// A select field from `(value, label)` pairs.
    pub fn select(name: &str, choices: &[(&str, &str)]) -> Self {
        let choices = choices
            .iter()
            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
            .collect();
        Self::new(name, FieldKind::Select { choices })
    }

    /// The label.
    pub fn label(mut self, label: &str) -> Self {
        self.label = label.to_owned();
        self
    }

    /// Refuses empty values.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Length bounds in characters.
    pub fn length(mut self, min: usize, max: usize) -> Self {
        self.min_length = Some(min);
        self.max_length = Some(max);
        self
    }

    /// Value bounds for numbers and decimals.
    pub fn range(mut self, min: i64, max: i64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    /// The help text.
    pub fn help(mut self, help_text: &str) -> Self {
        self.help_text = help_text.to_owned();
        self
    }

    /// Pre-fills the input from this field of the serialized object.
    pub fn initial_from(mut self, object_field: &str) -> Self {
        self.initial_from = Some(object_field.to_owned());
        self
    }

    fn clean(&self, raw: Option<&str>) -> Result<Value, Vec<String>> {
        let raw = raw.map(str::trim).unwrap_or("");
        if let FieldKind::Checkbox = self.kind {
            let checked = matches!(raw, "on" | "true" | "1" | "yes");
            if self.required && !checked {
                return Err(vec!["This box must be checked.".to_owned()]);
            }
            return Ok(Value::Bool(checked));
        }
        if raw.is_empty() {
            return if self.required {
                Err(vec!["This field is required.".to_owned()])
            } else {
                Ok(Value::Null)
            };
        }
        match &self.kind {
            FieldKind::Text | FieldKind::Textarea => self.clean_text(raw),
            FieldKind::Number => self.clean_number(raw),
            FieldKind::Decimal { places } => self.clean_decimal(raw, *places),
            FieldKind::Select { choices } => {
                if choices.iter().any(|(value, _)| value == raw) {
                    Ok(Value::String(raw.to_owned()))
                } else {
                    Err(vec![format!(
                        "Select a valid choice. {raw} is not one of the available choices."
                    )])
                }
            }
            FieldKind::Date => clean_date(raw),
            FieldKind::Checkbox => Ok(Value::Bool(true)),
        }
    }

    /// The longest text this field takes: its declared maximum, else a default per kind,
    /// so that no free-text input is unbounded (a note is copied into every audit row of a
    /// bulk job).
    pub fn text_limit(&self) -> usize {
        self.max_length.unwrap_or(match self.kind {
            FieldKind::Textarea => TEXTAREA_MAX,
            _ => TEXT_MAX,
        })
    }

    fn clean_text(&self, raw: &str) -> Result<Value, Vec<String>> {
        let length = raw.chars().count();
        let mut errors = Vec::new();
        // A one-line input takes no control character; a textarea also takes newlines and
        // tabs. NUL and the like would be stored and shown to every later reader.
        let multiline = matches!(self.kind, FieldKind::Textarea);
        let refused = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
        if raw.chars().any(refused) {
            errors.push("Remove the control characters from this value.".to_owned());
        }
        if let Some(min) = self.min_length.filter(|min| length < *min) {
            errors.push(format!(
                "Ensure this value has at least {min} characters (it has {length})."
            ));
        }
        let max = self.text_limit();
        if length > max {
            errors.push(format!(
                "Ensure this value has at most {max} characters (it has {length})."
            ));
        }
        if errors.is_empty() {
            Ok(Value::String(raw.to_owned()))
        } else {
            Err(errors)
        }
    }

    fn check_range(&self, whole: i64) -> Result<(), Vec<String>> {
        if let Some(min) = self.min.filter(|min| whole < *min) {
            return Err(vec![format!(
                "Ensure this value is greater than or equal to {min}."
            )]);
        }
        if let Some(max) = self.max.filter(|max| whole > *max) {
            return Err(vec![format!(
                "Ensure this value is less than or equal to {max}."
            )]);
        }
        Ok(())
    }

    fn clean_number(&self, raw: &str) -> Result<Value, Vec<String>> {
        let number: i64 = raw
            .parse()
            .map_err(|_| vec!["Enter a whole number.".to_owned()])?;
        self.check_range(number)?;
        Ok(Value::from(number))
    }

    fn clean_decimal(&self, raw: &str, places: u32) -> Result<Value, Vec<String>> {
        let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
        let digits = whole.strip_prefix('-').unwrap_or(whole);
        let well_formed = !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && fraction.chars().all(|c| c.is_ascii_digit());
        if !well_formed {
            return Err(vec!["Enter a number.".to_owned()]);
        }
        if fraction.len() > places as usize {
            return Err(vec![format!(
                "Ensure that there are no more than {places} decimal places."
            )]);
        }
        let whole_value: i64 = whole
            .parse()
            .map_err(|_| vec!["Enter a number.".to_owned()])?;
        self.check_range(whole_value)?;
        Ok(Value::String(raw.to_owned()))
    }
}

fn clean_date(raw: &str) -> Result<Value, Vec<String>> {
    let invalid = || vec!["Enter a valid date (YYYY-MM-DD).".to_owned()];
    let parts: Vec<&str> = raw.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return Err(invalid());
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(invalid());
    }
    let year: u32 = year.parse().map_err(|_| invalid())?;
    let month: u32 = month.parse().map_err(|_| invalid())?;
    let day: u32 = day.parse().map_err(|_| invalid())?;
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(invalid()),
    };
    if day == 0 || day > days_in_month {
        return Err(invalid());
    }
    Ok(Value::String(raw.to_owned()))
}

/// A form's fields cleaned into arguments, with the audit note they carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The typed arguments.
    pub arguments: Value,
    /// The description field's text, when the form has one and it is not empty.
    pub note: Option<String>,
}

/// Per-field error sentences, keyed by field name.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A transition form: fields, and optionally the field whose value becomes the audit description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// The fields, in display order.
    pub fields: Vec<FormField>,
    /// The field whose cleaned text is recorded as the audit row's description.
    pub description_field: Option<String>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Form::default()
    }

    /// Adds a field.
    pub fn field(mut self, field: FormField) -> Self {
        self.fields.push(field);
        self
    }

    /// Names the field recorded as the audit description.
    pub fn description_field(mut self, name: &str) -> Self {
        self.description_field = Some(name.to_owned());
        self
    }

    /// The values that pre-fill the form for this object (fields with `initial_from`).
    pub fn initial_values<O: Serialize>(&self, object: &O) -> Map<String, Value> {
        let serialized = serde_json::to_value(object).unwrap_or(Value::Null);
        self.fields
            .iter()
            .filter_map(|field| {
                let source = field.initial_from.as_deref()?;
                let value = serialized.get(source)?.clone();
                Some((field.name.clone(), value))
            })
            .collect()
    }

    /// The audit note in cleaned `arguments`: the description field's text, when not empty.
    /// The one place a description is read out of arguments.
    pub fn description_of<'v>(&self, arguments: &'v Value) -> Option<&'v str> {
        let field = self.description_field.as_deref()?;
        arguments
            .get(field)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
    }

    /// [`clean`](Self::clean), with the audit note the cleaned arguments carry.
    pub fn clean_with_note(
        &self,
        submitted: &BTreeMap<String, String>,
    ) -> Result<Cleaned, FieldErrors> {
        let arguments = self.clean(submitted)?;
        Ok(Cleaned {
            note: self.description_of(&arguments).map(str::to_owned),
            arguments,
        })
    }

    /// Cleans submitted strings into typed JSON arguments, or reports every field's errors.
    pub fn clean(&self, submitted: &BTreeMap<String, String>) -> Result<Value, FieldErrors> {
        let mut cleaned = Map::new();
        let mut errors = FieldErrors::new();
        for field in &self.fields {
            match field.clean(submitted.get(&field.name).map(String::as_str)) {
                Ok(value) => {
                    cleaned.insert(field.name.clone(), value);
                }
                Err(sentences) => {
                    errors.insert(field.name.clone(), sentences);
                }
            }
        }
        if errors.is_empty() {
            Ok(Value::Object(cleaned))
        } else {
            Err(errors)
        }
    }
}
