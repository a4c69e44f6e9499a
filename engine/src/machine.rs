//! The machine: its builder (one line per state and per transition) and the checked result.

use std::sync::Arc;

use crate::error::BuildWarning;
use crate::hooks::{Hook, Hooks, TransitionEvent, VetoHook};
use crate::names::{StateName, TransitionName};
use crate::state::{GroupDecl, State, StateDecl, StateGroup, StateStorage, StoredState};
use crate::transition::{HandlerError, Transition, TransitionDecl};

/// Collects declarations; `build()` checks them and returns a `Machine`.
pub struct MachineBuilder<O> {
    pub(crate) resource: String,
    pub(crate) field: String,
    pub(crate) storage: StateStorage,
    pub(crate) states: Vec<StateDecl>,
    pub(crate) transitions: Vec<TransitionDecl<O>>,
    pub(crate) groups: Vec<GroupDecl>,
    pub(crate) hooks: Hooks<O>,
    pub(crate) on_enter: Vec<(String, Hook<O>)>,
    pub(crate) on_leave: Vec<(String, Hook<O>)>,
}

impl<O: 'static> MachineBuilder<O> {
    /// The state field (column) this machine drives: `state` unless named, as when one row
    /// carries several machines (`campaigns.step`, `campaigns.review`).
    pub fn field(mut self, field: &str) -> Self {
        self.field = field.to_owned();
        self
    }

    /// How the state column is stored (text by default).
    pub fn storage(mut self, storage: StateStorage) -> Self {
        self.storage = storage;
        self
    }

    /// Declares a state.
    pub fn state(mut self, state: StateDecl) -> Self {
        self.states.push(state);
        self
    }

    /// Declares a transition.
    pub fn transition(mut self, transition: TransitionDecl<O>) -> Self {
        self.transitions.push(transition);
        self
    }

    /// Declares a state group.
    pub fn group(mut self, group: GroupDecl) -> Self {
        self.groups.push(group);
        self
    }

    /// Runs before every transition, after the checks and the form; an error vetoes it and
    /// nothing changes.
    pub fn before_transition<F>(mut self, hook: F) -> Self
    where
        F: Fn(&TransitionEvent<'_, O>) -> Result<(), HandlerError> + Send + Sync + 'static,
    {
        let hook: VetoHook<O> = Arc::new(hook);
        self.hooks.before.push(hook);
        self
    }

    /// Runs after every transition's handler that stores a state, inside the transaction:
    /// also on the `on_error` path (with the error), but not after a handler that failed
    /// without `on_error`, which stores nothing (its attempt is still audited).
    pub fn after_transition<F>(mut self, hook: F) -> Self
    where
        F: Fn(&TransitionEvent<'_, O>) + Send + Sync + 'static,
    {
        self.hooks.after.push(Arc::new(hook));
        self
    }

    /// Runs when a transition enters `state` (self-transitions included).
    pub fn on_enter<F>(mut self, state: &str, hook: F) -> Self
    where
        F: Fn(&TransitionEvent<'_, O>) + Send + Sync + 'static,
    {
        self.on_enter.push((state.to_owned(), Arc::new(hook)));
        self
    }

    /// Runs when a transition leaves `state` (self-transitions included).
    pub fn on_leave<F>(mut self, state: &str, hook: F) -> Self
    where
        F: Fn(&TransitionEvent<'_, O>) + Send + Sync + 'static,
    {
        self.on_leave.push((state.to_owned(), Arc::new(hook)));
        self
    }

    /// Runs once the transaction has committed (for e-mails, queues and caches), for each row
    /// that stored a state: never for a handler that failed without `on_error`.
    pub fn after_commit<F>(mut self, hook: F) -> Self
    where
        F: Fn(&TransitionEvent<'_, O>) + Send + Sync + 'static,
    {
        self.hooks.after_commit.push(Arc::new(hook));
        self
    }
}

/// A checked machine: states, transitions per source, groups and hooks for one resource.
pub struct Machine<O> {
    pub(crate) resource: String,
    pub(crate) field: String,
    pub(crate) storage: StateStorage,
    pub(crate) states: Vec<State>,
    pub(crate) initial: StateName,
    pub(crate) transitions: Vec<Transition<O>>,
    pub(crate) groups: Vec<StateGroup>,
    pub(crate) hooks: Hooks<O>,
    pub(crate) warnings: Vec<BuildWarning>,
}

impl<O> std::fmt::Debug for Machine<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine")
            .field("resource", &self.resource)
            .field("field", &self.field)
            .field("states", &self.states)
            .field("transitions", &self.transitions)
            .finish_non_exhaustive()
    }
}

impl<O: 'static> Machine<O> {
    /// Starts declaring the machine of a resource, e.g. `orders`.
    pub fn builder(resource: &str) -> MachineBuilder<O> {
        MachineBuilder {
            resource: resource.to_owned(),
            field: "state".to_owned(),
            storage: StateStorage::Text,
            states: Vec::new(),
            transitions: Vec::new(),
            groups: Vec::new(),
            hooks: Hooks::default(),
            on_enter: Vec::new(),
            on_leave: Vec::new(),
        }
    }
}

impl<O> Machine<O> {
    /// The resource name recorded in audit rows.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The state field (column) this machine drives, recorded in audit rows.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// How the state column is stored.
    pub fn storage(&self) -> &StateStorage {
        &self.storage
    }

    /// The states, in declaration order.
    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// One state by name.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|state| state.name == name)
    }

    /// The state new rows start in.
    pub fn initial_state(&self) -> &StateName {
        &self.initial
    }

    /// The state groups, for list filters.
    pub fn groups(&self) -> &[StateGroup] {
        &self.groups
    }

    /// One group by name.
    pub fn group(&self, name: &str) -> Option<&StateGroup> {
        self.groups.iter().find(|group| group.name == name)
    }

    /// The stored values of a group's members, for a list filter (`WHERE state IN (...)`).
    pub fn group_filter(&self, name: &str) -> Option<Vec<StoredState>> {
        let group = self.group(name)?;
        Some(
            group
                .members
                .iter()
                .map(|state| self.encode_state(state))
                .collect(),
        )
    }

    /// Every declaration of a transition name (one per source), in declaration order.
    pub fn declarations_of<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m Transition<O>> {
        self.transitions.iter().filter(move |t| t.name == name)
    }

    /// What `build` accepted but reported (unreachable states).
    pub fn warnings(&self) -> &[BuildWarning] {
        &self.warnings
    }

    /// Every checked transition (one per declared source), in declaration order.
    pub fn transitions(&self) -> &[Transition<O>] {
        &self.transitions
    }

    /// The distinct transition names, in declaration order.
    pub fn transition_names(&self) -> Vec<&TransitionName> {
        let mut names: Vec<&TransitionName> = Vec::new();
        for transition in &self.transitions {
            if !names.contains(&&transition.name) {
                names.push(&transition.name);
            }
        }
        names
    }

    /// Whether a state is final.
    pub(crate) fn is_final(&self, state: &StateName) -> bool {
        self.states
            .iter()
            .any(|declared| &declared.name == state && declared.is_final)
    }

    /// The value written in the state column for a state.
    pub fn encode_state(&self, state: &StateName) -> StoredState {
        match (
            &self.storage,
            self.state(state.as_str()).and_then(|s| s.code),
        ) {
            (StateStorage::IntegerCode, Some(code)) => StoredState::Integer(code),
            _ => StoredState::Text(state.as_str().to_owned()),
        }
    }

    /// The state a stored value stands for, if it is one of this machine's states.
    pub fn decode_state(&self, stored: &StoredState) -> Option<StateName> {
        let found = match stored {
            StoredState::Integer(code) => self.states.iter().find(|s| s.code == Some(*code)),
            StoredState::Text(name) => self.states.iter().find(|s| s.name == name.as_str()),
        };
        found.map(|state| state.name.clone())
    }
}
