//! Audit rows: one per attempt that reached the handler, written in the firing transaction.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::names::{ObjectId, StateName, TransitionName};

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The transition completed and its target was stored.
    Completed,
    /// The handler failed; `target` holds the `on_error` state if one was stored.
    Failed {
        /// The handler's sentence.
        error: String,
    },
}

/// One audit row as the engine hands it to the store; the store adds the time and its own id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The machine's resource, e.g. `orders`.
    pub resource: String,
    /// The machine's state field (its column), e.g. `state` or `review`.
    pub field: String,
    /// The row's key.
    pub object_id: ObjectId,
    /// The transition attempted.
    pub transition: TransitionName,
    /// The state before.
    pub source: StateName,
    /// The state stored by the attempt: the target, the `on_error` state, or `None` when unchanged.
    pub target: Option<StateName>,
    /// The actor's user id.
    pub actor_id: Option<i64>,
    /// The actor's username.
    pub actor_username: String,
    /// The arguments as submitted (JSON); `null` in a job's rows, whose job holds them.
    pub arguments: Value,
    /// The free-text reason, from the request or the form's description field; `None` in a
    /// job's rows, whose job holds it.
    pub description: Option<String>,
    /// The stored bulk job the attempt was a batch of ([`Request::in_job`](crate::Request::in_job)).
    pub job: Option<i64>,
    /// Completed or failed.
    pub outcome: AuditOutcome,
}
