//! The transition form page of a [`MachineResource`]: the form the console cleans with (the
//! resource's, else the machine's), its initial values from the object, and, when the
//! transition cannot start now, why.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value;
use switchyard_engine::{Actor, ConsoleRule};

use super::types::FormView;
use crate::{
    admin::resource::MachineResource,
    db::{Db, SqlModel},
    error::AppError,
};

/// The transition form page.
#[async_trait]
pub trait FormFeature: Send + Sync {
    /// The form of `transition` on one object, as `actor` sees it; a transition that cannot
    /// start now says why.
    async fn form(
        &self,
        db: &Db,
        id: &str,
        transition: &str,
        actor: &Actor,
    ) -> Result<FormView, AppError>;
}

#[async_trait]
impl<O: SqlModel> FormFeature for MachineResource<O> {
    async fn form(
        &self,
        db: &Db,
        id: &str,
        name: &str,
        actor: &Actor,
    ) -> Result<FormView, AppError> {
        let field = self
            .field_of(name)
            .ok_or_else(|| AppError::NotFound(format!("Transition `{name}`")))?;
        let loaded = self.load(db, id).await?;
        let index = self
            .fields
            .iter()
            .position(|f| f.name() == field.name())
            .unwrap_or_default();
        let row = &loaded.rows[index];
        let transition = self.declared(name, row)?;
        let rule = self.visibility(db).await?;
        let unavailable = match self.availability(transition, row, actor, &rule) {
            Ok(()) => None,
            Err(AppError::Refused(sentence)) => Some(sentence),
            Err(other) => return Err(other),
        };
        let form = rule.form(transition).cloned().unwrap_or_default();
        let values = form
            .initial_values(row.object())
            .into_iter()
            .map(|(field, value)| (field, display_value(value)))
            .collect::<BTreeMap<_, _>>();
        Ok(FormView {
            resource: self.name().to_owned(),
            singular: self.options.singular.clone(),
            id: row.id().to_string(),
            version: row.version().get(),
            state: self.badge(field, row.state().as_str(), &self.state_labels(db).await?),
            transition: transition.name().to_string(),
            label: self.label_of(transition, row.object(), &rule.overrides),
            help_text: self.help_of(transition, row.object(), &rule.overrides),
            confirmation: transition.confirmation().map(str::to_owned),
            field: (self.fields.len() > 1).then(|| field.label.clone()),
            form,
            values,
            errors: BTreeMap::new(),
            unavailable,
            message: None,
        })
    }
}

/// A JSON value as an input shows it.
fn display_value(value: Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text,
        other => other.to_string(),
    }
}
