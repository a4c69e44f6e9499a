//! The API's JSON documents: what it reads and fires, and the pages of lists and history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Why a transition cannot be fired now, machine-readable and as the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiReason {
    /// `wrong_state`, `forbidden`, `hidden` or `condition_unmet`.
    pub kind: String,
    /// The unmet condition's name, for `condition_unmet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The sentence the console would show.
    pub message: String,
}

/// One transition as the caller may use it on one object.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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
    /// Its form as a JSON Schema of the `fields` a fire sends, when it has one.
    #[schema(value_type = Option<Object>)]
    pub form: Option<Value>,
}

/// One object: its fields, each state field's state, its version and its transitions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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
    #[schema(value_type = Object)]
    pub object: Value,
    /// Every transition of every state field, in declaration order.
    pub transitions: Vec<ApiTransition>,
}

/// One object in a list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiListItem {
    /// The object's key.
    pub id: String,
    /// Its version.
    pub version: i64,
    /// Each state field's stored state name.
    pub states: BTreeMap<String, String>,
    /// Its fields as the model serializes them.
    #[schema(value_type = Object)]
    pub object: Value,
}

/// One page of a resource's objects.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiObjectPage {
    /// The objects of this page, in the sort's order.
    pub items: Vec<ApiListItem>,
    /// Objects matching the filters, on every page.
    pub total: i64,
    /// The cursor of the next page (pass it as `after`), absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The page size used.
    pub limit: u32,
}

/// A fire: the version the caller read, and the transition's form fields.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiFireBody {
    /// The object's version as last read; another version is a 409 with the current one.
    #[schema(minimum = 0)]
    pub version: i64,
    /// The form's fields by name: strings, numbers or booleans, cleaned as the console's
    /// form cleans them.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, Value>,
    /// A note for the audit row, when the transition's form has no note field of its own.
    #[serde(default)]
    pub description: Option<String>,
}

/// The audit row a fire wrote.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiAudit {
    /// The transition attempted.
    pub transition: String,
    /// The state field it moved.
    pub field: String,
    /// The state before.
    pub source: String,
    /// The state stored, if any.
    pub target: Option<String>,
    /// Who fired.
    pub actor: String,
    /// The cleaned arguments.
    #[schema(value_type = Object)]
    pub arguments: Value,
    /// The note.
    pub description: Option<String>,
    /// `completed` or `failed`.
    pub outcome: String,
}

/// What a completed fire did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiFired {
    /// The object's key.
    pub id: String,
    /// The transition fired.
    pub transition: String,
    /// The state field it moved.
    pub field: String,
    /// The state before.
    pub from: String,
    /// The state after (the same for a transition that only checks).
    pub to: String,
    /// Each state field's state now.
    pub states: BTreeMap<String, String>,
    /// The object's version now.
    pub version: i64,
    /// The audit row written with it.
    pub audit: ApiAudit,
}

/// One audit row of an object's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiHistoryEntry {
    /// The row's id, increasing with time; also the cursor.
    pub id: i64,
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// Who.
    pub actor: String,
    /// The transition's name, or `edit`, `create`, `delete`.
    pub transition: String,
    /// The state field it moved, if a transition.
    pub field: Option<String>,
    /// The state before.
    pub source: String,
    /// The state stored, if any.
    pub target: Option<String>,
    /// `completed` or `failed`.
    pub outcome: String,
    /// A failed attempt's error.
    pub error: Option<String>,
    /// The arguments.
    #[schema(value_type = Object)]
    pub arguments: Value,
    /// The note.
    pub description: Option<String>,
}

/// One page of an object's history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiHistoryPage {
    /// The rows of this page.
    pub items: Vec<ApiHistoryEntry>,
    /// The cursor of the next (older) page, pass it as `before`; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
}
