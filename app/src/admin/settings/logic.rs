//! The settings page of a [`MachineResource`]: every transition with its effective visibility
//! and where it comes from, the browser's overrides (visibility, groups, label, help text),
//! their log, and reverting a change.

use async_trait::async_trait;
use switchyard_engine::Actor;

use super::{
    types::{RevertInput, SettingChangeView, SettingsInput, SettingsView, TransitionSetting},
    visibility::{DefaultVisibility, Overrides},
};
use crate::{
    admin::{
        flash::{Message, MessageKind},
        resource::MachineResource,
    },
    db::{
        settings::{self, SaveError, SettingWrite},
        Db, SqlModel,
    },
    error::AppError,
};

/// Changes listed on the settings page.
const CHANGES_SHOWN: i64 = 50;

/// The transition settings page, and the console's default the registry sets.
#[async_trait]
pub trait SettingsFeature: Send + Sync {
    /// Sets the console's default for transitions whose flag is unset (the registry's).
    fn set_default_visibility(&mut self, default: DefaultVisibility);
    /// Whether `actor` may open the transition settings.
    fn can_configure(&self, actor: &Actor) -> bool;
    /// The transition settings page.
    async fn settings(&self, db: &Db, actor: &Actor) -> Result<SettingsView, AppError>;
    /// Saves the transition settings form.
    async fn save_settings(
        &self,
        db: &Db,
        input: &SettingsInput,
        actor: &Actor,
    ) -> Result<Message, AppError>;
    /// Reverts a logged settings change, or resets one transition to the code's choice.
    async fn revert_setting(
        &self,
        db: &Db,
        input: &RevertInput,
        actor: &Actor,
    ) -> Result<Message, AppError>;
}

#[async_trait]
impl<O: SqlModel> SettingsFeature for MachineResource<O> {
    fn set_default_visibility(&mut self, default: DefaultVisibility) {
        self.console_default = default;
    }

    /// Whether `actor` may change this resource's settings.
    fn can_configure(&self, actor: &Actor) -> bool {
        actor.has_perm(&format!("{}.configure", self.name()))
    }

    /// The settings page as `actor` sees it; only users who may configure see it at all.
    async fn settings(&self, db: &Db, actor: &Actor) -> Result<SettingsView, AppError> {
        self.require_configure(actor)?;
        let rule = self.visibility(db).await?;
        let rows = self
            .fields
            .iter()
            .flat_map(|field| {
                field
                    .machine
                    .transition_names()
                    .into_iter()
                    .filter_map(|name| field.machine.declarations_of(name.as_str()).next())
            })
            .map(|transition| self.setting_row(transition, &rule))
            .collect();
        let changes = settings::changes(db, self.name(), CHANGES_SHOWN)
            .await?
            .into_iter()
            .map(|change| SettingChangeView {
                before: TransitionSetting::from_json(&change.before).summary(),
                after: TransitionSetting::from_json(&change.after).summary(),
                id: change.id,
                transition: change.transition,
                actor: change.actor_username,
                at: change.changed_at,
                reverts: change.reverts,
            })
            .collect();
        Ok(SettingsView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            default: match self.console_default {
                DefaultVisibility::ShownUnlessHidden => "shown unless hidden".to_owned(),
                DefaultVisibility::HiddenUnlessShown => "hidden unless shown".to_owned(),
            },
            rows,
            groups: known_groups(db, &rule.overrides).await?,
            changes,
            message: None,
        })
    }

    /// Saves the settings form: every row is checked first, then the rows that changed are
    /// stored and logged in one transaction; a row changed by someone else since the page was
    /// read refuses the whole save.
    async fn save_settings(
        &self,
        db: &Db,
        input: &SettingsInput,
        actor: &Actor,
    ) -> Result<Message, AppError> {
        self.require_configure(actor)?;
        let stored = Overrides::read(db, self.name()).await?;
        let groups = known_groups(db, &stored).await?;
        let mut writes = Vec::with_capacity(input.rows.len());
        for edit in &input.rows {
            let overridden = stored
                .get(&edit.transition)
                .is_some_and(|stored| stored.setting.visibility.is_some());
            let after = if edit.reset {
                if self.field_of(&edit.transition).is_none() {
                    return Err(AppError::Invalid(format!(
                        "There is no transition `{}`.",
                        edit.transition
                    )));
                }
                TransitionSetting::default()
            } else {
                self.cleaned(edit, &groups, overridden)
                    .map_err(AppError::Invalid)?
            };
            if writes
                .iter()
                .any(|write: &SettingWrite| write.transition == edit.transition)
            {
                return Err(AppError::Invalid(format!(
                    "`{}` is posted twice.",
                    edit.transition
                )));
            }
            writes.push(SettingWrite {
                transition: edit.transition.clone(),
                expected_revision: edit.revision,
                after: after.to_values(),
            });
        }
        let changed = self.store_settings(db, &writes, actor, None).await?;
        Ok(Message {
            kind: MessageKind::Success,
            text: match changed {
                0 => "Nothing changed.".to_owned(),
                1 => "Saved 1 change.".to_owned(),
                n => format!("Saved {n} changes."),
            },
        })
    }

    /// Undoes a logged change (its transition goes back to the setting before it), or removes
    /// a transition's override; either is logged like any change.
    async fn revert_setting(
        &self,
        db: &Db,
        input: &RevertInput,
        actor: &Actor,
    ) -> Result<Message, AppError> {
        self.require_configure(actor)?;
        let resource = self.name();
        // One read serves the check below and the revision the write expects, so a change
        // made in between is refused as stale rather than reverted over.
        let current = Overrides::read(db, resource).await?;
        let (transition, after, reverts) = match (input.change, input.transition.as_deref()) {
            (Some(id), None) => {
                let change = settings::change(db, resource, id)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("Change {id}")))?;
                // Undoing a change under later ones would silently undo those too.
                let now = current
                    .get(&change.transition)
                    .map(|stored| stored.setting.clone())
                    .unwrap_or_default();
                if now != TransitionSetting::from_json(&change.after) {
                    return Err(AppError::Conflict(format!(
                        "{} was changed again after change {id}; revert the newer changes first.",
                        self.declared_label(&change.transition)
                    )));
                }
                let before = TransitionSetting::from_json(&change.before);
                (change.transition, before, Some(id))
            }
            (None, Some(name)) => {
                if self.field_of(name).is_none() {
                    return Err(AppError::NotFound(format!("Transition `{name}`")));
                }
                (name.to_owned(), TransitionSetting::default(), None)
            }
            _ => {
                return Err(AppError::Invalid(
                    "Name either a change to revert or a transition to reset.".to_owned(),
                ))
            }
        };
        let write = SettingWrite {
            expected_revision: current.get(&transition).map_or(0, |s| s.revision),
            transition,
            after: after.to_values(),
        };
        let changed = self
            .store_settings(db, std::slice::from_ref(&write), actor, reverts)
            .await?;
        let label = self.declared_label(&write.transition);
        Ok(Message {
            kind: MessageKind::Success,
            text: match (changed, reverts) {
                (0, _) => format!("{label} already had that setting; nothing changed."),
                (_, Some(id)) => format!("Reverted change {id}: {label} is {}.", after.summary()),
                (_, None) => format!("{label} follows the code again."),
            },
        })
    }
}

impl<O: SqlModel> MachineResource<O> {
    fn require_configure(&self, actor: &Actor) -> Result<(), AppError> {
        if self.can_configure(actor) {
            Ok(())
        } else {
            Err(AppError::NotAllowed(format!(
                "You may not change the settings of {}.",
                self.options.title.to_lowercase()
            )))
        }
    }

    async fn store_settings(
        &self,
        db: &Db,
        writes: &[SettingWrite],
        actor: &Actor,
        reverts: Option<i64>,
    ) -> Result<usize, AppError> {
        settings::save(db, self.name(), writes, actor, reverts)
            .await
            .map_err(|error| match error {
                SaveError::Stale(transition) => AppError::Conflict(format!(
                    "The setting of {} was changed by someone else since the page was loaded. \
                     Reload it and try again.",
                    self.declared_label(&transition)
                )),
                SaveError::Database(error) => AppError::internal(error),
            })
    }
}

/// Every group a setting may name: the groups that exist, and any a stored override still
/// names after its group was deleted (so that override can still be saved unchanged).
async fn known_groups(db: &Db, overrides: &Overrides) -> Result<Vec<String>, AppError> {
    let mut groups = settings::group_names(db).await?;
    for named in overrides.named_groups() {
        if !groups.iter().any(|group| group == named) {
            groups.push(named.to_owned());
        }
    }
    groups.sort();
    Ok(groups)
}
