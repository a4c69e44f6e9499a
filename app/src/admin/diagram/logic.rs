//! Drawing a [`MachineResource`]'s machines: for `switchyard graph`, for the diagram page with
//! live counts, and small on an object's page with its state and the path it took.
//!
//! What the drawing shows follows the console: transitions carry the console's labels, and a
//! transition the console hides is drawn set apart for users who may configure it and left
//! out for everyone else, as its button is.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex, OnceLock, PoisonError},
};

use async_trait::async_trait;
use switchyard_engine::{Actor, Diagram, DiagramOptions, Row, Source, StateName, Target};

use super::types::{DiagramStateRow, DiagramTransitionRow, DiagramView, FieldDiagramView};
use crate::{
    admin::{
        paths::encode_component,
        resource::{state_label, MachineResource, StateField},
        settings::{visibility::Visibility, SettingsFeature},
    },
    db::{Db, SqlModel},
    error::AppError,
};

/// Drawings already laid out, by resource, field and options: laying out the orders
/// machine takes about a millisecond, as long as the rest of its object page, and the same
/// drawing comes back for every order in the same state with the same recent steps.
static DRAWINGS: OnceLock<Mutex<HashMap<String, Arc<str>>>> = OnceLock::new();

/// Drawings kept at most; the cache starts over when it is full.
const DRAWINGS_KEPT: usize = 512;

/// `field`'s drawing with `options`, laid out once and then reused.
fn drawing<O>(resource: &str, field: &StateField<O>, options: &DiagramOptions) -> String {
    let key = format!("{resource}\u{0}{}\u{0}{options:?}", field.name());
    let cache = DRAWINGS.get_or_init(Mutex::default);
    // A poisoned cache only means a panic elsewhere while it was held: its entries are whole.
    let cached = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .cloned();
    if let Some(svg) = cached {
        return svg.to_string();
    }
    let svg: Arc<str> = field.machine.diagram().to_svg(options).into();
    let mut kept = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= DRAWINGS_KEPT {
        kept.clear();
    }
    kept.insert(key, Arc::clone(&svg));
    svg.to_string()
}

/// One state field's machine as drawn.
#[derive(Debug, Clone)]
pub struct FieldDiagram {
    /// The field's name (`review`).
    pub field: String,
    /// Its label ("Review").
    pub label: String,
    /// The drawing's model.
    pub diagram: Diagram,
}

/// The diagrams of a resource.
#[async_trait]
pub trait DiagramFeature: Send + Sync {
    /// Each state field's machine, in field order: what `switchyard graph` draws.
    fn diagrams(&self) -> Vec<FieldDiagram>;
    /// The diagram page as `actor` sees it, with live counts.
    async fn diagram(&self, db: &Db, actor: &Actor) -> Result<DiagramView, AppError>;
}

#[async_trait]
impl<O: SqlModel> DiagramFeature for MachineResource<O> {
    fn diagrams(&self) -> Vec<FieldDiagram> {
        self.fields
            .iter()
            .map(|field| FieldDiagram {
                field: field.name().to_owned(),
                label: field.label.clone(),
                diagram: field.machine.diagram(),
            })
            .collect()
    }

    async fn diagram(&self, db: &Db, actor: &Actor) -> Result<DiagramView, AppError> {
        let rule = self.visibility(db).await?;
        let labels = self.state_labels(db).await?;
        let shows_hidden = self.can_configure(actor);
        let mut fields = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let counts = self.stored_counts(db, field).await?;
            let machine = &field.machine;
            let mut options = self.drawing_options(field, &rule, actor);
            let mut states = Vec::new();
            for state in machine.states() {
                let count = counts
                    .get(&machine.encode_state(&state.name))
                    .copied()
                    .unwrap_or(0);
                let href = format!(
                    "/{}?{}={}",
                    self.name(),
                    field.name(),
                    encode_component(state.name.as_str())
                );
                options
                    .counts
                    .insert(state.name.clone(), u64::try_from(count).unwrap_or(0));
                options.links.insert(state.name.clone(), href.clone());
                states.push(DiagramStateRow {
                    state: self.badge(field, state.name.as_str(), &labels),
                    count,
                    href,
                });
            }
            fields.push(FieldDiagramView {
                name: field.name().to_owned(),
                label: field.label.clone(),
                svg: drawing(self.name(), field, &options),
                states,
                transitions: self.transition_rows(field, &options),
            });
        }
        Ok(DiagramView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            fields,
            shows_hidden,
        })
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// What a drawing of `field` shows `actor`: the console's labels, and hidden transitions
    /// set apart for users who may configure them, left out for the others.
    fn drawing_options(
        &self,
        field: &StateField<O>,
        rule: &Visibility<O>,
        actor: &Actor,
    ) -> DiagramOptions {
        let mut options = DiagramOptions {
            id_prefix: format!("{}-{}-", self.name(), field.name()),
            ..DiagramOptions::default()
        };
        let may_configure = self.can_configure(actor);
        for transition in field.machine.transitions() {
            let name = transition.name().to_string();
            options.labels.insert(name.clone(), rule.label(transition));
            if !rule.decide_without_object(transition, Some(actor)).0 {
                if may_configure {
                    options.set_apart.insert(name);
                } else {
                    options.exclude.insert(name);
                }
            }
        }
        options
    }

    /// The small diagram of one object's field: its state highlighted, the steps of `path`
    /// (from, to) emphasised. No state links: the page's own controls come first.
    pub(crate) fn object_diagram(
        &self,
        field: &StateField<O>,
        row: &Row<O>,
        path: BTreeSet<(StateName, StateName)>,
        rule: &Visibility<O>,
        actor: &Actor,
    ) -> String {
        let mut options = self.drawing_options(field, rule, actor);
        options.id_prefix = format!("{}-object-", options.id_prefix);
        options.highlight = Some(row.state().clone());
        options.path = path;
        drawing(self.name(), field, &options)
    }

    /// The text alternative: one row per declared transition the drawing shows.
    fn transition_rows(
        &self,
        field: &StateField<O>,
        options: &DiagramOptions,
    ) -> Vec<DiagramTransitionRow> {
        let machine = &field.machine;
        let label = |state: &StateName| state_label(machine, state);
        let list = |states: &[StateName]| states.iter().map(label).collect::<Vec<_>>().join(", ");
        let rows = machine
            .transitions()
            .iter()
            .filter(|transition| !options.exclude.contains(transition.name().as_str()))
            .map(|transition| {
                let name = transition.name().as_str();
                let from = match transition.source() {
                    Source::State(state) => label(state),
                    Source::Any => "Any state that is not final".to_owned(),
                    Source::AnyOther => {
                        "Any state that is not final, other than the target".to_owned()
                    }
                };
                let to = match transition.target() {
                    Target::Fixed(state) => label(state),
                    Target::Unchanged => "Unchanged".to_owned(),
                    Target::FromHandler { allowed } | Target::FromObject { allowed, .. } => {
                        format!("One of {}", list(allowed))
                    }
                };
                DiagramTransitionRow {
                    label: options
                        .labels
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| transition.label().to_owned()),
                    from,
                    to,
                    on_error: transition.on_error().map(label),
                    hidden: options.set_apart.contains(name),
                }
            });
        // One row per transition and target: declarations from several sources share it.
        let mut merged: Vec<DiagramTransitionRow> = Vec::new();
        for row in rows {
            let same = merged.iter_mut().find(|kept| {
                (&kept.label, &kept.to, &kept.on_error) == (&row.label, &row.to, &row.on_error)
            });
            match same {
                Some(kept) => {
                    kept.from.push_str(", ");
                    kept.from.push_str(&row.from);
                }
                None => merged.push(row),
            }
        }
        merged
    }
}
