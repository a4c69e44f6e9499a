//! A transition as the console presents it on one row: its declaration for the row's state,
//! its label and help text (hook, else override, else declared), and, when it cannot be fired
//! now, the sentence saying why. The object page, the form page, the bulk preview and the
//! fire's answer all go through these, so they always agree.

use switchyard_engine::{Actor, Channel, Row, Transition, Unavailable};

use crate::{
    admin::{
        resource::{options::TextHook, state_label, MachineResource},
        settings::visibility::{Overrides, Visibility},
    },
    db::SqlModel,
    error::AppError,
};

impl<O: SqlModel> MachineResource<O> {
    /// The declaration of `name` for the row's current state, else its first declaration
    /// (whose label still names it in a refusal); `NotFound` when the machine has none.
    pub(crate) fn declared<'a>(
        &'a self,
        name: &'a str,
        row: &Row<O>,
    ) -> Result<&'a Transition<O>, AppError> {
        let machine = self.machine_of(name);
        machine
            .resolve(name, row.state())
            .or_else(|| machine.declarations_of(name).next())
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
        first_text(
            self.options.label.as_ref(),
            transition,
            object,
            overrides.label(transition.name().as_str()),
            transition.label(),
        )
    }

    /// The transition's help text for this object: the resource's hook, else the browser's
    /// override, else the machine's.
    pub(crate) fn help_of(
        &self,
        transition: &Transition<O>,
        object: &O,
        overrides: &Overrides,
    ) -> String {
        first_text(
            self.options.help.as_ref(),
            transition,
            object,
            overrides.help_text(transition.name().as_str()),
            transition.help_text(),
        )
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
        self.availability_through(transition, row, actor, rule, Channel::Console)
    }

    /// [`availability`](Self::availability) through `channel`: on the API's, the console's
    /// visibility plays no part.
    pub(crate) fn availability_through(
        &self,
        transition: &Transition<O>,
        row: &Row<O>,
        actor: &Actor,
        rule: &Visibility<O>,
        channel: Channel,
    ) -> Result<(), AppError> {
        let name = transition.name().as_str();
        let machine = self.machine_of(name);
        let reason = match channel {
            Channel::Console => machine.console_unavailable_reason(name, row, actor, rule),
            Channel::Api => machine.unavailable_reason(name, row, actor, Channel::Api),
        };
        match reason {
            None => Ok(()),
            Some(reason) => {
                let label = self.label_of(transition, row.object(), &rule.overrides);
                Err(self.refusal(name, &label, reason))
            }
        }
    }

    /// The error for the transition `name` when it is unavailable, in a sentence naming it.
    pub(crate) fn refusal(&self, name: &str, label: &str, reason: Unavailable) -> AppError {
        match reason {
            Unavailable::WrongState { state } => AppError::Refused(format!(
                "{label} is not possible: the {} is {}.",
                self.options.singular,
                state_label(self.machine_of(name), &state)
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

/// The first text that speaks: the resource's hook for this object, the browser's override,
/// then the declared one.
fn first_text<O>(
    hook: Option<&TextHook<O>>,
    transition: &Transition<O>,
    object: &O,
    overridden: Option<&str>,
    declared: &str,
) -> String {
    hook.and_then(|hook| hook(transition, object))
        .or_else(|| overridden.map(str::to_owned))
        .unwrap_or_else(|| declared.to_owned())
}
