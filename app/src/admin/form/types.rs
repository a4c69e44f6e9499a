//! What the transition form page shows, and which form it reads: plain serializable data,
//! the same on the server and in the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchyard_engine::{FieldErrors, Form};

use crate::admin::{flash::Message, object::types::object_path, resource::summary::StateBadge};

/// The address of a transition form: `/orders/42/transitions/ship`.
pub fn form_path(resource: &str, id: &str, transition: &str) -> String {
    format!(
        "{}/transitions/{}",
        object_path(resource, id),
        crate::admin::paths::encode_path_segment(transition)
    )
}

/// Which transition form to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormInput {
    /// The resource's name.
    pub resource: String,
    /// The object's key.
    pub id: String,
    /// The transition's name.
    pub transition: String,
}

/// A transition form page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormView {
    /// The resource's name.
    pub resource: String,
    /// The singular noun.
    pub singular: String,
    /// The key.
    pub id: String,
    /// The version read, posted back.
    pub version: i64,
    /// The current state.
    pub state: StateBadge,
    /// The transition's name.
    pub transition: String,
    /// Its label (the page title and the submit button).
    pub label: String,
    /// Its help text.
    pub help_text: String,
    /// The question a transition without a form asks before it runs ("Cancel this campaign?
    /// This cannot be undone."); `None` when it declares none.
    #[serde(default)]
    pub confirmation: Option<String>,
    /// The label of the state field it moves, when the resource has several ("Review").
    #[serde(default)]
    pub field: Option<String>,
    /// The fields.
    pub form: Form,
    /// What each input shows: what was typed, or the initial values from the object.
    pub values: BTreeMap<String, String>,
    /// Per-field errors from the last submission.
    pub errors: FieldErrors,
    /// Why the transition cannot be fired now; the form is then not offered.
    pub unavailable: Option<String>,
    /// A message from the last submission (a refusal or conflict without JavaScript).
    pub message: Option<Message>,
}
