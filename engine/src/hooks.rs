//! Hooks: before/after every transition, on entering and leaving a state, and after commit.

use std::sync::Arc;

use serde_json::Value;

use crate::actor::Actor;
use crate::names::{ObjectId, StateName, TransitionName};
use crate::transition::HandlerError;

/// What a hook sees: django-fsm's signal arguments plus the actor and any error.
#[derive(Debug)]
pub struct TransitionEvent<'a, O> {
    /// The machine's resource name, e.g. `orders`.
    pub resource: &'a str,
    /// The row.
    pub object_id: &'a ObjectId,
    /// The object: before the handler for before hooks, after it for the others.
    pub object: &'a O,
    /// The transition.
    pub transition: &'a TransitionName,
    /// The state the row was in.
    pub source: &'a StateName,
    /// The state it goes to (`None` for check-only transitions, and in before hooks of computed targets).
    pub target: Option<&'a StateName>,
    /// The arguments as submitted.
    pub arguments: &'a Value,
    /// Who fired.
    pub actor: &'a Actor,
    /// The handler's error, on the `on_error` path.
    pub error: Option<&'a HandlerError>,
}

pub(crate) type VetoHook<O> =
    Arc<dyn Fn(&TransitionEvent<'_, O>) -> Result<(), HandlerError> + Send + Sync>;
pub(crate) type Hook<O> = Arc<dyn Fn(&TransitionEvent<'_, O>) + Send + Sync>;

/// Every hook of a machine, run by the firing path in a fixed order.
pub(crate) struct Hooks<O> {
    pub(crate) before: Vec<VetoHook<O>>,
    pub(crate) after: Vec<Hook<O>>,
    pub(crate) on_leave: Vec<(StateName, Hook<O>)>,
    pub(crate) on_enter: Vec<(StateName, Hook<O>)>,
    pub(crate) after_commit: Vec<Hook<O>>,
}

impl<O> Default for Hooks<O> {
    fn default() -> Self {
        Hooks {
            before: Vec::new(),
            after: Vec::new(),
            on_leave: Vec::new(),
            on_enter: Vec::new(),
            after_commit: Vec::new(),
        }
    }
}

impl<O> Hooks<O> {
    /// Runs before hooks in order; the first refusal vetoes the transition.
    pub(crate) fn run_before(&self, event: &TransitionEvent<'_, O>) -> Result<(), HandlerError> {
        self.before.iter().try_for_each(|hook| hook(event))
    }

    /// Runs leave hooks of the source, enter hooks of the target, then after hooks.
    pub(crate) fn run_after(&self, event: &TransitionEvent<'_, O>) {
        if let Some(target) = event.target {
            for (state, hook) in &self.on_leave {
                if state == event.source {
                    hook(event);
                }
            }
            for (state, hook) in &self.on_enter {
                if state == target {
                    hook(event);
                }
            }
        }
        for hook in &self.after {
            hook(event);
        }
    }

    /// Runs after-commit hooks.
    pub(crate) fn run_after_commit(&self, event: &TransitionEvent<'_, O>) {
        for hook in &self.after_commit {
            hook(event);
        }
    }
}
