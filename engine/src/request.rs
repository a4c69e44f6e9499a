//! What a caller asks for (one row or many) and what it gets back.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::actor::Actor;
use crate::audit::AuditEntry;
use crate::error::FireError;
use crate::guard::{Channel, FlagRule};
use crate::names::{ObjectId, StateName, Version};
use crate::store::{LockMode, Row};

/// A request to fire one transition: on one row ([`FireRequest`]) or many ([`BulkRequest`]).
/// What every fire shares lives here once; `Target` says which rows, and `Rule` how the
/// console channel decides visibility (the transition's flag unless
/// [`in_console`](Request::in_console) gives a rule).
#[derive(Debug, Clone)]
pub struct Request<Target, Rule = FlagRule> {
    /// Which rows, and what only that kind of fire needs.
    pub target: Target,
    /// The transition's name.
    pub transition: String,
    /// Who fires.
    pub actor: Actor,
    /// The arguments (JSON), deserialized into the handler's type; `null` when none. A bulk
    /// fire shares them between its rows. Replaced by the cleaned form when `fields` is set.
    pub arguments: Value,
    /// A form's fields as typed, cleaned inside the fire by the form the rule picks for the
    /// resolved transition (after the conditions); the cleaned values become the arguments.
    pub fields: Option<BTreeMap<String, String>>,
    /// The audit description; when unset, the form's description field.
    pub description: Option<String>,
    /// The stored bulk job this fire is a batch of: its audit rows name the job and leave
    /// out the arguments and description, which the job stores once.
    pub job: Option<i64>,
    /// Console (visibility applies) or API.
    pub channel: Channel,
    /// Optimistic or pessimistic.
    pub lock: LockMode,
    /// How the console channel decides visibility; unused on the API channel.
    pub rule: Rule,
}

/// One row, and the version the caller saw.
#[derive(Debug, Clone)]
pub struct OneRow {
    /// The row.
    pub object_id: ObjectId,
    /// The version the caller saw; a different stored version is a conflict.
    pub expected_version: Option<Version>,
}

/// Many rows, and what to do with those that cannot proceed.
#[derive(Debug, Clone)]
pub struct ManyRows {
    /// The rows (duplicates are ignored).
    pub ids: Vec<ObjectId>,
    /// All-or-nothing or best-effort.
    pub mode: BulkMode,
}

/// A request to fire one transition on one row.
pub type FireRequest<Rule = FlagRule> = Request<OneRow, Rule>;

/// A request to fire one transition over many rows.
pub type BulkRequest<Rule = FlagRule> = Request<ManyRows, Rule>;

impl<Target> Request<Target> {
    /// Fires `transition` as `actor` through the API channel, optimistically.
    fn with_target(target: Target, transition: &str, actor: Actor) -> Self {
        Request {
            target,
            transition: transition.to_owned(),
            actor,
            arguments: Value::Null,
            fields: None,
            description: None,
            job: None,
            channel: Channel::Api,
            lock: LockMode::Optimistic,
            rule: FlagRule,
        }
    }

    /// Fires through a console that decides visibility by `rule` (a
    /// [`ConsoleRule`](crate::ConsoleRule)): the engine asks it on each loaded row, inside the
    /// transaction, and refuses what it hides as [`Unavailable::Hidden`](crate::Unavailable).
    pub fn in_console<Rule>(self, rule: Rule) -> Request<Target, Rule> {
        Request {
            target: self.target,
            transition: self.transition,
            actor: self.actor,
            arguments: self.arguments,
            fields: self.fields,
            description: self.description,
            job: self.job,
            channel: Channel::Console,
            lock: self.lock,
            rule,
        }
    }
}

impl<Target, Rule> Request<Target, Rule> {
    /// Sets the arguments.
    pub fn arguments(mut self, arguments: Value) -> Self {
        self.arguments = arguments;
        self
    }

    /// Sets a form's fields as typed; the engine cleans them inside the fire (see
    /// [`fields`](Request::fields)).
    pub fn fields(mut self, fields: BTreeMap<String, String>) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Sets the audit description.
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_owned());
        self
    }

    /// Fires one batch of the stored bulk job `job`: every audit row names the job
    /// ([`AuditEntry::job`](crate::AuditEntry::job)) instead of repeating the arguments and
    /// description the job holds once, so a 2 MB note is not copied into 10,000 rows.
    pub fn in_job(mut self, job: i64) -> Self {
        self.job = Some(job);
        self
    }

    /// Fires through the admin console: transitions its rule hides are refused.
    pub fn from_console(mut self) -> Self {
        self.channel = Channel::Console;
        self
    }

    /// Fires through the API channel while keeping the console rule for its forms: visibility
    /// does not apply, permission does, and the fields are cleaned by the form the rule picks,
    /// so a program's fields are cleaned exactly as the console's page cleans them.
    pub fn through_api(mut self) -> Self {
        self.channel = Channel::Api;
        self
    }

    /// Locks the rows while firing.
    pub fn pessimistic(mut self) -> Self {
        self.lock = LockMode::Pessimistic;
        self
    }
}

impl FireRequest {
    /// Fires `transition` on `object_id` as `actor` through the API channel, optimistically.
    pub fn new(object_id: impl Into<ObjectId>, transition: &str, actor: Actor) -> Self {
        let target = OneRow {
            object_id: object_id.into(),
            expected_version: None,
        };
        Self::with_target(target, transition, actor)
    }
}

impl<Rule> FireRequest<Rule> {
    /// Refuses with a conflict unless the row is still at this version.
    pub fn expecting_version(mut self, version: Version) -> Self {
        self.target.expected_version = Some(version);
        self
    }
}

impl BulkRequest {
    /// Fires `transition` over `ids` as `actor` through the API channel.
    pub fn new(ids: Vec<ObjectId>, transition: &str, actor: Actor, mode: BulkMode) -> Self {
        Self::with_target(ManyRows { ids, mode }, transition, actor)
    }
}

/// What a completed fire did to the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The state moved (possibly to itself).
    Moved {
        /// The state before.
        from: StateName,
        /// The state after.
        to: StateName,
    },
    /// A check-only transition: the state stayed.
    Stayed {
        /// The unchanged state.
        state: StateName,
    },
}

/// A completed fire: the row as stored, the outcome, and the audit row written.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired<O> {
    /// The row after commit.
    pub row: Row<O>,
    /// What happened to the state.
    pub outcome: Outcome,
    /// The audit row written with it.
    pub audit: AuditEntry,
}

/// A single fire with the row as the engine loaded it, so that a caller can name what it
/// refused (a label that depends on the object) without reading the row itself.
#[derive(Debug)]
pub struct Attempted<O> {
    /// The row as loaded inside the fire's transaction, before anything ran; `None` when no
    /// row has the key or the transition is unknown.
    pub loaded: Option<Row<O>>,
    /// What the fire did.
    pub result: Result<Fired<O>, FireError>,
}

/// How a bulk fire treats rows that cannot proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BulkMode {
    /// Every row is checked first; if any is refused or fails, no row moves.
    AllOrNothing,
    /// Each row moves or fails on its own.
    BestEffort,
}

/// What became of one row of a bulk fire.
#[derive(Debug)]
pub enum BulkRowOutcome<O> {
    /// The row moved; its audit row is written.
    Applied(Box<Fired<O>>),
    /// The row was refused or failed (with `on_error`, its error state is stored).
    Failed(FireError),
    /// The row could have moved, but another row stopped an all-or-nothing fire.
    NotApplied,
}

impl<O> BulkRowOutcome<O> {
    /// The outcome as a [`BeforeCommit`](crate::BeforeCommit) step saw it coming.
    pub fn staged(&self) -> crate::Staged<'_> {
        match self {
            BulkRowOutcome::Applied(_) => crate::Staged::Applied,
            BulkRowOutcome::NotApplied => crate::Staged::NotApplied,
            BulkRowOutcome::Failed(error) => crate::Staged::Failed(error),
        }
    }
}

/// The per-row outcomes of a bulk fire, in request order.
#[derive(Debug)]
pub struct BulkReport<O> {
    /// One entry per distinct requested id.
    pub rows: Vec<(ObjectId, BulkRowOutcome<O>)>,
}

impl<O> BulkReport<O> {
    /// How many rows moved.
    pub fn applied(&self) -> usize {
        self.rows
            .iter()
            .filter(|(_, outcome)| matches!(outcome, BulkRowOutcome::Applied(_)))
            .count()
    }

    /// How many rows were refused or failed.
    pub fn failed(&self) -> usize {
        self.rows
            .iter()
            .filter(|(_, outcome)| matches!(outcome, BulkRowOutcome::Failed(_)))
            .count()
    }
}
