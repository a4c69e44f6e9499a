//! What the bulk preview and the jobs pages show, and what the list's "Action" chooser and
//! the preview's "Apply" post: plain serializable data, the same on the server and in the
//! browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchyard_engine::{FieldErrors, Form};

use crate::admin::{
    flash::Message,
    list::types::ListQuery,
    paths::{encode_component, encode_path_segment},
};

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
        let mut pairs = vec![("transition".to_owned(), self.transition.clone())];
        if self.all_matching {
            pairs.push(("all".to_owned(), "1".to_owned()));
            pairs.extend(self.query.filter_pairs());
        } else {
            pairs.extend(self.ids.iter().map(|id| ("id".to_owned(), id.clone())));
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

/// Which job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInput {
    /// The job's id.
    pub id: i64,
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

/// The statuses a job may have, for the jobs page's filter: the stored name and its label.
pub const JOB_STATUSES: [(&str, &str); 5] = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("failed", "Failed"),
];

/// The jobs page's query string: `?status=running&resource=orders&author=clerk&before=120`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsQuery {
    /// Only jobs with this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only jobs of this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Only jobs started by this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Only jobs older than this one (the next page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
}

impl JobsQuery {
    /// The query from the address's parameters; empty values are left out.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> JobsQuery {
        let mut query = JobsQuery::default();
        for (key, value) in pairs.into_iter().filter(|(_, value)| !value.is_empty()) {
            match key {
                "status" => query.status = Some(value.to_owned()),
                "resource" => query.resource = Some(value.to_owned()),
                "author" => query.author = Some(value.trim().to_owned()),
                "before" => query.before = value.parse().ok(),
                _ => {}
            }
        }
        query
    }

    /// The query string, starting with `?` unless empty.
    pub fn to_query_string(&self) -> String {
        let before = self.before.map(|id| id.to_string());
        let pairs: Vec<String> = [
            ("status", self.status.as_ref()),
            ("resource", self.resource.as_ref()),
            ("author", self.author.as_ref()),
            ("before", before.as_ref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| {
            value.map(|v| format!("{key}={}", crate::admin::paths::encode_component(v)))
        })
        .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}

/// A page of the jobs page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobsView {
    /// The jobs, newest first.
    pub jobs: Vec<JobView>,
    /// The query as understood.
    pub query: JobsQuery,
    /// The next (older) page, if any.
    pub older: Option<JobsQuery>,
    /// The resources the user may view, as (name, title), for the resource filter.
    pub resources: Vec<(String, String)>,
}
