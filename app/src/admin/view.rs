//! What the console pages show and send: plain serializable views, the same on the server
//! and in the browser. The server builds them from a resource; pages only render them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchyard_engine::{FieldErrors, Form};

use super::summary::StateBadge;

/// A list page's query string: `?state=new&q=smith&sort=-amount_cents&page=2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Only objects in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Only objects in this state group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Search text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A sortable column's name, `-` first for descending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// The page, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

impl ListQuery {
    /// The query string for this query (empty members left out), starting with `?` unless empty.
    pub fn to_query_string(&self) -> String {
        let pairs: Vec<(&str, String)> = [
            ("state", self.state.clone()),
            ("group", self.group.clone()),
            ("q", self.q.clone()),
            ("sort", self.sort.clone()),
            (
                "page",
                self.page.filter(|page| *page > 1).map(|p| p.to_string()),
            ),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.filter(|v| !v.is_empty()).map(|v| (key, v)))
        .collect();
        if pairs.is_empty() {
            return String::new();
        }
        let encoded: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode_component(&value)))
            .collect();
        format!("?{}", encoded.join("&"))
    }
}

/// Percent-encodes a query-string value.
fn encode_component(value: &str) -> String {
    encode_path_segment(value).replace("%20", "+")
}

/// Percent-encodes one path segment (an object key in an address).
pub fn encode_path_segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// The address of an object page: `/orders/42`.
pub fn object_path(resource: &str, id: &str) -> String {
    format!("/{resource}/{}", encode_path_segment(id))
}

/// The address of a transition form: `/orders/42/transitions/ship`.
pub fn form_path(resource: &str, id: &str, transition: &str) -> String {
    format!("{}/transitions/{transition}", object_path(resource, id))
}

/// One column header of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnHeader {
    /// The name used in `sort=`.
    pub name: String,
    /// The header text.
    pub label: String,
    /// Whether the header sorts the list.
    pub sortable: bool,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

/// One list row: the key, the state, and the declared columns' display values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// The key, as it appears in the object's address.
    pub id: String,
    /// The state.
    pub state: StateBadge,
    /// The declared columns' values, in header order.
    pub cells: Vec<String>,
}

/// A state group offered as a filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOption {
    /// The group's name, used in `group=`.
    pub name: String,
    /// Its label.
    pub label: String,
}

/// A list page: the rows of one page, the total, and what the filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListView {
    /// The resource's name (`orders`).
    pub resource: String,
    /// Its title (`Orders`).
    pub title: String,
    /// The singular noun for one object (`order`).
    pub singular: String,
    /// The query as understood (unknown states or sorts are refused before this is built).
    pub query: ListQuery,
    /// The declared columns after the key and the state.
    pub columns: Vec<ColumnHeader>,
    /// The rows of this page.
    pub rows: Vec<ListRow>,
    /// Objects matching the filters.
    pub total: i64,
    /// This page, from 1.
    pub page: u32,
    /// Pages in all (at least 1).
    pub page_count: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Every state, for the state filter.
    pub states: Vec<StateBadge>,
    /// Every state group, for the group filter.
    pub groups: Vec<GroupOption>,
    /// Whether search is offered (the resource declares search columns).
    pub searchable: bool,
    /// Whether this user may create objects.
    pub can_create: bool,
    /// Whether the user may open the transition settings.
    pub can_configure: bool,
    /// A message left by the previous action (a deletion).
    pub message: Option<Message>,
    /// The transitions this user may run over a selection, for the "Action" chooser.
    pub bulk_actions: Vec<BulkAction>,
}

/// A transition offered as a bulk action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkAction {
    /// The transition's name.
    pub name: String,
    /// Its label.
    pub label: String,
}

/// A selection and a transition to run over it, as the preview page reads it and the
/// "Apply" button posts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkInput {
    /// The resource's name.
    pub resource: String,
    /// The transition's name.
    pub transition: String,
    /// The selected keys (ignored when `all_matching`).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Every object matching `query`'s filters and search, across pages.
    #[serde(default)]
    pub all_matching: bool,
    /// The list's filters and search when `all_matching`.
    #[serde(default)]
    pub query: ListQuery,
    /// `true`: one refused or failed row stops every row; absent: the action's default mode.
    #[serde(default)]
    pub all_or_nothing: Option<bool>,
    /// The transition form's fields, typed once for every row.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

impl BulkInput {
    /// The preview page's address for this selection (`/orders/bulk?transition=pay&id=1…`).
    pub fn preview_path(&self) -> String {
        let mut pairs = vec![("transition", self.transition.clone())];
        if self.all_matching {
            pairs.push(("all", "1".to_owned()));
            pairs.extend(
                [
                    ("state", self.query.state.clone()),
                    ("group", self.query.group.clone()),
                    ("q", self.query.q.clone()),
                ]
                .into_iter()
                .filter_map(|(key, value)| value.filter(|v| !v.is_empty()).map(|v| (key, v))),
            );
        } else {
            pairs.extend(self.ids.iter().map(|id| ("id", id.clone())));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode_component(&value)))
            .collect();
        format!(
            "/{}/bulk?{}",
            encode_path_segment(&self.resource),
            query.join("&")
        )
    }
}

/// Rows that will not move, for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewGroup {
    /// Why, as a sentence.
    pub reason: String,
    /// How many rows.
    pub count: usize,
    /// A few of their keys.
    pub examples: Vec<String>,
}

/// What a bulk action would do, before anything is applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkPreview {
    /// The resource's title.
    pub title: String,
    /// The singular noun.
    pub singular: String,
    /// The transition's label.
    pub label: String,
    /// Rows selected.
    pub total: usize,
    /// Rows that would move now.
    pub will_move: usize,
    /// Rows that would be skipped, grouped by reason, largest group first.
    pub groups: Vec<PreviewGroup>,
    /// The transition's form, asked once for every row.
    pub form: Option<Form>,
    /// The action's default mode: all or nothing (else best effort).
    pub all_or_nothing: bool,
    /// Whether the operator chooses the mode (a transition), or the action runs row by row
    /// (a deployer's action).
    pub choose_mode: bool,
    /// Why the last "Apply" was refused, when it was posted without JavaScript.
    pub message: Option<Message>,
    /// What the form's inputs show: what was typed before that refusal.
    pub values: BTreeMap<String, String>,
    /// Per-field errors of that refusal.
    pub errors: FieldErrors,
}

/// One row of a job's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobItemView {
    /// The object's key.
    pub id: String,
    /// `skipped`, `failed` or `not_applied`.
    pub outcome: String,
    /// Why.
    pub reason: String,
}

/// A bulk job: its progress, and when finished its report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    /// The job's id.
    pub id: i64,
    /// The resource's name.
    pub resource: String,
    /// The transition's label.
    pub label: String,
    /// `Best effort` or `All or nothing`.
    pub mode: String,
    /// `queued`, `running`, `done`, `cancelled` or `failed`.
    pub status: String,
    /// Who started it.
    pub actor: String,
    /// When (RFC 3339 UTC).
    pub created_at: String,
    /// Rows in all.
    pub total: i64,
    /// Rows moved.
    pub applied: i64,
    /// Rows skipped.
    pub skipped: i64,
    /// Rows failed or held back.
    pub failed: i64,
    /// Rows per second so far.
    pub rate: f64,
    /// Seconds left at that rate, while running.
    pub seconds_left: Option<f64>,
    /// Whether a cancel was asked for.
    pub cancel_requested: bool,
    /// Why the job itself failed.
    pub error: Option<String>,
    /// Skipped and failed rows (the first ones).
    pub problems: Vec<JobItemView>,
}

impl JobView {
    /// Whether the job may still change.
    pub fn is_running(&self) -> bool {
        matches!(self.status.as_str(), "queued" | "running")
    }
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

/// How a message reads: a success, a refusal or failure, or a warning (a conflict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    /// The transition happened.
    Success,
    /// The transition was refused or failed.
    Error,
    /// Someone else changed the object first.
    Warning,
}

/// A message shown at the top of a page after an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// How it reads.
    pub kind: MessageKind,
    /// The sentence, naming the transition by its label.
    pub text: String,
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
    /// The current state.
    pub state: StateBadge,
    /// The declared fields.
    pub fields: Vec<FieldValue>,
    /// The buttons, in declaration order.
    pub actions: Vec<ActionView>,
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
    /// The current state.
    pub state: StateBadge,
    /// The rows, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Whether older rows were left out.
    pub truncated: bool,
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
}

/// Which console page posted a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FireOrigin {
    /// A button on the object page.
    Object,
    /// The transition's form page.
    Form,
}

/// The result of a completed transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FireReport {
    /// The message to show.
    pub message: Message,
    /// The state now stored.
    pub state: StateBadge,
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

/// The settings page's address.
pub fn settings_path(resource: &str) -> String {
    format!("/{resource}/settings/transitions")
}
