//! What a state looks like in the console: its badge (label, description, colour), read from
//! the machine, or from the key table of a field whose states live in one (read once per
//! page, so editing a row there changes the next page), and "Unknown state: x" for a stored
//! value the machine does not declare.

use std::collections::HashMap;

use switchyard_engine::{Machine, StateName};

use super::{
    field::StateField,
    machine::{Loaded, MachineResource},
    summary::StateBadge,
};
use crate::{
    db::{Db, SqlModel},
    error::AppError,
    with_pool,
};

/// The labels and descriptions of key-table states, read from their tables once per page,
/// by field name then state name.
#[derive(Default)]
pub(crate) struct StateLabels(HashMap<String, HashMap<String, (String, String)>>);

impl<O: SqlModel> MachineResource<O> {
    /// The badge of each field's state of an object, in field order.
    pub(crate) fn badges(&self, loaded: &Loaded<O>, labels: &StateLabels) -> Vec<StateBadge> {
        self.fields
            .iter()
            .zip(&loaded.rows)
            .map(|(field, row)| self.badge(field, row.state().as_str(), labels))
            .collect()
    }

    /// The labels and descriptions of every key-table field's states, read from their tables
    /// (small tables: one statement each, only for fields that have one).
    pub(crate) async fn state_labels(&self, db: &Db) -> Result<StateLabels, AppError> {
        let mut labels = StateLabels::default();
        for field in &self.fields {
            let Some(table) = field.states_table() else {
                continue;
            };
            // The table's name was checked as a plain identifier at registration.
            let sql = format!("SELECT name, label, description FROM \"{table}\"");
            let rows: Vec<(String, String, String)> = with_pool!(db, pool => {
                sqlx::query_as(&sql).fetch_all(pool).await
            })?;
            labels.0.insert(
                field.name().to_owned(),
                rows.into_iter()
                    .map(|(name, label, description)| (name, (label, description)))
                    .collect(),
            );
        }
        Ok(labels)
    }

    /// The badge of a state of `field`: the key table's label and description, else the
    /// declared ones; a name the machine does not declare is "Unknown state: x", grey.
    pub(crate) fn badge(
        &self,
        field: &StateField<O>,
        name: &str,
        labels: &StateLabels,
    ) -> StateBadge {
        let from_table = labels.0.get(field.name()).and_then(|rows| rows.get(name));
        match field.machine.state(name) {
            Some(state) => {
                let (label, description) = from_table
                    .cloned()
                    .unwrap_or_else(|| (state.label.clone(), state.description.clone()));
                StateBadge {
                    name: state.name.to_string(),
                    label,
                    description,
                    colour: state.colour.clone().unwrap_or_else(|| "grey".to_owned()),
                }
            }
            None => StateBadge {
                name: name.to_owned(),
                label: format!("Unknown state: {name}"),
                description: format!(
                    "The {} machine does not declare this state; only transitions from any \
                     state can leave it.",
                    field.label
                ),
                colour: "grey".to_owned(),
            },
        }
    }
}

/// A state's label for messages: the declared one, or "Unknown state: x".
pub(crate) fn state_label<O>(machine: &Machine<O>, state: &StateName) -> String {
    machine
        .state(state.as_str())
        .map(|s| s.label.clone())
        .unwrap_or_else(|| format!("Unknown state: {state}"))
}
