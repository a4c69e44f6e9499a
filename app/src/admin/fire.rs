//! Firing a transition from the console: a request built from what the page posted, the
//! engine's one firing path (which reads the row once, inside its transaction, and runs every
//! check), and every outcome as a sentence naming the transition by its label.

use switchyard_engine::{Actor, FireError, FireRequest, Outcome, Row, Version};

use super::{
    resource::{state_label, MachineResource},
    view::{FireInput, FireReport, Message, MessageKind},
    visibility::Visibility,
};
use crate::{
    db::{Db, SqlModel},
    error::AppError,
};

impl<O: SqlModel> MachineResource<O> {
    /// Fires `input.transition` on `input.id` as `actor`, through the console channel,
    /// expecting the version the page showed, with the form's fields as typed. The console
    /// decides nothing itself: the engine refuses in its one order (see the engine's crate
    /// docs) and this maps its answer to a sentence.
    pub(crate) async fn fire_from_console(
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

    /// The label of `name` on the row as the fire loaded it (the declaration for its state,
    /// else the first one); the declared label when no row was loaded.
    fn fired_label(&self, name: &str, loaded: Option<&Row<O>>, rule: &Visibility<O>) -> String {
        let declared = |row: &Row<O>| {
            self.machine
                .resolve(name, row.state())
                .or_else(|| self.machine.declarations_of(name).next())
                .map(|transition| self.label_of(transition, row.object(), &rule.overrides))
        };
        loaded
            .and_then(declared)
            .or_else(|| {
                self.machine
                    .declarations_of(name)
                    .next()
                    .map(|transition| rule.label(transition))
            })
            .unwrap_or_else(|| name.to_owned())
    }

    fn conflict(&self, label: &str) -> AppError {
        AppError::Conflict(format!(
            "{label}: this {} was changed by someone else since the page was loaded. \
             Reload it and try again.",
            self.options.singular
        ))
    }

    /// A failed fire as the sentence the console shows.
    pub(crate) fn fire_error(&self, label: &str, id: &str, error: FireError) -> AppError {
        match error {
            FireError::NotFound(_) => AppError::NotFound(self.object_name(id)),
            FireError::UnknownTransition(name) => {
                AppError::NotFound(format!("Transition `{name}`"))
            }
            FireError::Unavailable { reason, .. } => self.refusal(label, reason),
            FireError::FormInvalid { errors, .. } => AppError::FormInvalid(errors),
            FireError::InvalidArguments { message, .. } => {
                AppError::Invalid(format!("{label}: the arguments were refused: {message}"))
            }
            FireError::Vetoed { error, .. } => {
                AppError::Refused(format!("{label} was refused: {error}"))
            }
            FireError::HandlerFailed {
                error, error_state, ..
            } => {
                let mut text = format!("{label} failed: {error}");
                if let Some(state) = error_state {
                    text.push_str(&format!(
                        " The {} is now {}.",
                        self.options.singular,
                        state_label(&self.machine, &state)
                    ));
                } else {
                    text.push_str(" Nothing was changed.");
                }
                AppError::Refused(text)
            }
            FireError::TargetNotAllowed { target, .. } => AppError::Refused(format!(
                "{label} failed: it chose the state `{target}`, which it may not enter. \
                 Nothing was changed."
            )),
            FireError::Conflict(_) => self.conflict(label),
            FireError::Store(error) => AppError::internal(error),
        }
    }
}
