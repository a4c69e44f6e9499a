//! Which transitions the console offers: the per-object hook, the browser's override, the
//! transition's flag and the global default, in that order of precedence. The same rule draws
//! the buttons and menus and, handed to the engine as its [`ConsoleRule`], refuses inside the
//! fire's transaction what it hides. The browser's overrides come from `db::settings` as plain
//! stored values and are read here into the console's [`TransitionSetting`].

use std::{collections::HashMap, sync::Arc};

use switchyard_engine::{Actor, ConsoleRule, Form, Transition};

use super::types::{SettingVisibility, TransitionSetting};
use crate::{
    admin::resource::{options::VisibilityHook, MachineResource},
    db::{
        settings::{self, SettingValues},
        Db, SqlModel,
    },
    error::AppError,
};

/// The console's default for transitions whose flag is unset (django-fsm-2's
/// `FSM_ADMIN_FORCE_PERMIT`, named for what it does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DefaultVisibility {
    /// Every transition is shown unless its flag hides it (the default).
    #[default]
    ShownUnlessHidden,
    /// Only transitions whose flag shows them are offered.
    HiddenUnlessShown,
}

impl DefaultVisibility {
    fn shows(self) -> bool {
        self == DefaultVisibility::ShownUnlessHidden
    }
}

/// What decided a transition's visibility, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    /// The resource's per-object hook.
    Hook,
    /// An override set in the browser.
    Override,
    /// The transition's declared admin flag.
    Flag,
    /// The console's global default.
    Default,
}

/// One transition's override as the console reads it, with the revision a page must post
/// back to change it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StoredOverride {
    /// What it overrides.
    pub(crate) setting: TransitionSetting,
    /// Bumped by every change; 0 for a transition never changed.
    pub(crate) revision: i64,
}

/// The browser's overrides of one resource, read once per request so that a change made on
/// any server applies at the next request everywhere.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overrides {
    by_transition: HashMap<String, StoredOverride>,
}

impl Overrides {
    /// The overrides of `resource` as stored now.
    pub(crate) async fn read(db: &Db, resource: &str) -> Result<Self, AppError> {
        let stored = settings::read_all(db, resource).await?;
        let by_transition = stored
            .into_iter()
            .map(|(transition, stored)| {
                let setting = TransitionSetting::from_values(stored.values);
                let revision = stored.revision;
                (transition, StoredOverride { setting, revision })
            })
            .collect();
        Ok(Overrides { by_transition })
    }

    /// The override of `transition`, if one is stored.
    pub(crate) fn get(&self, transition: &str) -> Option<&StoredOverride> {
        self.by_transition.get(transition)
    }

    fn setting(&self, transition: &str) -> Option<&TransitionSetting> {
        self.get(transition).map(|stored| &stored.setting)
    }

    /// Every group some override names.
    pub(crate) fn named_groups(&self) -> impl Iterator<Item = &str> {
        self.by_transition
            .values()
            .flat_map(|stored| stored.setting.groups.iter().map(String::as_str))
    }

    /// The label the browser set for `transition`, if any.
    pub(crate) fn label(&self, transition: &str) -> Option<&str> {
        self.setting(transition)?.label.as_deref()
    }

    /// The help text the browser set for `transition`, if any.
    pub(crate) fn help_text(&self, transition: &str) -> Option<&str> {
        self.setting(transition)?.help_text.as_deref()
    }
}

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
    pub(crate) fn to_values(&self) -> SettingValues {
        SettingValues {
            visibility: self.visibility.map(|v| v.value().to_owned()),
            groups: self.groups.clone(),
            label: self.label.clone(),
            help_text: self.help_text.clone(),
        }
    }

    /// A setting from the change log's JSON (none when it cannot be read).
    pub(crate) fn from_json(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// The console's rule for this resource as stored now: read on every request, so that
    /// an override saved on any server applies at the next request everywhere.
    pub(crate) async fn visibility(&self, db: &Db) -> Result<Visibility<O>, AppError> {
        Ok(Visibility {
            hook: self.options.visible.clone(),
            overrides: Arc::new(Overrides::read(db, self.name()).await?),
            default: self.console_default,
            forms: Arc::clone(&self.options.forms),
        })
    }
}

/// The console's rule for one resource and one request: what it shows, and the forms it
/// cleans with (the resource's, else the machine's). Cheap to clone; owned, so the engine
/// can carry it inside a fire request.
pub(crate) struct Visibility<O> {
    pub(crate) hook: Option<VisibilityHook<O>>,
    pub(crate) overrides: Arc<Overrides>,
    pub(crate) default: DefaultVisibility,
    pub(crate) forms: Arc<HashMap<String, Form>>,
}

impl<O> Clone for Visibility<O> {
    fn clone(&self) -> Self {
        Visibility {
            hook: self.hook.clone(),
            overrides: Arc::clone(&self.overrides),
            default: self.default,
            forms: Arc::clone(&self.forms),
        }
    }
}

impl<O> Visibility<O> {
    /// The label the console gives `transition` where no object is in view (menus, the
    /// settings page): the browser's override, else the declared one.
    pub(crate) fn label(&self, transition: &Transition<O>) -> String {
        self.overrides
            .label(transition.name().as_str())
            .unwrap_or(transition.label())
            .to_owned()
    }

    /// Whether `transition` is offered on `object` to `actor`, and what decided it.
    pub(crate) fn decide(
        &self,
        transition: &Transition<O>,
        object: &O,
        actor: &Actor,
    ) -> (bool, DecidedBy) {
        if let Some(shown) = self
            .hook
            .as_ref()
            .and_then(|hook| hook(transition, object, actor))
        {
            return (shown, DecidedBy::Hook);
        }
        self.decide_without_object(transition, Some(actor))
    }

    /// The same below the hook: what the settings page shows (no object), and what a menu
    /// offering a transition for many objects goes by. Without an actor, a transition shown
    /// to groups counts as shown.
    pub(crate) fn decide_without_object(
        &self,
        transition: &Transition<O>,
        actor: Option<&Actor>,
    ) -> (bool, DecidedBy) {
        let setting = self.overrides.setting(transition.name().as_str());
        if let Some(visibility) = setting.and_then(|setting| setting.visibility) {
            let groups = setting.map(|s| s.groups.as_slice()).unwrap_or_default();
            let shown = match visibility {
                SettingVisibility::Shown => true,
                SettingVisibility::Hidden => false,
                SettingVisibility::Groups => {
                    actor.is_none_or(|actor| groups.iter().any(|group| actor.in_group(group)))
                }
            };
            return (shown, DecidedBy::Override);
        }
        match transition.admin_flag() {
            Some(shown) => (shown, DecidedBy::Flag),
            None => (self.default.shows(), DecidedBy::Default),
        }
    }
}

impl<O> ConsoleRule<O> for Visibility<O> {
    fn shows(&self, transition: &Transition<O>, object: &O, actor: &Actor) -> bool {
        self.decide(transition, object, actor).0
    }

    /// The resource's form for the transition (django-fsm-2's `fsm_forms`: the admin's form
    /// wins), else the machine's.
    fn form<'t>(&'t self, transition: &'t Transition<O>) -> Option<&'t Form> {
        self.forms
            .get(transition.name().as_str())
            .or(transition.form())
    }
}
