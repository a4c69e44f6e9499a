//! The object page, the transition form page and the history page of a [`MachineResource`].

use std::collections::BTreeMap;

use serde_json::Value;
use switchyard_engine::{Actor, ConsoleRule, Row, Transition, Unavailable};

use super::{
    resource::MachineResource,
    view::{ActionView, FieldValue, FormView, HistoryEntry, HistoryView, ObjectView},
    visibility::{Overrides, Visibility},
};
use crate::{
    db::{
        edit::{CREATE, DELETE, EDIT},
        history::{object_history, AuditRecord},
        Db, SqlModel,
    },
    error::AppError,
};

/// History rows shown on the object page; the history page shows more.
const OBJECT_PAGE_HISTORY: usize = 10;

impl<O: SqlModel> MachineResource<O> {
    /// The object with this key, or `NotFound` naming it.
    pub(crate) async fn load_row(&self, db: &Db, id: &str) -> Result<Row<O>, AppError> {
        let not_found = || AppError::NotFound(self.object_name(id));
        let key = self.parse_id(id).ok_or_else(not_found)?;
        let stored = self
            .store(db)
            .read(&key)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(not_found)?;
        self.machine.decode_row(stored).map_err(AppError::internal)
    }

    /// The declaration of `name` for the row's current state, else its first declaration
    /// (whose label still names it in a refusal); `NotFound` when the machine has none.
    pub(crate) fn declared<'a>(
        &'a self,
        name: &'a str,
        row: &Row<O>,
    ) -> Result<&'a Transition<O>, AppError> {
        self.machine
            .resolve(name, row.state())
            .or_else(|| self.machine.declarations_of(name).next())
            .ok_or_else(|| AppError::NotFound(format!("Transition `{name}`")))
    }

    /// The transition's label for this object: the resource's hook, else the browser's
    /// override, else the machine's.
    pub(crate) fn label_of(
        &self,
        transition: &Transition<O>,
        object: &O,
        overrides: &Overrides,
    ) -> String {
        self.options
            .label
            .as_ref()
            .and_then(|hook| hook(transition, object))
            .or_else(|| {
                overrides
                    .label(transition.name().as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| transition.label().to_owned())
    }

    /// The transition's help text for this object: the resource's hook, else the browser's
    /// override, else the machine's.
    pub(crate) fn help_of(
        &self,
        transition: &Transition<O>,
        object: &O,
        overrides: &Overrides,
    ) -> String {
        self.options
            .help
            .as_ref()
            .and_then(|hook| hook(transition, object))
            .or_else(|| {
                overrides
                    .help_text(transition.name().as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| transition.help_text().to_owned())
    }

    /// The buttons `actor` gets on this row, in declaration order, from the engine's one
    /// query of availability; what the console hides is left out (the chain asks visibility
    /// first), whatever else keeps it from being fired.
    fn actions(&self, row: &Row<O>, actor: &Actor, rule: &Visibility<O>) -> Vec<ActionView> {
        let display = self.options.unavailable;
        self.machine
            .console_statuses(row, actor, rule)
            .into_iter()
            .filter_map(|status| {
                let transition = status.transition;
                let disabled_reason = match status.status {
                    Ok(()) => None,
                    Err(reason @ Unavailable::ConditionsUnmet { .. })
                        if display.conditions_unmet =>
                    {
                        Some(reason.to_string())
                    }
                    Err(Unavailable::Forbidden) if display.forbidden => {
                        Some("You do not have permission.".to_owned())
                    }
                    Err(Unavailable::WrongState { state }) if display.wrong_state => Some(format!(
                        "Not possible while the {} is {}.",
                        self.options.singular,
                        super::resource::state_label(&self.machine, &state)
                    )),
                    Err(_) => return None,
                };
                Some(ActionView {
                    name: transition.name().to_string(),
                    label: self.label_of(transition, row.object(), &rule.overrides),
                    help_text: self.help_of(transition, row.object(), &rule.overrides),
                    has_form: rule.form(transition).is_some(),
                    confirm: transition.confirmation().map(str::to_owned),
                    disabled_reason,
                })
            })
            .collect()
    }

    /// One audit row as the history shows it, the transition named by the label the console
    /// uses now (the browser's override, else the declared one).
    fn history_entry(&self, record: AuditRecord, overrides: &Overrides) -> HistoryEntry {
        let transition = match record.transition.as_str() {
            EDIT => "Edited".to_owned(),
            CREATE => "Created".to_owned(),
            DELETE => "Deleted".to_owned(),
            name => overrides
                .label(name)
                .or_else(|| self.machine.declarations_of(name).next().map(|t| t.label()))
                .unwrap_or(name)
                .to_owned(),
        };
        HistoryEntry {
            id: record.id,
            at: record.created_at,
            actor: record.actor_username,
            transition,
            source: self.badge(&record.source),
            target: record.target.map(|target| self.badge(&target)),
            error: record.error,
            arguments: record.arguments,
            description: record.description,
        }
    }

    /// The newest `limit` history rows of a row, and whether older ones exist.
    async fn recent_history(
        &self,
        db: &Db,
        row: &Row<O>,
        limit: usize,
        overrides: &Overrides,
    ) -> Result<(Vec<HistoryEntry>, bool), AppError> {
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let mut records = object_history(db, self.name_str(), &row.id().to_string(), fetch).await?;
        let more = records.len() > limit;
        records.truncate(limit);
        let entries = records
            .into_iter()
            .map(|record| self.history_entry(record, overrides))
            .collect();
        Ok((entries, more))
    }

    fn name_str(&self) -> &str {
        self.machine.resource()
    }

    /// The object page as `actor` sees it.
    pub(crate) async fn object_view(
        &self,
        db: &Db,
        id: &str,
        actor: &Actor,
    ) -> Result<ObjectView, AppError> {
        let row = self.load_row(db, id).await?;
        let rule = self.visibility(db).await?;
        let (history, more_history) = self
            .recent_history(db, &row, OBJECT_PAGE_HISTORY, &rule.overrides)
            .await?;
        Ok(ObjectView {
            resource: self.name_str().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            id: row.id().to_string(),
            version: row.version().get(),
            state: self.badge(row.state().as_str()),
            fields: self
                .options
                .fields
                .iter()
                .map(|field| FieldValue {
                    label: field.label.clone(),
                    value: (field.display)(row.object()),
                })
                .collect(),
            actions: self.actions(&row, actor, &rule),
            history,
            more_history,
            message: None,
            can_edit: self.can_edit(actor),
            can_delete: self.can_delete(actor),
        })
    }

    /// The form page of one transition; a transition that cannot start now says why.
    pub(crate) async fn form_view(
        &self,
        db: &Db,
        id: &str,
        name: &str,
        actor: &Actor,
    ) -> Result<FormView, AppError> {
        let row = self.load_row(db, id).await?;
        let transition = self.declared(name, &row)?;
        let rule = self.visibility(db).await?;
        let unavailable = match self.availability(transition, &row, actor, &rule) {
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
            resource: self.name_str().to_owned(),
            singular: self.options.singular.clone(),
            id: row.id().to_string(),
            version: row.version().get(),
            state: self.badge(row.state().as_str()),
            transition: transition.name().to_string(),
            label: self.label_of(transition, row.object(), &rule.overrides),
            help_text: self.help_of(transition, row.object(), &rule.overrides),
            form,
            values,
            errors: BTreeMap::new(),
            unavailable,
            message: None,
        })
    }

    /// The history page.
    pub(crate) async fn history_view(
        &self,
        db: &Db,
        id: &str,
        limit: usize,
    ) -> Result<HistoryView, AppError> {
        let row = self.load_row(db, id).await?;
        let overrides = Overrides::read(db, self.name_str()).await?;
        let (entries, truncated) = self.recent_history(db, &row, limit, &overrides).await?;
        Ok(HistoryView {
            resource: self.name_str().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            id: row.id().to_string(),
            state: self.badge(row.state().as_str()),
            entries,
            truncated,
        })
    }

    /// Whether `actor` may fire `transition` on `row` from the console now, by the engine's
    /// one query (the fire's chain up to the conditions): `NotAllowed` for a hidden or
    /// forbidden transition, `Refused` with the reason for the others.
    pub(crate) fn availability(
        &self,
        transition: &Transition<O>,
        row: &Row<O>,
        actor: &Actor,
        rule: &Visibility<O>,
    ) -> Result<(), AppError> {
        match self
            .machine
            .console_unavailable_reason(transition.name().as_str(), row, actor, rule)
        {
            None => Ok(()),
            Some(reason) => {
                let label = self.label_of(transition, row.object(), &rule.overrides);
                Err(self.refusal(&label, reason))
            }
        }
    }

    /// The error for a transition that is unavailable, in a sentence naming it.
    pub(crate) fn refusal(&self, label: &str, reason: Unavailable) -> AppError {
        match reason {
            Unavailable::WrongState { state } => AppError::Refused(format!(
                "{label} is not possible: the {} is {}.",
                self.options.singular,
                super::resource::state_label(&self.machine, &state)
            )),
            Unavailable::ConditionsUnmet { .. } => {
                AppError::Refused(format!("{label} is not possible: {reason}"))
            }
            Unavailable::Forbidden => {
                AppError::NotAllowed(format!("{label}: you do not have permission."))
            }
            Unavailable::Hidden => {
                AppError::NotAllowed(format!("{label} is not offered in the console."))
            }
        }
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
