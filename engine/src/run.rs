//! What a request asks of the firing path: who, which checks (its scope), and, once per
//! declaration a fire meets, the arguments (the fields cleaned by the rule's form) and the
//! audit description every row resolved to it shares.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::actor::Actor;
use crate::error::FireError;
use crate::form::FieldErrors;
use crate::guard::{Channel, CheckScope, ConsoleRule};
use crate::names::Version;
use crate::request::{BulkMode, Request};
use crate::store::LockMode;
use crate::transition::Transition;

/// Everything the path needs besides the rows.
pub(crate) struct Run<'a, O> {
    pub(crate) transition: &'a str,
    pub(crate) actor: &'a Actor,
    pub(crate) arguments: &'a Value,
    fields: Option<&'a BTreeMap<String, String>>,
    description: Option<&'a str>,
    pub(crate) job: Option<i64>,
    /// Picks the form that cleans; on the console channel, also decides visibility.
    rule: &'a dyn ConsoleRule<O>,
    console: bool,
    pub(crate) lock: LockMode,
    pub(crate) mode: BulkMode,
    expected_version: Option<Version>,
}

impl<'a, O> Run<'a, O> {
    /// What a request asks of the path, whichever rows it targets.
    pub(crate) fn new<T, R: ConsoleRule<O>>(
        request: &'a Request<T, R>,
        mode: BulkMode,
        expected_version: Option<Version>,
    ) -> Self {
        Run {
            transition: &request.transition,
            actor: &request.actor,
            arguments: &request.arguments,
            fields: request.fields.as_ref(),
            description: request.description.as_deref(),
            job: request.job,
            rule: &request.rule,
            console: request.channel == Channel::Console,
            lock: request.lock,
            mode,
            expected_version,
        }
    }

    pub(crate) fn scope(&self) -> CheckScope<'a, O> {
        CheckScope {
            actor: Some(self.actor),
            console: self.console.then_some(self.rule),
            expected_version: self.expected_version,
            conditions: true,
        }
    }

    /// The arguments and audit description for rows resolved to `transition`: the fields
    /// cleaned by the form the rule picks (or the request's arguments), and the description
    /// the request gives, else the form's note.
    fn prepare(&self, transition: &Transition<O>) -> Result<Prepared<'a>, FieldErrors> {
        let form = self.rule.form(transition);
        let arguments = match (self.fields, form) {
            (Some(fields), Some(form)) => Cow::Owned(form.clean(fields)?),
            _ => Cow::Borrowed(self.arguments),
        };
        let note = form.and_then(|form| form.description_of(&arguments));
        let description = self
            .description
            .map(str::to_owned)
            .or_else(|| note.map(str::to_owned));
        Ok(Prepared {
            arguments,
            description,
        })
    }
}

/// What rows resolved to one declaration share: their arguments and audit description.
pub(crate) struct Prepared<'a> {
    pub(crate) arguments: Cow<'a, Value>,
    pub(crate) description: Option<String>,
}

/// Each declaration's prepared arguments, made once per fire however many rows use it.
pub(crate) struct PreparedCache<'m, 'a, O> {
    entries: Vec<(&'m Transition<O>, Result<Prepared<'a>, FieldErrors>)>,
}

impl<'m, 'a, O> PreparedCache<'m, 'a, O> {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        PreparedCache {
            entries: Vec::new(),
        }
    }

    /// The position of `transition`'s entry, prepared on first use.
    pub(crate) fn entry(
        &mut self,
        transition: &'m Transition<O>,
        run: &Run<'a, O>,
    ) -> Result<usize, FireError> {
        let position = match self
            .entries
            .iter()
            .position(|(seen, _)| std::ptr::eq(*seen, transition))
        {
            Some(position) => position,
            None => {
                self.entries.push((transition, run.prepare(transition)));
                self.entries.len() - 1
            }
        };
        match &self.entries[position].1 {
            Ok(_) => Ok(position),
            Err(errors) => Err(FireError::FormInvalid {
                transition: transition.name().clone(),
                errors: errors.clone(),
            }),
        }
    }

    pub(crate) fn get(&self, position: usize) -> Option<&Prepared<'a>> {
        self.entries[position].1.as_ref().ok()
    }
}
