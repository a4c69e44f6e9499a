//! The settings page of a [`MachineResource`]: every transition with its effective visibility
//! and where it comes from, the browser's overrides (visibility, groups, label, help text),
//! their log, and reverting a change.

use std::sync::Arc;

use switchyard_engine::{Actor, Source, Target, Transition};

use super::{
    resource::{state_label, MachineResource},
    view::{
        Message, MessageKind, RevertInput, SettingChangeView, SettingEdit, SettingRow,
        SettingVisibility, SettingsInput, SettingsView, TransitionSetting,
    },
    visibility::{DecidedBy, DefaultVisibility, Overrides, Visibility},
};
use crate::{
    db::{
        settings::{self, SaveError, SettingValues, SettingWrite},
        Db, SqlModel,
    },
    error::AppError,
};

/// Changes listed on the settings page.
const CHANGES_SHOWN: i64 = 50;
/// The longest label and help text an override may set (the tables check the same).
const LABEL_MAX: usize = 100;
const HELP_MAX: usize = 500;

impl TransitionSetting {
    /// A setting from its stored values (a visibility the console does not know reads as
    /// none).
    pub(crate) fn from_values(values: SettingValues) -> Self {
        TransitionSetting {
            visibility: values
                .visibility
                .as_deref()
                .and_then(SettingVisibility::parse),
            groups: values.groups,
            label: values.label,
            help_text: values.help_text,
        }
    }

    /// The values stored for this setting.
    fn to_values(&self) -> SettingValues {
        SettingValues {
            visibility: self.visibility.map(|v| v.value().to_owned()),
            groups: self.groups.clone(),
            label: self.label.clone(),
            help_text: self.help_text.clone(),
        }
    }

    /// A setting from the change log's JSON (none when it cannot be read).
    fn from_json(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// The console's rule for this resource as stored now: read on every request, so that
    /// an override saved on any server applies at the next request everywhere.
    pub(crate) async fn visibility(&self, db: &Db) -> Result<Visibility<O>, AppError> {
        Ok(Visibility {
            hook: self.options.visible.clone(),
            overrides: Arc::new(Overrides::read(db, self.machine.resource()).await?),
            default: self.console_default,
            forms: Arc::clone(&self.options.forms),
        })
    }

    /// Whether `actor` may change this resource's settings.
    pub(crate) fn can_configure(&self, actor: &Actor) -> bool {
        actor.has_perm(&format!("{}.configure", self.machine.resource()))
    }

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

    /// The declared label of the transition `name` (its name when the machine has none).
    fn declared_label<'a>(&'a self, name: &'a str) -> &'a str {
        self.machine
            .declarations_of(name)
            .next()
            .map_or(name, |transition| transition.label())
    }

    /// "new, paid → cancelled", one line per target.
    fn routes(&self, name: &str) -> Vec<String> {
        let mut routes: Vec<(String, Vec<String>)> = Vec::new();
        for transition in self.machine.declarations_of(name) {
            let source = match transition.source() {
                Source::State(state) => state_label(&self.machine, state),
                Source::Any => "any state".to_owned(),
                Source::AnyOther => "any other state".to_owned(),
            };
            let target = match transition.target() {
                Target::Fixed(state) => state_label(&self.machine, state),
                Target::Unchanged => "unchanged".to_owned(),
                other => {
                    let allowed: Vec<String> = other
                        .possible_states()
                        .iter()
                        .map(|state| state_label(&self.machine, state))
                        .collect();
                    format!("one of {}", allowed.join(", "))
                }
            };
            match routes.iter_mut().find(|(to, _)| *to == target) {
                Some((_, sources)) => sources.push(source),
                None => routes.push((target, vec![source])),
            }
        }
        routes
            .into_iter()
            .map(|(target, sources)| format!("{} → {target}", sources.join(", ")))
            .collect()
    }

    fn setting_row(&self, transition: &Transition<O>, rule: &Visibility<O>) -> SettingRow {
        let name = transition.name().as_str();
        let stored = rule.overrides.get(name).cloned().unwrap_or_default();
        let (shown, decided) = rule.decide_without_object(transition, None);
        let decided_by = match decided {
            DecidedBy::Override => "Override set in the browser".to_owned(),
            DecidedBy::Flag if shown => "Code: shown by the transition's flag".to_owned(),
            DecidedBy::Flag => "Code: hidden by the transition's flag".to_owned(),
            DecidedBy::Default => match rule.default {
                DefaultVisibility::ShownUnlessHidden => "Global default: shown unless hidden",
                DefaultVisibility::HiddenUnlessShown => "Global default: hidden unless shown",
            }
            .to_owned(),
            DecidedBy::Hook => "Per-object hook".to_owned(),
        };
        let mixed = decided != DecidedBy::Override && self.by_code(name).is_none();
        let now = match (&stored.setting.visibility, shown) {
            (Some(SettingVisibility::Groups), _) => {
                format!("Shown to {}", stored.setting.groups.join(", "))
            }
            _ if mixed => "Depends on the state".to_owned(),
            (_, true) => "Shown".to_owned(),
            (_, false) => "Hidden".to_owned(),
        };
        let decided_by = if mixed {
            "Code: the flags differ by source state".to_owned()
        } else {
            decided_by
        };
        SettingRow {
            now,
            name: name.to_owned(),
            label: rule.label(transition),
            declared_label: transition.label().to_owned(),
            declared_help_text: transition.help_text().to_owned(),
            routes: self.routes(name),
            shown,
            decided_by,
            hook: rule.hook.is_some(),
            setting: stored.setting,
            revision: stored.revision,
        }
    }

    /// The settings page as `actor` sees it; only users who may configure see it at all.
    pub(crate) async fn settings_view(
        &self,
        db: &Db,
        actor: &Actor,
    ) -> Result<SettingsView, AppError> {
        self.require_configure(actor)?;
        let rule = self.visibility(db).await?;
        let rows = self
            .machine
            .transition_names()
            .into_iter()
            .filter_map(|name| self.machine.declarations_of(name.as_str()).next())
            .map(|transition| self.setting_row(transition, &rule))
            .collect();
        let changes = settings::changes(db, self.machine.resource(), CHANGES_SHOWN)
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
            resource: self.machine.resource().to_owned(),
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

    /// What the code alone decides for the transition `name` (flag, else the global default):
    /// `None` when its declarations disagree (a flag on some source states only).
    fn by_code(&self, name: &str) -> Option<bool> {
        let code = Visibility {
            hook: None,
            overrides: Arc::new(Overrides::default()),
            default: self.console_default,
            forms: Arc::default(),
        };
        let mut decisions = self
            .machine
            .declarations_of(name)
            .map(|transition| code.decide_without_object(transition, None).0);
        let first = decisions.next()?;
        decisions.all(|shown| shown == first).then_some(first)
    }

    /// The setting one posted row asks for, or the sentence saying what is wrong with it.
    /// Without a stored visibility (`overridden` false), a choice the code makes anyway is
    /// stored as none, so saving an untouched page overrides nothing and the transition keeps
    /// following the code.
    fn cleaned(
        &self,
        edit: &SettingEdit,
        groups: &[String],
        overridden: bool,
    ) -> Result<TransitionSetting, String> {
        let transition = self
            .machine
            .declarations_of(&edit.transition)
            .next()
            .ok_or_else(|| format!("There is no transition `{}`.", edit.transition))?;
        let declared = transition.label();
        let visibility = SettingVisibility::parse(&edit.visibility).ok_or_else(|| {
            format!(
                "Choose Shown, Hidden or Shown to groups for {declared} (not “{}”).",
                edit.visibility
            )
        })?;
        let mut chosen: Vec<String> = Vec::new();
        if visibility == SettingVisibility::Groups {
            for group in &edit.groups {
                if !groups.contains(group) {
                    return Err(format!("There is no group “{group}”."));
                }
                if !chosen.contains(group) {
                    chosen.push(group.clone());
                }
            }
            if chosen.is_empty() {
                return Err(format!("Choose at least one group that sees {declared}."));
            }
            chosen.sort();
        }
        let text = |value: &str, declared: &str, max: usize, what: &str| {
            let value = value.trim();
            if value.chars().any(char::is_control) {
                Err(format!(
                    "The {what} of {} must be one line of text.",
                    transition.label()
                ))
            } else if value.chars().count() > max {
                Err(format!(
                    "The {what} of {} is longer than {max} characters.",
                    transition.label()
                ))
            } else if value.is_empty() || value == declared {
                Ok(None)
            } else {
                Ok(Some(value.to_owned()))
            }
        };
        let label = text(&edit.label, declared, LABEL_MAX, "label")?;
        let help_text = text(
            &edit.help_text,
            transition.help_text(),
            HELP_MAX,
            "help text",
        )?;
        let same_as_code = match (visibility, self.by_code(&edit.transition)) {
            (SettingVisibility::Shown, Some(shown)) => shown,
            (SettingVisibility::Hidden, Some(shown)) => !shown,
            // Groups, or declarations whose flags differ by source state: always stored.
            _ => false,
        };
        Ok(TransitionSetting {
            visibility: (overridden || !same_as_code).then_some(visibility),
            groups: chosen,
            label,
            help_text,
        })
    }

    /// Saves the settings form: every row is checked first, then the rows that changed are
    /// stored and logged in one transaction; a row changed by someone else since the page was
    /// read refuses the whole save.
    pub(crate) async fn save_settings(
        &self,
        db: &Db,
        input: &SettingsInput,
        actor: &Actor,
    ) -> Result<Message, AppError> {
        self.require_configure(actor)?;
        let stored = Overrides::read(db, self.machine.resource()).await?;
        let groups = known_groups(db, &stored).await?;
        let mut writes = Vec::with_capacity(input.rows.len());
        for edit in &input.rows {
            let overridden = stored
                .get(&edit.transition)
                .is_some_and(|stored| stored.setting.visibility.is_some());
            let after = if edit.reset {
                if self
                    .machine
                    .declarations_of(&edit.transition)
                    .next()
                    .is_none()
                {
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

    async fn store_settings(
        &self,
        db: &Db,
        writes: &[SettingWrite],
        actor: &Actor,
        reverts: Option<i64>,
    ) -> Result<usize, AppError> {
        settings::save(db, self.machine.resource(), writes, actor, reverts)
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

    /// Undoes a logged change (its transition goes back to the setting before it), or removes
    /// a transition's override; either is logged like any change.
    pub(crate) async fn revert_setting(
        &self,
        db: &Db,
        input: &RevertInput,
        actor: &Actor,
    ) -> Result<Message, AppError> {
        self.require_configure(actor)?;
        let resource = self.machine.resource();
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
                if self.machine.declarations_of(name).next().is_none() {
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
