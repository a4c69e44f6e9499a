//! What the transition settings page shows and posts, and what an override holds: plain
//! serializable data, the same on the server and in the browser.

use serde::{Deserialize, Serialize};

use crate::admin::flash::Message;

/// The settings page's address.
pub fn settings_path(resource: &str) -> String {
    format!(
        "/{}/settings/transitions",
        crate::admin::paths::encode_path_segment(resource)
    )
}

/// Which resource's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPageInput {
    /// The resource's name.
    pub resource: String,
}

/// A visibility set in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingVisibility {
    /// Offered to everyone allowed to fire it.
    Shown,
    /// Offered to no one.
    Hidden,
    /// Offered only to members of the chosen groups.
    Groups,
}

impl SettingVisibility {
    /// The word a chooser and the change log use.
    pub fn label(self) -> &'static str {
        match self {
            SettingVisibility::Shown => "Shown",
            SettingVisibility::Hidden => "Hidden",
            SettingVisibility::Groups => "Shown to groups",
        }
    }

    /// The form value.
    pub fn value(self) -> &'static str {
        match self {
            SettingVisibility::Shown => "shown",
            SettingVisibility::Hidden => "hidden",
            SettingVisibility::Groups => "groups",
        }
    }

    /// Reads a form value.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Shown, Self::Hidden, Self::Groups]
            .into_iter()
            .find(|choice| choice.value() == value)
    }
}

/// What the browser overrides of one transition; every `None` leaves the code's choice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionSetting {
    /// Visibility, or `None` for the code's (hook, flag, global default).
    pub visibility: Option<SettingVisibility>,
    /// The groups that see it when `visibility` is `Groups`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The console's label, or `None` for the declared one.
    pub label: Option<String>,
    /// The console's help text, or `None` for the declared one.
    pub help_text: Option<String>,
}

impl TransitionSetting {
    /// Whether it overrides nothing (the transition follows the code).
    pub fn is_empty(&self) -> bool {
        *self == TransitionSetting::default()
    }

    /// One line for the change log: "Hidden", "Shown to groups managers; label “Void”".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        match self.visibility {
            Some(SettingVisibility::Groups) => {
                parts.push(format!("Shown to groups {}", self.groups.join(", ")));
            }
            Some(other) => parts.push(other.label().to_owned()),
            None => {}
        }
        if let Some(label) = &self.label {
            parts.push(format!("label “{label}”"));
        }
        if let Some(help) = &self.help_text {
            parts.push(format!("help text “{help}”"));
        }
        if parts.is_empty() {
            "As declared in code".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

/// One transition on the settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingRow {
    /// The transition's name.
    pub name: String,
    /// The label the console uses now (the override's, else the declared one).
    pub label: String,
    /// The declared label, which an empty label field restores.
    pub declared_label: String,
    /// The declared help text.
    pub declared_help_text: String,
    /// "new, paid → cancelled", one entry per declaration.
    pub routes: Vec<String>,
    /// Whether the console offers it now, below any per-object hook (to anyone).
    pub shown: bool,
    /// The same in words: "Shown", "Hidden", "Shown to managers".
    pub now: String,
    /// Where that comes from, as a sentence ("Override set in the browser", …).
    pub decided_by: String,
    /// Whether the resource has a per-object hook that may decide first.
    pub hook: bool,
    /// The stored override (empty for none).
    pub setting: TransitionSetting,
    /// The override's revision, 0 when none is stored; posted back to catch stale pages.
    pub revision: i64,
}

/// One change on the settings page's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingChangeView {
    /// Its id.
    pub id: i64,
    /// The transition's name.
    pub transition: String,
    /// Who changed it.
    pub actor: String,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// The setting before, in words.
    pub before: String,
    /// The setting after, in words.
    pub after: String,
    /// The change this one reverted, if it is a revert.
    pub reverts: Option<i64>,
}

/// The settings page of one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    /// The resource's name.
    pub resource: String,
    /// Its title.
    pub title: String,
    /// The global default, in words.
    pub default: String,
    /// Every transition, in declaration order.
    pub rows: Vec<SettingRow>,
    /// Every group a user can be in, for "Shown to groups".
    pub groups: Vec<String>,
    /// The newest changes first.
    pub changes: Vec<SettingChangeView>,
    /// A message from the last submission.
    pub message: Option<Message>,
}

/// One transition's fields as the settings form posts them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingEdit {
    /// The transition's name.
    pub transition: String,
    /// `shown`, `hidden` or `groups`; anything else is refused.
    pub visibility: String,
    /// The groups checked (used with `groups`).
    #[serde(default)]
    pub groups: Vec<String>,
    /// The label; empty restores the declared one.
    #[serde(default)]
    pub label: String,
    /// The help text; empty restores the declared one.
    #[serde(default)]
    pub help_text: String,
    /// The revision the page showed (0: none stored).
    #[serde(default)]
    pub revision: i64,
    /// Drops the override: the transition follows the code again.
    #[serde(default)]
    pub reset: bool,
}

/// The settings form: every transition's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsInput {
    /// The resource's name.
    pub resource: String,
    /// One entry per transition shown on the page.
    #[serde(default)]
    pub rows: Vec<SettingEdit>,
    /// Posted by the console's page: the answer redirects back to it with a message
    /// (Post/Redirect/Get). API callers leave it out.
    #[serde(default)]
    pub from_console: bool,
}

/// Undoes one change, or removes one transition's override.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertInput {
    /// The resource's name.
    pub resource: String,
    /// The change to undo: its transition goes back to the setting before it.
    #[serde(default)]
    pub change: Option<i64>,
    /// Or the transition whose override to remove ("as declared in code").
    #[serde(default)]
    pub transition: Option<String>,
    /// Posted by the console's page (Post/Redirect/Get).
    #[serde(default)]
    pub from_console: bool,
}
