//! The engine's errors: refusing a declaration, failing a fire, and storage failures.

use serde::Serialize;

use crate::form::FieldErrors;
use crate::guard::Unavailable;
use crate::names::{NameError, ObjectId, StateName, TransitionName};
use crate::transition::HandlerError;

/// Why `MachineBuilder::build` refused a machine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A state, transition or group name is not a valid name.
    #[error("invalid name in {place}: {error}")]
    InvalidName {
        /// Where the name was written.
        place: String,
        /// What is wrong with it.
        error: NameError,
    },
    /// No state is marked initial.
    #[error("machine `{0}` has no initial state")]
    NoInitialState(String),
    /// Several states are marked initial.
    #[error("machine `{machine}` has several initial states: {states:?}")]
    SeveralInitialStates {
        /// The machine.
        machine: String,
        /// The states marked initial.
        states: Vec<StateName>,
    },
    /// The same state is declared twice.
    #[error("state `{0}` is declared twice")]
    DuplicateState(StateName),
    /// A transition, hook or group names a state that is not declared.
    #[error("{place} names unknown state `{state}`")]
    UnknownState {
        /// Where the name was written, e.g. "transition `pay` (target)".
        place: String,
        /// The unknown name.
        state: String,
    },
    /// A transition has no `from…` call.
    #[error("transition `{0}` has no source")]
    MissingSource(TransitionName),
    /// A transition has no `to…` call.
    #[error("transition `{0}` has no target")]
    MissingTarget(TransitionName),
    /// A computed target has an empty allowed set.
    #[error("transition `{0}` has a computed target with an empty allowed set")]
    EmptyAllowedSet(TransitionName),
    /// The same (transition, source) pair is declared twice.
    #[error("transition `{transition}` is declared twice from {from}")]
    DuplicateTransition {
        /// The transition.
        transition: TransitionName,
        /// The source, as `state`, `*` or `+`.
        from: String,
    },
    /// A transition starts from a final state.
    #[error("transition `{transition}` leaves final state `{state}`")]
    TransitionFromFinalState {
        /// The transition.
        transition: TransitionName,
        /// The final state.
        state: StateName,
    },
    /// Integer storage is chosen but a state has no code.
    #[error("state `{0}` has no integer code, but the machine stores integer codes")]
    MissingStateCode(StateName),
    /// Two states share an integer code.
    #[error("integer code {code} is used by `{first}` and `{second}`")]
    DuplicateStateCode {
        /// The code.
        code: i64,
        /// The first state using it.
        first: StateName,
        /// The second state using it.
        second: StateName,
    },
    /// The same group name is declared twice.
    #[error("group `{0}` is declared twice")]
    DuplicateGroup(String),
}

/// Something `build` accepts but reports: the deployer decides whether it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BuildWarning {
    /// No transition leads to this state from the initial state. A warning, not an error,
    /// because rows imported or migrated in that state are legitimate (an archived state, say).
    UnreachableState(StateName),
}

/// A storage backend failure, mapped by the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (connection, SQL, serialization...).
    #[error("storage failed: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    /// A stored row could not be turned into an object or a state.
    #[error("row {id} could not be decoded: {message}")]
    Decode {
        /// The row.
        id: ObjectId,
        /// What went wrong.
        message: String,
    },
    /// The database refused the write by one of its own constraints (a foreign key into a
    /// table of states whose row was deleted, a check): nothing was written, and retrying
    /// will not help until the data is repaired.
    #[error("the database refused the write: {0}")]
    Refused(String),
    /// A failure injected by a test store.
    #[error("injected failure at {0}")]
    Injected(&'static str),
}

/// Why a fire did not complete.
#[derive(Debug, thiserror::Error)]
pub enum FireError {
    /// No row has this id.
    #[error("object {0} does not exist")]
    NotFound(ObjectId),
    /// The machine has no transition of this name.
    #[error("transition `{0}` does not exist")]
    UnknownTransition(String),
    /// The transition is not available to this actor for this object; nothing ran.
    #[error("transition `{transition}` is not allowed: {reason}")]
    Unavailable {
        /// The transition.
        transition: TransitionName,
        /// Why.
        reason: Unavailable,
    },
    /// The form's fields were refused, each with its sentences; nothing ran.
    #[error("the form of `{transition}` was refused")]
    FormInvalid {
        /// The transition.
        transition: TransitionName,
        /// Every refused field's sentences.
        errors: FieldErrors,
    },
    /// The arguments do not fit the handler's type; nothing ran.
    #[error("invalid arguments for `{transition}`: {message}")]
    InvalidArguments {
        /// The transition.
        transition: TransitionName,
        /// The deserialization error.
        message: String,
    },
    /// A before hook refused the transition; nothing changed.
    #[error("transition `{transition}` was vetoed: {error}")]
    Vetoed {
        /// The transition.
        transition: TransitionName,
        /// The hook's sentence.
        error: HandlerError,
    },
    /// The handler failed. With `on_error`, `error_state` was persisted with a failed audit row.
    #[error("transition `{transition}` failed: {error}")]
    HandlerFailed {
        /// The transition.
        transition: TransitionName,
        /// The handler's error.
        error: HandlerError,
        /// The `on_error` state now stored, if the transition declares one.
        error_state: Option<StateName>,
    },
    /// A computed target fell outside its allowed set; nothing changed.
    #[error("transition `{transition}` computed target `{target}`, outside {allowed:?}")]
    TargetNotAllowed {
        /// The transition.
        transition: TransitionName,
        /// The computed value.
        target: String,
        /// The allowed set.
        allowed: Vec<StateName>,
    },
    /// The row changed since it was read (state or version); nothing changed.
    #[error("object {0} was changed by someone else; reload and try again")]
    Conflict(ObjectId),
    /// The store failed; the transaction was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
}
