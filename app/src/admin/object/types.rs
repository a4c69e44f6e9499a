//! What the object and history pages show, and what a button or a form posts to fire a
//! transition: plain serializable data, the same on the server and in the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::admin::{flash::Message, paths::encode_path_segment, resource::summary::StateBadge};

/// The address of an object page: `/orders/42`.
pub fn object_path(resource: &str, id: &str) -> String {
    // Every segment is encoded: a posted resource name is not yet known to be registered,
    // and a control character in it must never reach a `Location` header.
    format!(
        "/{}/{}",
        encode_path_segment(resource),
        encode_path_segment(id)
    )
}

/// Which object to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInput {
    /// The resource's name.
    pub resource: String,
    /// The object's key.
    pub id: String,
}

/// A label and a display value on the object page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The label.
    pub label: String,
    /// The display value.
    pub value: String,
}

/// A transition as a button on the object page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    /// The transition's name, posted back when fired.
    pub name: String,
    /// The button's text.
    pub label: String,
    /// Shown beside the button.
    pub help_text: String,
    /// A transition with a form opens it at its own address instead of firing.
    pub has_form: bool,
    /// A question to confirm before firing, from the transition's metadata.
    pub confirm: Option<String>,
    /// Why the button is disabled; `None` when it can be fired.
    pub disabled_reason: Option<String>,
}

/// One state field on the object page: its label, its state and the buttons of its machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateBlock {
    /// The field's name (`review`).
    pub field: String,
    /// Its label ("Review"), the block's heading.
    pub label: String,
    /// The current state, with its description.
    pub state: StateBadge,
    /// The buttons of this field's machine, in declaration order.
    pub actions: Vec<ActionView>,
    /// The field's machine drawn small: this state highlighted, the recent steps emphasised
    /// (an SVG document whose text is escaped on the server).
    #[serde(default)]
    pub diagram: String,
}

/// An audit row as the history shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The audit row's id.
    pub id: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub actor: String,
    /// The transition's label (its name when the machine no longer declares it).
    pub transition: String,
    /// The label of the state field it moved, when the resource has several ("Review").
    pub field: Option<String>,
    /// The state before.
    pub source: StateBadge,
    /// The state stored, if any.
    pub target: Option<StateBadge>,
    /// `None` when it completed, else the error.
    pub error: Option<String>,
    /// The arguments, as JSON text (`null` when none).
    pub arguments: String,
    /// The description.
    pub description: Option<String>,
}

/// An object page: fields, state, the buttons this user gets, and recent history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectView {
    /// The resource's name.
    pub resource: String,
    /// The resource's title.
    pub title: String,
    /// The singular noun (`order`).
    pub singular: String,
    /// The key.
    pub id: String,
    /// The version read; posted back with a transition so a stale page is caught.
    pub version: i64,
    /// Each state field with its state and buttons, in field order.
    pub blocks: Vec<StateBlock>,
    /// The declared fields.
    pub fields: Vec<FieldValue>,
    /// The newest history rows.
    pub history: Vec<HistoryEntry>,
    /// Whether older history rows exist beyond `history`.
    pub more_history: bool,
    /// A message left by the previous action (after a form post without JavaScript).
    pub message: Option<Message>,
    /// Whether this user may edit the object's fields.
    pub can_edit: bool,
    /// Whether this user may delete the object.
    pub can_delete: bool,
}

/// The history page: an object's audit rows, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    /// The resource's name.
    pub resource: String,
    /// The resource's title.
    pub title: String,
    /// The singular noun.
    pub singular: String,
    /// The key.
    pub id: String,
    /// Each state field's current state, in field order.
    pub states: Vec<StateBadge>,
    /// The rows, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Whether older rows were left out.
    pub truncated: bool,
}

/// A transition to fire, as a button or a form posts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FireInput {
    /// The resource's name.
    pub resource: String,
    /// The object's key.
    pub id: String,
    /// The transition's name.
    pub transition: String,
    /// The version the page showed.
    pub version: i64,
    /// The form's fields as typed (empty for a transition without a form).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The console page that posted it; the answer then also leaves a message for that page
    /// and redirects to it (Post/Redirect/Get). API callers leave it out.
    #[serde(default)]
    pub origin: Option<FireOrigin>,
    /// With `origin` `list`: the list's query string, to go back to the same page.
    #[serde(default)]
    pub list_query: Option<String>,
}

/// Which console page posted a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FireOrigin {
    /// A button on the object page.
    Object,
    /// The transition's form page.
    Form,
    /// A row's button on a list page (without JavaScript).
    List,
}

/// The result of a completed transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FireReport {
    /// The message to show.
    pub message: Message,
    /// The state now stored.
    pub state: StateBadge,
}
