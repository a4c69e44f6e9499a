//! Transitions: the declaration builder and the checked, per-source form the engine resolves.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::actor::Actor;
use crate::form::Form;
use crate::names::{StateName, TransitionName};

/// The failure a handler reports; its message reaches the caller and the audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct HandlerError {
    message: String,
}

impl HandlerError {
    /// A failure with the sentence the user should read.
    pub fn new(message: impl Into<String>) -> Self {
        HandlerError {
            message: message.into(),
        }
    }

    /// The sentence.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What an erased handler call can end with.
#[derive(Debug)]
pub(crate) enum HandlerFailure {
    /// The arguments did not deserialize into the handler's type; the handler never ran.
    Arguments(String),
    /// The handler ran and failed.
    Failed(HandlerError),
}

pub(crate) type HandlerFn<O> =
    Arc<dyn Fn(&mut O, &Actor, &Value) -> Result<Option<String>, HandlerFailure> + Send + Sync>;
pub(crate) type ConditionFn<O> = Arc<dyn Fn(&O) -> bool + Send + Sync>;
pub(crate) type PredicateFn<O> = Arc<dyn Fn(&Actor, &O) -> bool + Send + Sync>;
pub(crate) type ComputeFn<O> = Arc<dyn Fn(&O) -> String + Send + Sync>;

/// A named condition with the sentence shown when it fails.
pub struct Condition<O> {
    /// A short identifier, e.g. `amount_within_limit`.
    pub name: String,
    /// The sentence shown when the condition is not met.
    pub unmet: String,
    pub(crate) check: ConditionFn<O>,
}

impl<O> Clone for Condition<O> {
    fn clone(&self) -> Self {
        Condition {
            name: self.name.clone(),
            unmet: self.unmet.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

impl<O> fmt::Debug for Condition<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("name", &self.name)
            .field("unmet", &self.unmet)
            .finish()
    }
}

/// Who may fire a transition: a permission code, or a predicate over the actor and the object.
pub enum Permission<O> {
    /// The actor must hold this code (superusers hold all).
    Code(String),
    /// The predicate must return true.
    Predicate(PredicateFn<O>),
}

impl<O> Clone for Permission<O> {
    fn clone(&self) -> Self {
        match self {
            Permission::Code(code) => Permission::Code(code.clone()),
            Permission::Predicate(predicate) => Permission::Predicate(Arc::clone(predicate)),
        }
    }
}

impl<O> fmt::Debug for Permission<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Permission::Code(code) => write!(f, "Permission::Code({code:?})"),
            Permission::Predicate(_) => f.write_str("Permission::Predicate(..)"),
        }
    }
}

impl<O> Permission<O> {
    /// Whether the actor may fire on this object.
    pub fn allows(&self, actor: &Actor, object: &O) -> bool {
        match self {
            Permission::Code(code) => actor.has_perm(code),
            Permission::Predicate(predicate) => predicate(actor, object),
        }
    }
}

/// Where a checked transition may start.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "state", rename_all = "snake_case")]
pub enum Source {
    /// From this state.
    State(StateName),
    /// `*`: from every non-final state, the target included.
    Any,
    /// `+`: from every non-final state other than the target.
    AnyOther,
}

/// Where a transition leads.
pub enum Target<O> {
    /// Always this state.
    Fixed(StateName),
    /// The state does not change (a check-only transition).
    Unchanged,
    /// The state the handler returns, which must be in `allowed`.
    FromHandler {
        /// The states the handler may return.
        allowed: Vec<StateName>,
    },
    /// The state a function of the object returns after the handler ran; must be in `allowed`.
    FromObject {
        /// The states the function may return.
        allowed: Vec<StateName>,
        /// The function.
        compute: ComputeFn<O>,
    },
}

impl<O> Clone for Target<O> {
    fn clone(&self) -> Self {
        match self {
            Target::Fixed(state) => Target::Fixed(state.clone()),
            Target::Unchanged => Target::Unchanged,
            Target::FromHandler { allowed } => Target::FromHandler {
                allowed: allowed.clone(),
            },
            Target::FromObject { allowed, compute } => Target::FromObject {
                allowed: allowed.clone(),
                compute: Arc::clone(compute),
            },
        }
    }
}

impl<O> fmt::Debug for Target<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Fixed(state) => write!(f, "Target::Fixed({state})"),
            Target::Unchanged => f.write_str("Target::Unchanged"),
            Target::FromHandler { allowed } => write!(f, "Target::FromHandler({allowed:?})"),
            Target::FromObject { allowed, .. } => write!(f, "Target::FromObject({allowed:?})"),
        }
    }
}

impl<O> Target<O> {
    /// Every state this target can lead to (empty for `Unchanged`).
    pub fn possible_states(&self) -> Vec<StateName> {
        match self {
            Target::Fixed(state) => vec![state.clone()],
            Target::Unchanged => Vec::new(),
            Target::FromHandler { allowed } | Target::FromObject { allowed, .. } => allowed.clone(),
        }
    }
}

/// A checked transition for one source: what the engine resolves for an object's current state.
pub struct Transition<O> {
    pub(crate) name: TransitionName,
    pub(crate) source: Source,
    pub(crate) target: Target<O>,
    pub(crate) label: String,
    pub(crate) help_text: String,
    pub(crate) admin_flag: Option<bool>,
    pub(crate) conditions: Vec<Condition<O>>,
    pub(crate) permission: Option<Permission<O>>,
    pub(crate) on_error: Option<StateName>,
    pub(crate) form: Option<Form>,
    pub(crate) confirmation: Option<String>,
    pub(crate) metadata: Value,
    pub(crate) handler: Option<HandlerFn<O>>,
}

impl<O> fmt::Debug for Transition<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transition")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("target", &self.target)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl<O> Transition<O> {
    /// The transition's name.
    pub fn name(&self) -> &TransitionName {
        &self.name
    }
    /// Where this declaration starts.
    pub fn source(&self) -> &Source {
        &self.source
    }
    /// Where it leads.
    pub fn target(&self) -> &Target<O> {
        &self.target
    }
    /// The button label (defaults to the name).
    pub fn label(&self) -> &str {
        &self.label
    }
    /// The help text shown under the button or as its title.
    pub fn help_text(&self) -> &str {
        &self.help_text
    }
    /// The admin flag as declared: `Some(false)` for [`hidden_from_admin`], `Some(true)` for
    /// [`shown_in_admin`], `None` when the declaration leaves it to the console's default.
    ///
    /// [`hidden_from_admin`]: crate::TransitionDecl::hidden_from_admin
    /// [`shown_in_admin`]: crate::TransitionDecl::shown_in_admin
    pub fn admin_flag(&self) -> Option<bool> {
        self.admin_flag
    }
    /// Whether the admin console shows it by the flag alone, unset meaning shown (APIs
    /// ignore it). A console with its own rule, such as Switchyard's settings, asks
    /// [`admin_flag`](Self::admin_flag) instead.
    pub fn admin_visible(&self) -> bool {
        self.admin_flag.unwrap_or(true)
    }
    /// The named conditions.
    pub fn conditions(&self) -> &[Condition<O>] {
        &self.conditions
    }
    /// The permission, if any (none means everyone may fire).
    pub fn permission(&self) -> Option<&Permission<O>> {
        self.permission.as_ref()
    }
    /// The state persisted when the handler fails.
    pub fn on_error(&self) -> Option<&StateName> {
        self.on_error.as_ref()
    }
    /// The form the console renders before firing.
    pub fn form(&self) -> Option<&Form> {
        self.form.as_ref()
    }
    /// The confirmation sentence for transitions without a form.
    pub fn confirmation(&self) -> Option<&str> {
        self.confirmation.as_deref()
    }
    /// Free metadata for the console (css classes, icons...).
    pub fn metadata(&self) -> &Value {
        &self.metadata
    }
    /// Whether this declaration applies from `state` (`*`/`+` never apply from final states).
    pub(crate) fn starts_from(&self, state: &StateName, state_is_final: bool) -> bool {
        match &self.source {
            Source::State(source) => source == state,
            Source::Any => !state_is_final,
            Source::AnyOther => {
                !state_is_final && !matches!(&self.target, Target::Fixed(target) if target == state)
            }
        }
    }
}

/// What the builder records for `from…` calls before names are checked.
#[derive(Debug, Clone)]
pub(crate) enum SourceDecl {
    States(Vec<String>),
    Any,
    AnyOther,
}

/// What the builder records for `to…` calls before names are checked.
pub(crate) enum TargetDecl<O> {
    Fixed(String),
    Unchanged,
    FromHandler(Vec<String>),
    FromObject(Vec<String>, ComputeFn<O>),
}

/// A transition as the deployer writes it, one line per transition; checked by `build()`.
pub struct TransitionDecl<O> {
    pub(crate) name: String,
    pub(crate) source: Option<SourceDecl>,
    pub(crate) target: Option<TargetDecl<O>>,
    pub(crate) label: Option<String>,
    pub(crate) help_text: String,
    pub(crate) admin_flag: Option<bool>,
    pub(crate) conditions: Vec<Condition<O>>,
    pub(crate) permission: Option<Permission<O>>,
    pub(crate) on_error: Option<String>,
    pub(crate) form: Option<Form>,
    pub(crate) confirmation: Option<String>,
    pub(crate) metadata: Value,
    pub(crate) handler: Option<HandlerFn<O>>,
}
