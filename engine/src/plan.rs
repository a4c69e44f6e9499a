//! The per-row half of the firing path: before hooks, handler, target, after hooks, and what to write.

use serde_json::Value;

use crate::actor::Actor;
use crate::audit::{AuditEntry, AuditOutcome};
use crate::error::FireError;
use crate::hooks::TransitionEvent;
use crate::machine::Machine;
use crate::names::{ObjectId, StateName, TransitionName};
use crate::request::Outcome;
use crate::state::StoredState;
use crate::store::{Row, RowWrite};
use crate::transition::{HandlerError, HandlerFailure, HandlerFn, Target, Transition};

/// What a row's handler and audit row get of the request: the actor, the arguments (the
/// cleaned form, or the request's), and the audit description.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    pub(crate) actor: &'a Actor,
    pub(crate) arguments: &'a Value,
    pub(crate) description: Option<&'a str>,
    /// The stored job the attempt belongs to; its audit row then names the job instead of
    /// repeating the arguments and description.
    pub(crate) job: Option<i64>,
}

/// What one row will do if the batch goes ahead.
#[derive(Debug)]
pub(crate) struct Planned<O> {
    pub(crate) id: ObjectId,
    pub(crate) transition: TransitionName,
    pub(crate) source: StateName,
    /// The row's own verdict.
    pub(crate) result: Result<Outcome, FireError>,
    pub(crate) write: Option<RowWrite<O>>,
    pub(crate) audit: Option<AuditEntry>,
    /// The state, version and object stored once committed.
    pub(crate) after: Row<O>,
    pub(crate) error: Option<HandlerError>,
}

impl<O> Planned<O> {
    /// A row refused before its handler ran: nothing to write, nothing to audit.
    pub(crate) fn refused(row: Row<O>, transition: TransitionName, error: FireError) -> Self {
        Planned {
            id: row.id.clone(),
            transition,
            source: row.state.clone(),
            result: Err(error),
            write: None,
            audit: None,
            after: row,
            error: None,
        }
    }

    /// Whether committing this row stores a state: not for a handler that failed without
    /// `on_error`, whose attempt is only logged (django-fsm-2 sends no `post_transition`
    /// then), so no after hook runs for it.
    pub(crate) fn stores_a_state(&self) -> bool {
        !matches!(
            self.result,
            Err(FireError::HandlerFailed {
                error_state: None,
                ..
            })
        )
    }

    /// Drops this row's writes: an all-or-nothing batch is not going ahead.
    pub(crate) fn discard(&mut self) {
        self.write = None;
        self.audit = None;
    }

    /// The whole transaction is rolled back: nothing of this row is stored, not even an
    /// `on_error` state, so the verdict must not claim one.
    pub(crate) fn abandon(&mut self) {
        self.discard();
        if let Err(FireError::HandlerFailed { error_state, .. }) = &mut self.result {
            *error_state = None;
        }
    }
}

impl<O: Clone> Machine<O> {
    fn audit_entry(
        &self,
        row: &Row<O>,
        transition: &Transition<O>,
        attempt: Attempt<'_>,
        target: Option<StateName>,
        outcome: AuditOutcome,
    ) -> AuditEntry {
        AuditEntry {
            resource: self.resource.clone(),
            field: self.field.clone(),
            object_id: row.id.clone(),
            transition: transition.name.clone(),
            source: row.state.clone(),
            target,
            actor_id: attempt.actor.id,
            actor_username: attempt.actor.username.clone(),
            arguments: match attempt.job {
                Some(_) => Value::Null,
                None => attempt.arguments.clone(),
            },
            description: match attempt.job {
                Some(_) => None,
                None => attempt.description.map(str::to_owned),
            },
            job: attempt.job,
            outcome,
        }
    }

    /// What to store for `row`: `state`, and `object` as the handler left it (`handled`) or
    /// as it was loaded.
    fn write_for(&self, row: &Row<O>, state: &StateName, object: O, handled: bool) -> RowWrite<O> {
        RowWrite {
            id: row.id.clone(),
            expected_state: row.stored.clone(),
            expected_version: row.version,
            state: self.stored_value(row, state),
            version: row.version.next(),
            object,
            object_changed: handled,
        }
    }

    /// The value to store for `state` on `row`: the row's own value when it stays (so an
    /// undeclared state is written back as it was read), else the state's encoding.
    fn stored_value(&self, row: &Row<O>, state: &StateName) -> StoredState {
        if *state == row.state {
            row.stored.clone()
        } else {
            self.encode_state(state)
        }
    }

    fn resolve_target(
        &self,
        transition: &Transition<O>,
        returned: Option<String>,
        object: &O,
    ) -> Result<Option<StateName>, FireError> {
        let (computed, allowed) = match &transition.target {
            Target::Fixed(state) => return Ok(Some(state.clone())),
            Target::Unchanged => return Ok(None),
            Target::FromHandler { allowed } => (returned.unwrap_or_default(), allowed),
            Target::FromObject { allowed, compute } => (compute(object), allowed),
        };
        allowed
            .iter()
            .find(|state| state.as_str() == computed)
            .map(|state| Some(state.clone()))
            .ok_or_else(|| FireError::TargetNotAllowed {
                transition: transition.name.clone(),
                target: computed,
                allowed: allowed.clone(),
            })
    }

    /// Runs before hooks, the handler and the after hooks for one checked row, and says what
    /// to write. Nothing here touches storage.
    pub(crate) fn plan_row(
        &self,
        row: Row<O>,
        transition: &Transition<O>,
        attempt: Attempt<'_>,
    ) -> Planned<O> {
        let name = transition.name.clone();
        let fixed_target = match &transition.target {
            Target::Fixed(state) => Some(state),
            _ => None,
        };
        let event = |object, target, error| {
            Frame {
                machine: self,
                row: &row,
                transition,
                attempt,
            }
            .event(object, target, error)
        };
        if let Err(error) = self
            .hooks
            .run_before(&event(&row.object, fixed_target, None))
        {
            let error = FireError::Vetoed {
                transition: name.clone(),
                error,
            };
            return Planned::refused(row, name, error);
        }
        let mut object = row.object.clone();
        let returned = match &transition.handler {
            Some(handler) => run_handler(handler, &mut object, attempt),
            None => Ok(None),
        };
        let error = match returned {
            Ok(returned) => match self.resolve_target(transition, returned, &object) {
                Ok(target) => {
                    self.hooks.run_after(&event(&object, target.as_ref(), None));
                    return self.completed(row, transition, attempt, target, object);
                }
                Err(refusal) => return Planned::refused(row, name, refusal),
            },
            Err(HandlerFailure::Arguments(message)) => {
                let refusal = FireError::InvalidArguments {
                    transition: name.clone(),
                    message,
                };
                return Planned::refused(row, name, refusal);
            }
            Err(HandlerFailure::Failed(error)) => error,
        };
        let error_state = transition.on_error.clone();
        // Without `on_error` nothing is stored, so nothing happened that an after hook could
        // react to; the failed attempt is still audited.
        if error_state.is_some() {
            self.hooks
                .run_after(&event(&row.object, error_state.as_ref(), Some(&error)));
        }
        let audit = self.audit_entry(
            &row,
            transition,
            attempt,
            error_state.clone(),
            AuditOutcome::Failed {
                error: error.message().to_owned(),
            },
        );
        let (write, after) = match &error_state {
            Some(state) => {
                let write = self.write_for(&row, state, row.object.clone(), false);
                let after = moved(self, &row, state.clone(), row.object.clone());
                (Some(write), after)
            }
            None => (None, row.clone()),
        };
        Planned {
            id: row.id.clone(),
            transition: name.clone(),
            source: row.state.clone(),
            result: Err(FireError::HandlerFailed {
                transition: name,
                error: error.clone(),
                error_state,
            }),
            write,
            audit: Some(audit),
            after,
            error: Some(error),
        }
    }

    fn completed(
        &self,
        row: Row<O>,
        transition: &Transition<O>,
        attempt: Attempt<'_>,
        target: Option<StateName>,
        object: O,
    ) -> Planned<O> {
        let new_state = target.clone().unwrap_or_else(|| row.state.clone());
        let audit = self.audit_entry(
            &row,
            transition,
            attempt,
            target.clone(),
            AuditOutcome::Completed,
        );
        let outcome = match target {
            Some(to) => Outcome::Moved {
                from: row.state.clone(),
                to,
            },
            None => Outcome::Stayed {
                state: row.state.clone(),
            },
        };
        Planned {
            id: row.id.clone(),
            transition: transition.name.clone(),
            source: row.state.clone(),
            result: Ok(outcome),
            write: Some(self.write_for(
                &row,
                &new_state,
                object.clone(),
                transition.handler.is_some(),
            )),
            audit: Some(audit),
            after: moved(self, &row, new_state, object),
            error: None,
        }
    }
}

fn moved<O: Clone>(machine: &Machine<O>, row: &Row<O>, state: StateName, object: O) -> Row<O> {
    Row {
        id: row.id.clone(),
        stored: machine.stored_value(row, &state),
        state,
        version: row.version.next(),
        object,
    }
}

/// What every hook event of one row shares.
struct Frame<'a, O> {
    machine: &'a Machine<O>,
    row: &'a Row<O>,
    transition: &'a Transition<O>,
    attempt: Attempt<'a>,
}

impl<'a, O> Frame<'a, O> {
    fn event(
        self,
        object: &'a O,
        target: Option<&'a StateName>,
        error: Option<&'a HandlerError>,
    ) -> TransitionEvent<'a, O> {
        TransitionEvent {
            resource: &self.machine.resource,
            object_id: &self.row.id,
            object,
            transition: &self.transition.name,
            source: &self.row.state,
            target,
            arguments: self.attempt.arguments,
            actor: self.attempt.actor,
            error,
        }
    }
}

/// The sentence of a handler that panicked; what it panicked with goes to the process's
/// panic hook (standard error), not to the user.
pub(crate) const HANDLER_PANICKED: &str =
    "The transition's code failed unexpectedly; nothing was changed by it.";

/// Calls a handler; a panic in deployer code is a failed attempt like any other (audited,
/// `on_error` applies), never an unwinding through the store, which may be holding the only
/// SQLite writer. A failed attempt stores the object as it was loaded, so whatever the handler
/// half-changed before panicking is dropped.
fn run_handler<O>(
    handler: &HandlerFn<O>,
    object: &mut O,
    attempt: Attempt<'_>,
) -> Result<Option<String>, HandlerFailure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler(object, attempt.actor, attempt.arguments)
    }))
    .unwrap_or_else(|_| Err(HandlerFailure::Failed(HandlerError::new(HANDLER_PANICKED))))
}
