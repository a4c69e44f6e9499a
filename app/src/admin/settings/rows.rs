//! The rows of the settings page: each transition's routes, what decides its visibility
//! now and why, and the setting one posted row asks for (checked, or refused with a sentence).

use std::sync::Arc;

use switchyard_engine::{Source, Target, Transition};

use super::{
    types::{SettingEdit, SettingRow, SettingVisibility, TransitionSetting},
    visibility::{DecidedBy, DefaultVisibility, Overrides, Visibility},
};
use crate::{
    admin::resource::{state_label, MachineResource},
    db::SqlModel,
};

/// The longest label and help text an override may set (the tables check the same).
const LABEL_MAX: usize = 100;
const HELP_MAX: usize = 500;

impl<O: SqlModel> MachineResource<O> {
    /// The declared label of the transition `name` (its name when the machine has none).
    pub(super) fn declared_label<'a>(&'a self, name: &'a str) -> &'a str {
        self.machine_of(name)
            .declarations_of(name)
            .next()
            .map_or(name, |transition| transition.label())
    }

    /// "new, paid → cancelled", one line per target.
    fn routes(&self, name: &str) -> Vec<String> {
        let mut routes: Vec<(String, Vec<String>)> = Vec::new();
        let machine = self.machine_of(name);
        for transition in machine.declarations_of(name) {
            let source = match transition.source() {
                Source::State(state) => state_label(machine, state),
                Source::Any => "any state".to_owned(),
                Source::AnyOther => "any other state".to_owned(),
            };
            let target = match transition.target() {
                Target::Fixed(state) => state_label(machine, state),
                Target::Unchanged => "unchanged".to_owned(),
                other => {
                    let allowed: Vec<String> = other
                        .possible_states()
                        .iter()
                        .map(|state| state_label(machine, state))
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

    pub(super) fn setting_row(
        &self,
        transition: &Transition<O>,
        rule: &Visibility<O>,
    ) -> SettingRow {
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
            .machine_of(name)
            .declarations_of(name)
            .map(|transition| code.decide_without_object(transition, None).0);
        let first = decisions.next()?;
        decisions.all(|shown| shown == first).then_some(first)
    }

    /// The setting one posted row asks for, or the sentence saying what is wrong with it.
    /// Without a stored visibility (`overridden` false), a choice the code makes anyway is
    /// stored as none, so saving an untouched page overrides nothing and the transition keeps
    /// following the code.
    pub(super) fn cleaned(
        &self,
        edit: &SettingEdit,
        groups: &[String],
        overridden: bool,
    ) -> Result<TransitionSetting, String> {
        let transition = self
            .machine_of(&edit.transition)
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
}
