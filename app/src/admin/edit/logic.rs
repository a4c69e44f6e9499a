//! Editing an object's fields, creating objects and deleting them, for resources that allow
//! it, with the permissions `<resource>.change`, `.add` and `.delete`. The state is never a
//! field here: objects are created in the initial state and only transitions move them.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::{Map, Value};
use switchyard_engine::{Actor, FieldErrors, Form, StoredState, Version};

use super::types::{DeleteInput, EditView, SaveInput, SaveReport};
use crate::{
    admin::{
        flash::{Message, MessageKind},
        resource::MachineResource,
    },
    db::{
        edit::{ChangeNote, EditError, CREATE, DELETE, EDIT},
        Db, SqlModel,
    },
    error::AppError,
};

fn success(text: String, id: String) -> SaveReport {
    SaveReport {
        message: Message {
            kind: MessageKind::Success,
            text,
        },
        id,
    }
}

fn edit_failure(error: EditError) -> AppError {
    match error {
        EditError::Refused(reason) => {
            AppError::Invalid(format!("The values were refused by the database: {reason}"))
        }
        other => AppError::internal(other),
    }
}

/// A JSON value as an input shows it.
fn input_value(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Editing, creating and deleting objects.
#[async_trait]
pub trait EditFeature: Send + Sync {
    /// The edit page of an object (`Some(id)`), or the creation page.
    async fn edit(&self, db: &Db, id: Option<&str>, actor: &Actor) -> Result<EditView, AppError>;
    /// Saves an edit, or creates an object.
    async fn save(&self, db: &Db, input: &SaveInput, actor: &Actor)
        -> Result<SaveReport, AppError>;
    /// Deletes an object.
    async fn delete(
        &self,
        db: &Db,
        input: &DeleteInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError>;
}

#[async_trait]
impl<O: SqlModel> EditFeature for MachineResource<O> {
    /// The edit page of an object (`Some(id)`) or the creation page (`None`).
    async fn edit(&self, db: &Db, id: Option<&str>, actor: &Actor) -> Result<EditView, AppError> {
        let (form, id, version, state, values) = match id {
            Some(id) => {
                let form = self.edit_form(actor)?;
                let loaded = self.load(db, id).await?;
                let row = loaded.first();
                let current = serde_json::to_value(row.object()).map_err(AppError::internal)?;
                let values = form
                    .fields
                    .iter()
                    .map(|field| (field.name.clone(), input_value(current.get(&field.name))))
                    .collect();
                let labels = self.state_labels(db).await?;
                let state = self.badge(&self.fields[0], row.state().as_str(), &labels);
                (
                    form,
                    Some(row.id().to_string()),
                    row.version().get(),
                    state,
                    values,
                )
            }
            None => {
                let form = self.create_form(actor)?;
                let labels = self.state_labels(db).await?;
                let first = &self.fields[0];
                let initial = self.badge(first, first.machine.initial_state().as_str(), &labels);
                (form, None, 0, initial, BTreeMap::new())
            }
        };
        Ok(EditView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            id,
            version,
            state,
            form: form.clone(),
            values,
            errors: FieldErrors::new(),
            message: None,
        })
    }

    /// Saves an edit (`input.id` set) or creates an object.
    async fn save(
        &self,
        db: &Db,
        input: &SaveInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError> {
        if input.id.is_empty() {
            return self.create(db, input, actor).await;
        }
        let form = self.edit_form(actor)?;
        let loaded = self.load(db, &input.id).await?;
        let row = loaded.first();
        let version = Version::new(input.version)
            .map_err(|_| AppError::Invalid("The version must not be negative.".to_owned()))?;
        if row.version() != version {
            return Err(self.conflict_on_save());
        }
        let cleaned = cleaned_fields(form, &input.fields)?;
        let Value::Object(mut merged) =
            serde_json::to_value(row.object()).map_err(AppError::internal)?
        else {
            return Err(AppError::internal(
                "the model does not serialize to an object",
            ));
        };
        let mut changes = Map::new();
        for (name, value) in &cleaned {
            let old = merged.get(name).cloned().unwrap_or(Value::Null);
            if &old != value {
                changes.insert(name.clone(), Value::Array(vec![old, value.clone()]));
            }
            merged.insert(name.clone(), value.clone());
        }
        let id = row.id().to_string();
        let name = self.object_name(&id);
        if changes.is_empty() {
            return Ok(success(format!("{name}: nothing changed."), id));
        }
        let object: O = serde_json::from_value(Value::Object(merged))
            .map_err(|error| AppError::Invalid(format!("The values do not fit: {error}")))?;
        let changed: Vec<String> = changes.keys().cloned().collect();
        let labels: Vec<String> = form
            .fields
            .iter()
            .filter(|field| changes.contains_key(&field.name))
            .map(|field| field.label.clone())
            .collect();
        let note = self.note(EDIT, row.state().as_str(), actor, Value::Object(changes));
        let saved = self
            .store(db)
            .update_columns(row.id(), version, &object, &changed, &note)
            .await
            .map_err(edit_failure)?;
        if !saved {
            return Err(self.conflict_on_save());
        }
        Ok(success(
            format!("{name} was saved: {} changed.", labels.join(", ")),
            id,
        ))
    }

    /// Deletes an object still at the version the page showed.
    async fn delete(
        &self,
        db: &Db,
        input: &DeleteInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError> {
        if !self.options.deletable {
            return Err(AppError::NotFound(format!(
                "Deleting {}",
                self.options.title.to_lowercase()
            )));
        }
        if !self.can_delete(actor) {
            return Err(AppError::NotAllowed(format!(
                "You may not delete {}.",
                self.options.title.to_lowercase()
            )));
        }
        let loaded = self.load(db, &input.id).await?;
        let row = loaded.first();
        let version = Version::new(input.version)
            .map_err(|_| AppError::Invalid("The version must not be negative.".to_owned()))?;
        if row.version() != version {
            return Err(self.conflict_on_save());
        }
        let object = serde_json::to_value(row.object()).map_err(AppError::internal)?;
        let note = self.note(DELETE, row.state().as_str(), actor, object);
        let deleted = self
            .store(db)
            .delete_row(row.id(), version, &note)
            .await
            .map_err(edit_failure)?;
        if !deleted {
            return Err(self.conflict_on_save());
        }
        let id = row.id().to_string();
        let name = self.object_name(&id);
        Ok(success(format!("{name} was deleted."), id))
    }
}

impl<O: SqlModel> MachineResource<O> {
    fn permission(&self, action: &str) -> String {
        format!("{}.{action}", self.name())
    }

    /// Whether `actor` may edit objects of this resource.
    pub(crate) fn can_edit(&self, actor: &Actor) -> bool {
        self.options.edit_form.is_some() && actor.has_perm(&self.permission("change"))
    }

    /// Whether `actor` may create objects of this resource.
    pub(crate) fn can_create(&self, actor: &Actor) -> bool {
        self.options.create.is_some() && actor.has_perm(&self.permission("add"))
    }

    /// Whether `actor` may delete objects of this resource.
    pub(crate) fn can_delete(&self, actor: &Actor) -> bool {
        self.options.deletable && actor.has_perm(&self.permission("delete"))
    }

    fn edit_form(&self, actor: &Actor) -> Result<&Form, AppError> {
        let form = self.options.edit_form.as_ref().ok_or_else(|| {
            AppError::NotFound(format!("Editing {}", self.options.title.to_lowercase()))
        })?;
        if !self.can_edit(actor) {
            return Err(AppError::NotAllowed(format!(
                "You may not edit {}.",
                self.options.title.to_lowercase()
            )));
        }
        Ok(form)
    }

    fn create_form(&self, actor: &Actor) -> Result<&Form, AppError> {
        let (form, _) = self.options.create.as_ref().ok_or_else(|| {
            AppError::NotFound(format!("Creating {}", self.options.title.to_lowercase()))
        })?;
        if !self.can_create(actor) {
            return Err(AppError::NotAllowed(format!(
                "You may not create {}.",
                self.options.title.to_lowercase()
            )));
        }
        Ok(form)
    }

    fn note(&self, action: &'static str, state: &str, actor: &Actor, details: Value) -> ChangeNote {
        ChangeNote {
            resource: self.name().to_owned(),
            action,
            state: state.to_owned(),
            actor_id: actor.id,
            actor_username: actor.username.clone(),
            details,
        }
    }

    fn conflict_on_save(&self) -> AppError {
        AppError::Conflict(format!(
            "This {} was changed by someone else since the page was loaded. \
             Reload it and try again.",
            self.options.singular
        ))
    }

    async fn create(
        &self,
        db: &Db,
        input: &SaveInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError> {
        let form = self.create_form(actor)?;
        let cleaned = cleaned_fields(form, &input.fields)?;
        let build = self
            .options
            .create
            .as_ref()
            .map(|(_, build)| build)
            .ok_or_else(|| AppError::internal("a creatable resource lost its builder"))?;
        let object = build(&cleaned).map_err(AppError::FormInvalid)?;
        let initial = self.machine().initial_state();
        let note = self.note(CREATE, initial.as_str(), actor, Value::Object(cleaned));
        // Every state field starts in its machine's initial state.
        let states: Vec<StoredState> = self
            .fields
            .iter()
            .map(|field| field.machine.encode_state(field.machine.initial_state()))
            .collect();
        let id = self
            .store(db)
            .insert_row(&states, &object, &note)
            .await
            .map_err(edit_failure)?
            .to_string();
        let name = self.object_name(&id);
        Ok(success(format!("{name} was created."), id))
    }
}

/// The form's cleaned fields, or every field's errors.
fn cleaned_fields(
    form: &Form,
    submitted: &BTreeMap<String, String>,
) -> Result<Map<String, Value>, AppError> {
    match form.clean(submitted).map_err(AppError::FormInvalid)? {
        Value::Object(fields) => Ok(fields),
        _ => Err(AppError::internal("a cleaned form is not an object")),
    }
}
