//! The one-line-per-transition builder methods of `TransitionDecl`.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::actor::Actor;
use crate::form::Form;
use crate::transition::{
    Condition, HandlerError, HandlerFailure, HandlerFn, Permission, SourceDecl, TargetDecl,
    TransitionDecl,
};

fn erase<O, A, F>(handler: F) -> HandlerFn<O>
where
    O: 'static,
    A: DeserializeOwned,
    F: Fn(&mut O, &Actor, A) -> Result<Option<String>, HandlerError> + Send + Sync + 'static,
{
    Arc::new(move |object: &mut O, actor: &Actor, raw: &Value| {
        let arguments = serde_json::from_value::<A>(raw.clone())
            .map_err(|error| HandlerFailure::Arguments(error.to_string()))?;
        handler(object, actor, arguments).map_err(HandlerFailure::Failed)
    })
}

impl<O: 'static> TransitionDecl<O> {
    /// Declares a transition by name; its label defaults to the name, it is visible in the admin.
    pub fn new(name: &str) -> Self {
        TransitionDecl {
            name: name.to_owned(),
            source: None,
            target: None,
            label: None,
            help_text: String::new(),
            admin_flag: None,
            conditions: Vec::new(),
            permission: None,
            on_error: None,
            form: None,
            confirmation: None,
            metadata: Value::Null,
            handler: None,
        }
    }

    /// Starts from one state.
    pub fn from(self, state: &str) -> Self {
        self.from_states(&[state])
    }

    /// Starts from each of these states (one checked transition per source).
    pub fn from_states(mut self, states: &[&str]) -> Self {
        self.source = Some(SourceDecl::States(
            states.iter().map(|state| (*state).to_owned()).collect(),
        ));
        self
    }

    /// `*`: starts from every non-final state, its own target included.
    pub fn from_any(mut self) -> Self {
        self.source = Some(SourceDecl::Any);
        self
    }

    /// `+`: starts from every non-final state other than its target.
    pub fn from_any_other(mut self) -> Self {
        self.source = Some(SourceDecl::AnyOther);
        self
    }

    /// Leads to a fixed state (the same as the source for a self-transition).
    pub fn to(mut self, state: &str) -> Self {
        self.target = Some(TargetDecl::Fixed(state.to_owned()));
        self
    }

    /// Leaves the state unchanged: a check-only transition whose handler may still edit the object.
    pub fn to_unchanged(mut self) -> Self {
        self.target = Some(TargetDecl::Unchanged);
        self
    }

    /// Leads to a state computed from the object after the handler ran, within `allowed`.
    pub fn to_computed<F>(mut self, allowed: &[&str], compute: F) -> Self
    where
        F: Fn(&O) -> String + Send + Sync + 'static,
    {
        let allowed = allowed.iter().map(|state| (*state).to_owned()).collect();
        self.target = Some(TargetDecl::FromObject(allowed, Arc::new(compute)));
        self
    }

    /// Leads to the state the handler returns, within `allowed`; the handler gets typed arguments.
    pub fn to_returned_by<A, F>(mut self, allowed: &[&str], handler: F) -> Self
    where
        A: DeserializeOwned,
        F: Fn(&mut O, &Actor, A) -> Result<String, HandlerError> + Send + Sync + 'static,
    {
        let allowed = allowed.iter().map(|state| (*state).to_owned()).collect();
        self.target = Some(TargetDecl::FromHandler(allowed));
        self.handler = Some(erase(move |object: &mut O, actor: &Actor, arguments: A| {
            handler(object, actor, arguments).map(Some)
        }));
        self
    }

    /// The button label.
    pub fn label(mut self, label: &str) -> Self {
        self.label = Some(label.to_owned());
        self
    }

    /// The help text.
    pub fn help(mut self, help_text: &str) -> Self {
        self.help_text = help_text.to_owned();
        self
    }

    /// Hides the transition from the admin console; APIs may still fire it (permission permitting).
    pub fn hidden_from_admin(mut self) -> Self {
        self.admin_flag = Some(false);
        self
    }

    /// Shows the transition in the admin console even where the console hides transitions
    /// unless they are shown (django-fsm-2's `custom={"admin": True}`).
    pub fn shown_in_admin(mut self) -> Self {
        self.admin_flag = Some(true);
        self
    }

    /// Adds a named condition and the sentence shown when it fails.
    pub fn condition<F>(mut self, name: &str, unmet: &str, check: F) -> Self
    where
        F: Fn(&O) -> bool + Send + Sync + 'static,
    {
        self.conditions.push(Condition {
            name: name.to_owned(),
            unmet: unmet.to_owned(),
            check: Arc::new(check),
        });
        self
    }

    /// Requires a permission code.
    pub fn permission(mut self, code: &str) -> Self {
        self.permission = Some(Permission::Code(code.to_owned()));
        self
    }

    /// Requires a predicate over the actor and the object.
    pub fn permission_fn<F>(mut self, predicate: F) -> Self
    where
        F: Fn(&Actor, &O) -> bool + Send + Sync + 'static,
    {
        self.permission = Some(Permission::Predicate(Arc::new(predicate)));
        self
    }

    /// The state persisted (with a failed audit row) when the handler fails.
    pub fn on_error(mut self, state: &str) -> Self {
        self.on_error = Some(state.to_owned());
        self
    }

    /// The form the console shows before firing; its cleaned data become the arguments.
    pub fn form(mut self, form: Form) -> Self {
        self.form = Some(form);
        self
    }

    /// The sentence of the confirmation dialog.
    pub fn confirm(mut self, sentence: &str) -> Self {
        self.confirmation = Some(sentence.to_owned());
        self
    }

    /// Free metadata for the console.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = metadata;
        self
    }

    /// The handler, for transitions without arguments.
    pub fn handler<F>(mut self, handler: F) -> Self
    where
        F: Fn(&mut O, &Actor) -> Result<(), HandlerError> + Send + Sync + 'static,
    {
        self.handler = Some(Arc::new(move |object: &mut O, actor: &Actor, _: &Value| {
            handler(object, actor)
                .map(|()| None)
                .map_err(HandlerFailure::Failed)
        }));
        self
    }

    /// The handler, receiving arguments deserialized from the request's JSON.
    pub fn handler_with_args<A, F>(mut self, handler: F) -> Self
    where
        A: DeserializeOwned,
        F: Fn(&mut O, &Actor, A) -> Result<(), HandlerError> + Send + Sync + 'static,
    {
        self.handler = Some(erase(move |object: &mut O, actor: &Actor, arguments: A| {
            handler(object, actor, arguments).map(|()| None)
        }));
        self
    }
}
