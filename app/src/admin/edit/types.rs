//! What the edit, creation and deletion pages show and post: plain serializable data, the
//! same on the server and in the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchyard_engine::{FieldErrors, Form};

use crate::admin::{flash::Message, object::types::object_path, resource::summary::StateBadge};

/// The address of an object's edit page, or of the creation page when `id` is empty.
pub fn edit_path(resource: &str, id: &str) -> String {
    if id.is_empty() {
        format!(
            "/{}/add",
            crate::admin::paths::encode_path_segment(resource)
        )
    } else {
        format!("{}/edit", object_path(resource, id))
    }
}

/// Which edit page to read: an object's (`id` set) or the creation page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditInput {
    /// The resource's name.
    pub resource: String,
    /// The object; empty for the creation page.
    #[serde(default)]
    pub id: String,
}

/// The page that edits an object's fields (`id` set) or creates one (`id` empty).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditView {
    /// The resource's name.
    pub resource: String,
    /// The resource's title.
    pub title: String,
    /// The singular noun.
    pub singular: String,
    /// The key of the object edited; `None` when creating.
    pub id: Option<String>,
    /// The version read, posted back (0 when creating).
    pub version: i64,
    /// The current state (the initial state when creating); never editable here.
    pub state: StateBadge,
    /// The fields.
    pub form: Form,
    /// What each input shows.
    pub values: BTreeMap<String, String>,
    /// Per-field errors from the last submission.
    pub errors: FieldErrors,
    /// A message from the last submission.
    pub message: Option<Message>,
}

/// An edit or a creation, as the edit page posts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveInput {
    /// The resource's name.
    pub resource: String,
    /// The object edited; empty when creating.
    #[serde(default)]
    pub id: String,
    /// The version the page showed (ignored when creating).
    #[serde(default)]
    pub version: i64,
    /// The fields as typed.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Set by the console's page: answer with a redirect and a one-time message.
    #[serde(default)]
    pub from_console: bool,
}

/// A deletion, as the confirmation page posts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteInput {
    /// The resource's name.
    pub resource: String,
    /// The object.
    pub id: String,
    /// The version the page showed.
    pub version: i64,
    /// Set by the console's page: answer with a redirect and a one-time message.
    #[serde(default)]
    pub from_console: bool,
}

/// What an edit, creation or deletion did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveReport {
    /// The message to show.
    pub message: Message,
    /// The object's key (the new key after a creation).
    pub id: String,
}
