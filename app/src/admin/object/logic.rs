//! The object page, the history page and firing a transition, for a [`MachineResource`].

use std::collections::BTreeSet;

use async_trait::async_trait;
use switchyard_engine::{
    Actor, ConsoleRule, FireRequest, Outcome, Row, StateName, Unavailable, Version,
};

use super::types::{
    ActionView, FieldValue, FireInput, FireReport, HistoryEntry, HistoryView, ObjectView,
    StateBlock,
};
use crate::{
    admin::{
        flash::{Message, MessageKind},
        resource::{state_label, MachineResource, StateField, StateLabels},
        settings::visibility::{Overrides, Visibility},
    },
    db::{
        edit::{CREATE, DELETE, EDIT},
        history::{object_history, AuditRecord},
        Db, SqlModel,
    },
    error::AppError,
};

/// History rows shown on the object page; the history page shows more.
const OBJECT_PAGE_HISTORY: usize = 10;

/// The object page, its history, and firing a transition from it.
#[async_trait]
pub trait ObjectFeature: Send + Sync {
    /// The object page as `actor` sees it.
    async fn object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ObjectView, AppError>;
    /// The newest `limit` history rows of one object.
    async fn history(&self, db: &Db, id: &str, limit: usize) -> Result<HistoryView, AppError>;
    /// Fires a transition from the console.
    async fn fire(&self, db: &Db, input: &FireInput, actor: &Actor)
        -> Result<FireReport, AppError>;
}

#[async_trait]
impl<O: SqlModel> ObjectFeature for MachineResource<O> {
    async fn object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ObjectView, AppError> {
        let loaded = self.load(db, id).await?;
        let row = loaded.first();
        let rule = self.visibility(db).await?;
        let labels = self.state_labels(db).await?;
        let (history, more_history) = self
            .recent_history(db, row, OBJECT_PAGE_HISTORY, &rule.overrides, &labels)
            .await?;
        Ok(ObjectView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            id: row.id().to_string(),
            version: row.version().get(),
            blocks: self
                .fields
                .iter()
                .zip(&loaded.rows)
                .map(|(field, row)| StateBlock {
                    field: field.name().to_owned(),
                    label: field.label.clone(),
                    state: self.badge(field, row.state().as_str(), &labels),
                    actions: self.actions(field, row, actor, &rule),
                    diagram: self.object_diagram(
                        field,
                        row,
                        steps_taken(&history, field.name()),
                        &rule,
                        actor,
                    ),
                })
                .collect(),
            fields: self
                .options
                .fields
                .iter()
                .map(|field| FieldValue {
                    label: field.label.clone(),
                    value: (field.display)(row.object()),
                })
                .collect(),
            history,
            more_history,
            message: None,
            can_edit: self.can_edit(actor),
            can_delete: self.can_delete(actor),
        })
    }

    async fn history(&self, db: &Db, id: &str, limit: usize) -> Result<HistoryView, AppError> {
        let loaded = self.load(db, id).await?;
        let overrides = Overrides::read(db, self.name()).await?;
        let labels = self.state_labels(db).await?;
        let (entries, truncated) = self
            .recent_history(db, loaded.first(), limit, &overrides, &labels)
            .await?;
        Ok(HistoryView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            id: loaded.first().id().to_string(),
            states: self.badges(&loaded, &labels),
            entries,
            truncated,
        })
    }

    /// Fires `input.transition` on `input.id` as `actor`, through the console channel,
    /// expecting the version the page showed, with the form's fields as typed. The console
    /// decides nothing itself: the engine refuses in its one order (see the engine's crate
    /// docs) and this maps its answer to a sentence.
    async fn fire(
        &self,
        db: &Db,
        input: &FireInput,
        actor: &Actor,
    ) -> Result<FireReport, AppError> {
        let key = self
            .parse_id(&input.id)
            .ok_or_else(|| AppError::NotFound(self.object_name(&input.id)))?;
        let version = Version::new(input.version)
            .map_err(|_| AppError::Invalid("The version must not be negative.".to_owned()))?;
        let rule = self.visibility(db).await?;
        let request = FireRequest::new(key, &input.transition, actor.clone())
            .in_console(rule.clone())
            .expecting_version(version)
            .fields(input.fields.clone());
        let field = self
            .field_of(&input.transition)
            .ok_or_else(|| AppError::NotFound(format!("Transition `{}`", input.transition)))?;
        let machine = &field.machine;
        let attempted = machine.attempt(self.store_of(field, db), request).await;
        let label = self.fired_label(&input.transition, attempted.loaded.as_ref(), &rule);
        match attempted.result {
            Ok(fired) => {
                let labels = self.state_labels(db).await?;
                let label_of = |state: &StateName| self.badge(field, state.as_str(), &labels).label;
                let text = match &fired.outcome {
                    Outcome::Moved { from, to } => format!(
                        "{label}: moved from {} to {}.",
                        label_of(from),
                        label_of(to)
                    ),
                    Outcome::Stayed { state } => format!(
                        "{label}: done; the {} stays {}.",
                        self.options.singular,
                        label_of(state)
                    ),
                };
                Ok(FireReport {
                    message: Message {
                        kind: MessageKind::Success,
                        text,
                    },
                    state: self.badge(field, fired.row.state().as_str(), &labels),
                })
            }
            Err(error) => Err(self.fire_error(&label, &input.id, &error)),
        }
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// The buttons `actor` gets on this row, in declaration order, from the engine's one
    /// query of availability; what the console hides is left out (the chain asks visibility
    /// first), whatever else keeps it from being fired.
    pub(crate) fn actions(
        &self,
        field: &StateField<O>,
        row: &Row<O>,
        actor: &Actor,
        rule: &Visibility<O>,
    ) -> Vec<ActionView> {
        let display = self.options.unavailable;
        field
            .machine
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
                        state_label(&field.machine, &state)
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
    fn history_entry(
        &self,
        record: AuditRecord,
        overrides: &Overrides,
        labels: &StateLabels,
    ) -> HistoryEntry {
        // A transition's row names its field; an edit's names none and shows the first's.
        let field = record
            .field
            .as_deref()
            .and_then(|name| self.field_named(name))
            .or_else(|| self.field_of(&record.transition))
            .unwrap_or(&self.fields[0]);
        let transition = match record.transition.as_str() {
            EDIT => "Edited".to_owned(),
            CREATE => "Created".to_owned(),
            DELETE => "Deleted".to_owned(),
            name => overrides
                .label(name)
                .or_else(|| {
                    field
                        .machine
                        .declarations_of(name)
                        .next()
                        .map(|t| t.label())
                })
                .unwrap_or(name)
                .to_owned(),
        };
        HistoryEntry {
            id: record.id,
            at: record.created_at,
            actor: record.actor_username,
            transition,
            field: (self.fields.len() > 1 && record.field.is_some()).then(|| field.label.clone()),
            source: self.badge(field, &record.source, labels),
            target: record
                .target
                .map(|target| self.badge(field, &target, labels)),
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
        labels: &StateLabels,
    ) -> Result<(Vec<HistoryEntry>, bool), AppError> {
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let resource = self.name();
        let mut records = object_history(db, resource, &row.id().to_string(), fetch, None).await?;
        let more = records.len() > limit;
        records.truncate(limit);
        let entries = records
            .into_iter()
            .map(|record| self.history_entry(record, overrides, labels))
            .collect();
        Ok((entries, more))
    }
}

/// The steps (from, to) a field took in the history shown: the path its diagram emphasises.
fn steps_taken(history: &[HistoryEntry], field: &str) -> BTreeSet<(StateName, StateName)> {
    history
        .iter()
        .filter(|entry| entry.field.as_deref() == Some(field))
        .filter_map(|entry| {
            let target = entry.target.as_ref()?;
            let from = StateName::parse(&entry.source.name).ok()?;
            let to = StateName::parse(&target.name).ok()?;
            (from != to).then_some((from, to))
        })
        .collect()
}
