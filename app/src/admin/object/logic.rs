//! The object page, the history page and firing a transition, for a [`MachineResource`].

use async_trait::async_trait;
use switchyard_engine::{Actor, ConsoleRule, FireRequest, Outcome, Row, Unavailable, Version};

use super::types::{
    ActionView, FieldValue, FireInput, FireReport, HistoryEntry, HistoryView, ObjectView,
};
use crate::{
    admin::{
        flash::{Message, MessageKind},
        resource::{state_label, MachineResource},
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
        let row = self.load_row(db, id).await?;
        let rule = self.visibility(db).await?;
        let (history, more_history) = self
            .recent_history(db, &row, OBJECT_PAGE_HISTORY, &rule.overrides)
            .await?;
        Ok(ObjectView {
            resource: self.machine.resource().to_owned(),
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

    async fn history(&self, db: &Db, id: &str, limit: usize) -> Result<HistoryView, AppError> {
        let row = self.load_row(db, id).await?;
        let overrides = Overrides::read(db, self.machine.resource()).await?;
        let (entries, truncated) = self.recent_history(db, &row, limit, &overrides).await?;
        Ok(HistoryView {
            resource: self.machine.resource().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            id: row.id().to_string(),
            state: self.badge(row.state().as_str()),
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
        let attempted = self.machine.attempt(self.store(db), request).await;
        let label = self.fired_label(&input.transition, attempted.loaded.as_ref(), &rule);
        match attempted.result {
            Ok(fired) => {
                let text = match &fired.outcome {
                    Outcome::Moved { from, to } => format!(
                        "{label}: moved from {} to {}.",
                        state_label(&self.machine, from),
                        state_label(&self.machine, to)
                    ),
                    Outcome::Stayed { state } => format!(
                        "{label}: done; the {} stays {}.",
                        self.options.singular,
                        state_label(&self.machine, state)
                    ),
                };
                Ok(FireReport {
                    message: Message {
                        kind: MessageKind::Success,
                        text,
                    },
                    state: self.badge(fired.row.state().as_str()),
                })
            }
            Err(error) => Err(self.fire_error(&label, &input.id, error)),
        }
    }
}

impl<O: SqlModel> MachineResource<O> {
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
                        state_label(&self.machine, &state)
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
        let resource = self.machine.resource();
        let mut records = object_history(db, resource, &row.id().to_string(), fetch).await?;
        let more = records.len() > limit;
        records.truncate(limit);
        let entries = records
            .into_iter()
            .map(|record| self.history_entry(record, overrides))
            .collect();
        Ok((entries, more))
    }
}
