//! Firing a transition from the console: the checks the page made, made again on the
//! server, then the engine's one firing path, and every outcome as a sentence naming the
//! transition by its label.

use switchyard_engine::{
    Actor, ConsoleRule, FireError, FireRequest, Outcome, Unavailable, Version,
};

use super::{
    resource::{state_label, MachineResource},
    view::{FireInput, FireReport, Message, MessageKind},
};
use crate::{
    db::{Db, SqlModel},
    error::AppError,
};

impl<O: SqlModel> MachineResource<O> {
    /// Fires `input.transition` on `input.id` as `actor`, through the console channel (hidden
    /// transitions are refused), expecting the version the page showed.
    pub(crate) async fn fire_from_console(
        &self,
        db: &Db,
        input: &FireInput,
        actor: &Actor,
    ) -> Result<FireReport, AppError> {
        let row = self.load_row(db, &input.id).await?;
        let transition = self.declared(&input.transition, &row)?;
        let rule = self.visibility(db).await?;
        let label = self.label_of(transition, row.object(), &rule.overrides);
        let version = Version::new(input.version)
            .map_err(|_| AppError::Invalid("The version must not be negative.".to_owned()))?;
        // Hidden is refused as such, even from a stale page.
        if !rule.shows(transition, row.object(), actor) {
            return Err(self.refusal(&label, Unavailable::Hidden));
        }
        if row.version() != version {
            return Err(self.conflict(&label));
        }
        // Refusals come before form errors: a form for a transition that is no longer
        // available says so, whatever was typed.
        self.availability(transition, &row, actor, &rule)?;
        // The engine asks the same rule again on the row it loads in its transaction.
        let mut request = FireRequest::new(row.id().clone(), &input.transition, actor.clone())
            .in_console(rule.clone())
            .expecting_version(version);
        if let Some(form) = self.form_of(transition) {
            let arguments = form.clean(&input.fields).map_err(AppError::FormInvalid)?;
            let description = form
                .description_field
                .as_deref()
                .and_then(|field| arguments.get(field))
                .and_then(|value| value.as_str())
                .filter(|text| !text.is_empty())
                .map(str::to_owned);
            request = request.arguments(arguments);
            if let Some(description) = description {
                request = request.description(&description);
            }
        }
        match self.machine.fire(self.store(db), request).await {
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
