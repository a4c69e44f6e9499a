//! A resource's transition settings (the console's overrides of visibility, label and help
//! text): read by users who may configure the resource, written by them too, with the
//! revision each row was read at, so a change made meanwhile refuses the write (409).

use app::{
    admin::{
        api::Problem,
        settings::types::{SettingEdit, SettingsInput, SettingsView},
    },
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, Path, State},
    http::HeaderMap,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{body, Caller};

/// One transition's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionSettings {
    /// The transition's name.
    name: String,
    /// The console's label now.
    label: String,
    /// The declared label.
    declared_label: String,
    /// "new, paid → cancelled", one per declaration.
    routes: Vec<String>,
    /// Whether the console offers it now (below any per-object hook).
    shown: bool,
    /// The same in words.
    now: String,
    /// Where that comes from.
    decided_by: String,
    /// The stored override's visibility: `shown`, `hidden`, `groups`, or none.
    visibility: Option<String>,
    /// The groups that see it with `groups`.
    groups: Vec<String>,
    /// The overriding label, if any.
    label_override: Option<String>,
    /// The overriding help text, if any.
    help_text_override: Option<String>,
    /// The revision to send back with a change (0: no override stored).
    revision: i64,
}

/// One logged change.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsChange {
    /// Its id.
    id: i64,
    /// The transition.
    transition: String,
    /// Who.
    actor: String,
    /// When (RFC 3339 UTC).
    at: String,
    /// The setting before, in words.
    before: String,
    /// The setting after, in words.
    after: String,
}

/// A resource's transition settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct Settings {
    /// The resource's name.
    resource: String,
    /// The default for transitions without a flag or an override, in words.
    default: String,
    /// Every transition.
    transitions: Vec<TransitionSettings>,
    /// Every group, for `groups`.
    groups: Vec<String>,
    /// The newest changes first.
    changes: Vec<SettingsChange>,
}

impl From<SettingsView> for Settings {
    fn from(view: SettingsView) -> Settings {
        Settings {
            resource: view.resource,
            default: view.default,
            transitions: view
                .rows
                .into_iter()
                .map(|row| TransitionSettings {
                    name: row.name,
                    label: row.label,
                    declared_label: row.declared_label,
                    routes: row.routes,
                    shown: row.shown,
                    now: row.now,
                    decided_by: row.decided_by,
                    visibility: row.setting.visibility.map(|v| v.value().to_owned()),
                    groups: row.setting.groups,
                    label_override: row.setting.label,
                    help_text_override: row.setting.help_text,
                    revision: row.revision,
                })
                .collect(),
            groups: view.groups,
            changes: view
                .changes
                .into_iter()
                .map(|change| SettingsChange {
                    id: change.id,
                    transition: change.transition,
                    actor: change.actor,
                    at: change.at,
                    before: change.before,
                    after: change.after,
                })
                .collect(),
        }
    }
}

/// One transition's change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingChange {
    /// The transition's name.
    transition: String,
    /// `shown`, `hidden` or `groups`.
    #[serde(default)]
    visibility: String,
    /// The groups that see it with `groups`.
    #[serde(default)]
    groups: Vec<String>,
    /// The label; empty for the declared one.
    #[serde(default)]
    label: String,
    /// The help text; empty for the declared one.
    #[serde(default)]
    help_text: String,
    /// The revision it was read at (0: none stored).
    #[serde(default)]
    revision: i64,
    /// Drops the override: the transition follows the code again.
    #[serde(default)]
    reset: bool,
}

/// Changes to several transitions, saved together or not at all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsWrite {
    /// The transitions to change; the others are left alone.
    changes: Vec<SettingChange>,
}

/// A resource's transition settings.
#[utoipa::path(
    get,
    path = "/resources/{resource}/settings",
    tag = "settings",
    params(("resource" = String, Path, description = "The resource's name.")),
    responses(
        (status = 200, description = "Every transition's settings and the change log.", body = Settings),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller lacks `<resource>.configure`.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read(
    caller: Caller,
    State(state): State<AppState>,
    Path(resource): Path<String>,
) -> Result<Json<Settings>, Problem> {
    let found = caller.resource(&state, &resource)?;
    Ok(Json(found.settings(&state.db, &caller.actor).await?.into()))
}

/// Changes transition settings: every change is checked, then all are saved and logged in
/// one transaction.
#[utoipa::path(
    put,
    path = "/resources/{resource}/settings",
    tag = "settings",
    params(("resource" = String, Path, description = "The resource's name.")),
    request_body = SettingsWrite,
    responses(
        (status = 200, description = "The settings after the change.", body = Settings),
        (status = 400, description = "An unknown transition, visibility or group, a label too long, a transition named twice.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller lacks `<resource>.configure`.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`stale-version`: a setting changed since its revision was read.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn write(
    caller: Caller,
    State(state): State<AppState>,
    Path(resource): Path<String>,
    headers: HeaderMap,
    request_body: Result<Bytes, BytesRejection>,
) -> Result<Json<Settings>, Problem> {
    let found = caller.resource(&state, &resource)?;
    let bytes = body::bytes(request_body)?;
    let write: SettingsWrite = body::json(&headers, &bytes)?;
    let input = SettingsInput {
        resource: found.name().to_owned(),
        rows: write
            .changes
            .into_iter()
            .map(|change| SettingEdit {
                transition: change.transition,
                visibility: change.visibility,
                groups: change.groups,
                label: change.label,
                help_text: change.help_text,
                revision: change.revision,
                reset: change.reset,
            })
            .collect(),
        from_console: false,
    };
    found
        .save_settings(&state.db, &input, &caller.actor)
        .await?;
    Ok(Json(found.settings(&state.db, &caller.actor).await?.into()))
}
