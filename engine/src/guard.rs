//! Availability: resolving a transition for the current state, and why one is unavailable.

use serde::Serialize;

use crate::actor::Actor;
use crate::form::{Cleaned, FieldErrors, Form};
use crate::machine::Machine;
use crate::names::{StateName, Version};
use crate::store::Row;
use crate::transition::{Source, Transition};

/// Who is asking: the admin console honours visibility, APIs do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Channel {
    /// The admin console: hidden transitions are refused (by the transition's flag, or by the
    /// request's [`ConsoleRule`]).
    Console,
    /// An API or program path: visibility does not apply, permission still does.
    Api,
}

/// How a front end presents transitions: whether the console offers one on an object to an
/// actor, and which form cleans its fields. The engine asks it inside the fire's
/// transaction, on the row it loaded, so what the console hides cannot be fired through it
/// by hand, and the form that cleans is the form the page showed. A console with settings of
/// its own (Switchyard's overrides, a global default, a per-object hook, forms of its own)
/// implements it; closures of the `shows` shape do too.
pub trait ConsoleRule<O>: Send + Sync {
    /// `true` when the console offers `transition` on `object` to `actor`.
    fn shows(&self, transition: &Transition<O>, object: &O, actor: &Actor) -> bool;

    /// The form that cleans `transition`'s fields: the machine's unless the front end
    /// declares its own. Asked on every channel.
    fn form<'t>(&'t self, transition: &'t Transition<O>) -> Option<&'t Form> {
        transition.form()
    }
}

impl<O, F> ConsoleRule<O> for F
where
    F: Fn(&Transition<O>, &O, &Actor) -> bool + Send + Sync,
{
    fn shows(&self, transition: &Transition<O>, object: &O, actor: &Actor) -> bool {
        self(transition, object, actor)
    }
}

/// The default console rule: the transition's admin flag, unset meaning shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlagRule;

impl<O> ConsoleRule<O> for FlagRule {
    fn shows(&self, transition: &Transition<O>, _object: &O, _actor: &Actor) -> bool {
        transition.admin_visible()
    }
}

/// A condition that failed, with the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmetCondition {
    /// The condition's name.
    pub name: String,
    /// The sentence to show.
    pub sentence: String,
}

/// Why a transition cannot be fired now. The chain meets them in this order: hidden (console
/// only), then a stale version (a fire's `Conflict`), then wrong state, forbidden, conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unavailable {
    /// No declaration of the transition starts from the object's current state.
    #[error("it cannot start from state `{state}`")]
    WrongState {
        /// The current state.
        state: StateName,
    },
    /// The actor lacks the permission.
    #[error("you do not have permission")]
    Forbidden,
    /// The transition is hidden from the admin console.
    #[error("it is not offered in the console")]
    Hidden,
    /// Conditions failed; all of them are listed.
    #[error("{}", unmet.iter().map(|c| c.sentence.as_str()).collect::<Vec<_>>().join(" "))]
    ConditionsUnmet {
        /// Every failing condition.
        unmet: Vec<UnmetCondition>,
    },
}

/// One transition as seen from one object by one actor: the resolved declaration and its status.
#[derive(Debug)]
pub struct TransitionStatus<'m, O> {
    /// The declaration resolved for the current state (the first declared when none starts there).
    pub transition: &'m Transition<O>,
    /// `Ok` when the actor may fire it now.
    pub status: Result<(), Unavailable>,
}

/// How much of the check chain to run.
pub(crate) struct CheckScope<'a, O> {
    pub(crate) actor: Option<&'a Actor>,
    /// The console's rule; `None` on the API channel, where visibility does not apply.
    pub(crate) console: Option<&'a dyn ConsoleRule<O>>,
    /// The version the caller saw; `None` for queries and bulk fires.
    pub(crate) expected_version: Option<Version>,
    pub(crate) conditions: bool,
}

/// Why the check chain stopped: a reason a query reports too, or a stale version (only a
/// fire names one).
#[derive(Debug)]
pub(crate) enum Refusal {
    Unavailable(Unavailable),
    Stale,
}

impl<O> Clone for CheckScope<'_, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for CheckScope<'_, O> {}

impl<'a, O> CheckScope<'a, O> {
    /// Every check for `actor` through `channel`, the console judged by the flag alone.
    fn full(actor: &'a Actor, channel: Channel) -> Self {
        CheckScope {
            actor: Some(actor),
            console: match channel {
                Channel::Console => Some(&FlagRule),
                Channel::Api => None,
            },
            expected_version: None,
            conditions: true,
        }
    }
}

impl<O> Machine<O> {
    /// The declaration of `name` that applies from `state`: exact source, then `*`, then `+`.
    pub fn resolve(&self, name: &str, state: &StateName) -> Option<&Transition<O>> {
        let is_final = self.is_final(state);
        let candidates = || {
            self.transitions
                .iter()
                .filter(move |t| t.name == name && t.starts_from(state, is_final))
        };
        candidates()
            .find(|t| matches!(t.source, Source::State(_)))
            .or_else(|| candidates().find(|t| t.source == Source::Any))
            .or_else(|| candidates().find(|t| t.source == Source::AnyOther))
    }

    /// The one check chain, up to the conditions: resolve `name` for the current state, then
    /// visibility (console only, on the resolved declaration, else the first one, so the
    /// console never says what it hides would be possible), then the version the caller saw,
    /// then the state, the permission and every condition. The fire continues it with the
    /// form, the hooks and the handler; every query of availability stops here.
    pub(crate) fn check(
        &self,
        name: &str,
        row: &Row<O>,
        scope: CheckScope<'_, O>,
    ) -> Result<&Transition<O>, Refusal> {
        let resolved = self.resolve(name, row.state());
        let declared = resolved.or_else(|| self.declarations_of(name).next());
        if let (Some(rule), Some(transition)) = (scope.console, declared) {
            let shown = scope
                .actor
                .is_some_and(|actor| rule.shows(transition, row.object(), actor));
            if !shown {
                return Err(Refusal::Unavailable(Unavailable::Hidden));
            }
        }
        if scope
            .expected_version
            .is_some_and(|seen| seen != row.version())
        {
            return Err(Refusal::Stale);
        }
        let transition = resolved.ok_or_else(|| {
            Refusal::Unavailable(Unavailable::WrongState {
                state: row.state().clone(),
            })
        })?;
        if let (Some(actor), Some(permission)) = (scope.actor, transition.permission.as_ref()) {
            if !permission.allows(actor, row.object()) {
                return Err(Refusal::Unavailable(Unavailable::Forbidden));
            }
        }
        if scope.conditions {
            let unmet: Vec<UnmetCondition> = transition
                .conditions
                .iter()
                .filter(|condition| !(condition.check)(row.object()))
                .map(|condition| UnmetCondition {
                    name: condition.name.clone(),
                    sentence: condition.unmet.clone(),
                })
                .collect();
            if !unmet.is_empty() {
                return Err(Refusal::Unavailable(Unavailable::ConditionsUnmet { unmet }));
            }
        }
        Ok(transition)
    }

    /// [`check`](Self::check) for the queries, which name no version.
    fn evaluate(
        &self,
        name: &str,
        row: &Row<O>,
        scope: CheckScope<'_, O>,
    ) -> Result<&Transition<O>, Unavailable> {
        self.check(name, row, scope)
            .map_err(|refusal| match refusal {
                Refusal::Unavailable(reason) => reason,
                // A query names no version, so nothing it asks can be stale.
                Refusal::Stale => Unavailable::WrongState {
                    state: row.state().clone(),
                },
            })
    }

    /// Cleans `fields` for `name` as a fire does, before any row is read: by the form `rule`
    /// picks for the first declaration that has one. `None` when no declaration has a form.
    /// For a page that checks a form before storing it (a bulk job, whose batches clean the
    /// same fields again inside each fire).
    pub fn clean_fields(
        &self,
        name: &str,
        rule: &dyn ConsoleRule<O>,
        fields: &std::collections::BTreeMap<String, String>,
    ) -> Option<Result<Cleaned, FieldErrors>> {
        let form = self.declarations_of(name).find_map(|t| rule.form(t))?;
        Some(form.clean_with_note(fields))
    }

    /// Transitions that start from the row's state and whose conditions hold (no actor involved).
    pub fn available(&self, row: &Row<O>) -> Vec<&Transition<O>> {
        let scope = CheckScope {
            actor: None,
            console: None,
            expected_version: None,
            conditions: true,
        };
        self.each_resolved(row, scope)
    }

    /// Transitions the actor may fire now on this row, through this channel.
    pub fn available_to(
        &self,
        row: &Row<O>,
        actor: &Actor,
        channel: Channel,
    ) -> Vec<&Transition<O>> {
        self.each_resolved(row, CheckScope::full(actor, channel))
    }

    fn each_resolved(&self, row: &Row<O>, scope: CheckScope<'_, O>) -> Vec<&Transition<O>> {
        self.transition_names()
            .into_iter()
            .filter_map(|name| self.evaluate(name.as_str(), row, scope).ok())
            .collect()
    }

    /// Every transition with its status for this actor: what the console needs to draw
    /// enabled buttons and disabled ones with their reason.
    pub fn statuses(
        &self,
        row: &Row<O>,
        actor: &Actor,
        channel: Channel,
    ) -> Vec<TransitionStatus<'_, O>> {
        self.statuses_in(row, CheckScope::full(actor, channel))
    }

    /// [`statuses`](Self::statuses) in a console that decides visibility by `rule`.
    pub fn console_statuses(
        &self,
        row: &Row<O>,
        actor: &Actor,
        rule: &dyn ConsoleRule<O>,
    ) -> Vec<TransitionStatus<'_, O>> {
        let scope = CheckScope {
            actor: Some(actor),
            console: Some(rule),
            expected_version: None,
            conditions: true,
        };
        self.statuses_in(row, scope)
    }

    fn statuses_in(&self, row: &Row<O>, scope: CheckScope<'_, O>) -> Vec<TransitionStatus<'_, O>> {
        let mut statuses = Vec::new();
        for name in self.transition_names() {
            let resolved = self
                .resolve(name.as_str(), row.state())
                .or_else(|| self.transitions.iter().find(|t| &t.name == name));
            if let Some(transition) = resolved {
                let status = self.evaluate(name.as_str(), row, scope).map(|_| ());
                statuses.push(TransitionStatus { transition, status });
            }
        }
        statuses
    }

    /// Why the actor cannot fire `name` on this row now, or `None` when they can.
    pub fn unavailable_reason(
        &self,
        name: &str,
        row: &Row<O>,
        actor: &Actor,
        channel: Channel,
    ) -> Option<Unavailable> {
        let scope = CheckScope::full(actor, channel);
        self.evaluate(name, row, scope).err()
    }

    /// [`unavailable_reason`](Self::unavailable_reason) in a console that decides visibility
    /// by `rule`.
    pub fn console_unavailable_reason(
        &self,
        name: &str,
        row: &Row<O>,
        actor: &Actor,
        rule: &dyn ConsoleRule<O>,
    ) -> Option<Unavailable> {
        let scope = CheckScope {
            actor: Some(actor),
            console: Some(rule),
            expected_version: None,
            conditions: true,
        };
        self.evaluate(name, row, scope).err()
    }

    /// django-fsm's `can_proceed`: the transition starts from the row's state and, if asked,
    /// its conditions hold.
    pub fn can_proceed(&self, name: &str, row: &Row<O>, check_conditions: bool) -> bool {
        let scope = CheckScope {
            actor: None,
            console: None,
            expected_version: None,
            conditions: check_conditions,
        };
        self.evaluate(name, row, scope).is_ok()
    }

    /// django-fsm's `has_transition_perm`: state, conditions and the actor's permission.
    pub fn has_transition_perm(&self, name: &str, row: &Row<O>, actor: &Actor) -> bool {
        let scope = CheckScope::full(actor, Channel::Api);
        self.evaluate(name, row, scope).is_ok()
    }
}
