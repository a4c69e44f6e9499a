//! Firing from the console, in sentences: the label a fire names its transition by, and
//! every way a fire (single or in a bulk job) can fail as a sentence naming the transition.
//! The fire itself is `ObjectFeature::fire`: a request built from what the page posted goes
//! through the engine's one firing path, which reads the row once, inside its transaction,
//! and runs every check.

use switchyard_engine::{FireError, Row, StoreError};

use crate::{
    admin::{
        resource::{state_label, MachineResource},
        settings::visibility::Visibility,
    },
    db::SqlModel,
    error::AppError,
};

impl<O: SqlModel> MachineResource<O> {
    /// The label of `name` on the row as the fire loaded it (the declaration for its state,
    /// else the first one); the declared label when no row was loaded.
    pub(crate) fn fired_label(
        &self,
        name: &str,
        loaded: Option<&Row<O>>,
        rule: &Visibility<O>,
    ) -> String {
        let declared = |row: &Row<O>| {
            self.declared(name, row)
                .ok()
                .map(|transition| self.label_of(transition, row.object(), &rule.overrides))
        };
        loaded
            .and_then(declared)
            .or_else(|| {
                self.machine_of(name)
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
    pub(crate) fn fire_error(&self, label: &str, id: &str, error: &FireError) -> AppError {
        match error {
            FireError::NotFound(_) => AppError::NotFound(self.object_name(id)),
            FireError::UnknownTransition(name) => {
                AppError::NotFound(format!("Transition `{name}`"))
            }
            FireError::Unavailable { reason, transition } => {
                self.refusal(transition.as_str(), label, reason.clone())
            }
            FireError::FormInvalid { errors, .. } => AppError::FormInvalid(errors.clone()),
            FireError::InvalidArguments { message, .. } => {
                AppError::Invalid(format!("{label}: the arguments were refused: {message}"))
            }
            FireError::Vetoed { error, .. } => {
                AppError::Refused(format!("{label} was refused: {error}"))
            }
            FireError::HandlerFailed {
                error,
                error_state,
                transition,
            } => {
                let mut text = format!("{label} failed: {error}");
                if let Some(state) = error_state {
                    text.push_str(&format!(
                        " The {} is now {}.",
                        self.options.singular,
                        state_label(self.machine_of(transition.as_str()), state)
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
            FireError::Store(StoreError::Refused(sentence)) => AppError::Refused(format!(
                "{label} was refused by the database, which changed nothing: {sentence}"
            )),
            FireError::Store(error) => AppError::internal(error),
        }
    }
}
