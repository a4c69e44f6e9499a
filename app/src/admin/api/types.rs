//! The API's JSON documents for one object.

use std::collections::BTreeMap;

use serde::Serialize;

/// Why a transition cannot be fired now, machine-readable and as the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiReason {
    /// `wrong_state`, `forbidden`, `hidden` or `condition_unmet`.
    pub kind: &'static str,
    /// The unmet condition's name, for `condition_unmet`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The sentence the console would show.
    pub message: String,
}

/// One transition as the caller may use it on one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTransition {
    /// Its name, for firing.
    pub name: String,
    /// The state field it moves.
    pub field: String,
    /// Its declared label.
    pub label: String,
    /// Whether the caller may fire it now.
    pub available: bool,
    /// Why not, when not.
    pub reasons: Vec<ApiReason>,
}

/// One object: its fields, each state field's state, its version and its transitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiObject {
    /// The resource's name.
    pub resource: String,
    /// The object's key.
    pub id: String,
    /// The version a fire must name.
    pub version: i64,
    /// Each state field's stored state name.
    pub states: BTreeMap<String, String>,
    /// The object's fields as the model serializes them.
    pub object: serde_json::Value,
    /// Every transition of every state field, in declaration order.
    pub transitions: Vec<ApiTransition>,
}
