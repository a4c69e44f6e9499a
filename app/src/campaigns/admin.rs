//! The campaigns resource as the console registers it: the step machine, then the review
//! machine beside it on the same row, with list columns, search and object fields.

use serde_json::{Map, Value};
use switchyard_engine::{FieldErrors, FieldKind, Form, FormField};

use super::{
    machine::{campaigns_table, review_machine, step_machine},
    model::Campaign,
};
use crate::admin::resource::{
    options::{AdminOptions, Column},
    registry::RegistryError,
    MachineResource,
};

fn name_field() -> FormField {
    FormField::new("name", FieldKind::Text)
        .label("Name")
        .required()
        .length(1, 30)
}

/// A new campaign from the creation form: its name; it starts as a draft pending review.
fn new_campaign(fields: &Map<String, Value>) -> Result<Campaign, FieldErrors> {
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(Campaign {
        name: name.to_owned(),
        jobs: 0,
    })
}

fn options() -> AdminOptions<Campaign> {
    let name = || Column::new("name", "Name", |c: &Campaign| c.name.clone());
    let jobs = || Column::new("jobs", "Jobs", |c: &Campaign| c.jobs.to_string());
    AdminOptions::new("Campaigns", "campaign")
        .column(name().sortable())
        .column(jobs().sortable().numeric())
        .search(&["name"])
        .ordering("id")
        .page_size(100)
        .field(name())
        .field(jobs())
        .editable(Form::new().field(name_field()))
        .creatable(Form::new().field(name_field()), new_campaign)
        .deletable()
}

/// The campaigns resource: "Step" and "Review", one block each on the object page.
pub fn resource() -> Result<MachineResource<Campaign>, RegistryError> {
    let declaration = |message: String| RegistryError::Declaration {
        resource: "campaigns".to_owned(),
        message,
    };
    let step = step_machine().map_err(|error| declaration(error.to_string()))?;
    let review = review_machine().map_err(|error| declaration(error.to_string()))?;
    let table = campaigns_table().map_err(|error| declaration(error.to_string()))?;
    MachineResource::new(step, table, options())?
        .labelled("Step")
        .and_machine("Review", review)
}
