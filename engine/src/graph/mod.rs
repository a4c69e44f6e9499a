//! Diagrams of a machine: DOT with django-fsm-2's graph semantics, Mermaid, and SVG laid out
//! in pure Rust.
//!
//! [`Machine::diagram`] takes what a drawing needs out of a machine into a [`Diagram`], which
//! does not depend on the model type, so the console can draw every registered resource's
//! machines through one object-safe call. Every format draws the same [`Edge`]s: `*` and `+`
//! sources expanded to the non-final states they start from, computed targets expanded to
//! their allowed states, check-only transitions as self-loops, and `on_error` as a dotted edge
//! to the error state.

mod dot;
mod mermaid;
mod svg;

pub use svg::svg_stack;

use std::collections::{BTreeMap, BTreeSet};

use crate::machine::Machine;
use crate::names::StateName;
use crate::transition::{Source, Target};

/// What to draw besides the machine: transitions to leave out or set apart, a state to
/// highlight, counts, links and labels.
#[derive(Debug, Clone, Default)]
pub struct DiagramOptions {
    /// Transition names left out of the drawing (django-fsm-2's `-e`).
    pub exclude: BTreeSet<String>,
    /// The state to highlight, e.g. the current state of the object on screen.
    pub highlight: Option<StateName>,
    /// Counts shown with each state's label, e.g. `Paid (12)`.
    pub counts: BTreeMap<StateName, u64>,
    /// Transitions drawn apart (grey and dashed): hidden from the console.
    pub set_apart: BTreeSet<String>,
    /// Edge labels by transition name (the console's labels); the name when absent.
    pub labels: BTreeMap<String, String>,
    /// Where each state links to (SVG only), e.g. the list filtered by it.
    pub links: BTreeMap<StateName, String>,
    /// Transitions an object took, as (from, to): drawn emphasised (SVG only).
    pub path: BTreeSet<(StateName, StateName)>,
    /// A prefix for the SVG's element ids, so several drawings can share a page.
    pub id_prefix: String,
}

/// One state as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramState {
    /// Its name.
    pub name: StateName,
    /// What the column stores for it (the integer code of integer states), the node's id.
    pub key: String,
    /// Its label.
    pub label: String,
    /// Its description, shown on hover.
    pub description: String,
    /// Whether no transition leaves it.
    pub is_final: bool,
    /// Its badge colour (`grey` when none was declared).
    pub colour: String,
}

/// One edge of the drawing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Where it starts.
    pub from: StateName,
    /// Where it ends.
    pub to: StateName,
    /// The transition's name (emptied for `on_error` edges when drawn).
    pub label: String,
    /// Whether this is an `on_error` edge (drawn dotted).
    pub on_error: bool,
    /// Whether the target is computed (one of several allowed states; drawn dashed).
    pub computed: bool,
}

/// A machine as drawn: its states and edges, independent of the model type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The resource (`orders`).
    pub resource: String,
    /// The state field (`state`).
    pub field: String,
    /// The initial state.
    pub initial: StateName,
    /// Every state, in declaration order.
    pub states: Vec<DiagramState>,
    /// Every edge, every transition included (options leave some out when drawing).
    pub edges: Vec<Edge>,
    /// The state groups: (name, label, member states in declaration order).
    pub groups: Vec<(String, String, Vec<StateName>)>,
}

impl<O> Machine<O> {
    /// The machine as drawn.
    pub fn diagram(&self) -> Diagram {
        let states = self
            .states
            .iter()
            .map(|state| DiagramState {
                name: state.name.clone(),
                key: self.encode_state(&state.name).to_string(),
                label: state.label.clone(),
                description: state.description.clone(),
                is_final: state.is_final,
                colour: state.colour.clone().unwrap_or_else(|| "grey".to_owned()),
            })
            .collect();
        Diagram {
            resource: self.resource.clone(),
            field: self.field.clone(),
            initial: self.initial.clone(),
            states,
            edges: self.edges(),
            groups: self
                .groups
                .iter()
                .map(|group| {
                    (
                        group.name.clone(),
                        group.label.clone(),
                        group.members.clone(),
                    )
                })
                .collect(),
        }
    }

    fn edges(&self) -> Vec<Edge> {
        let non_final: Vec<&StateName> = self
            .states
            .iter()
            .filter(|state| !state.is_final)
            .map(|state| &state.name)
            .collect();
        let mut edges = BTreeSet::new();
        for transition in &self.transitions {
            let sources: Vec<&StateName> = match &transition.source {
                Source::State(state) => vec![state],
                Source::Any | Source::AnyOther => non_final.clone(),
            };
            let computed = matches!(
                transition.target,
                Target::FromHandler { .. } | Target::FromObject { .. }
            );
            for source in sources {
                let targets = match &transition.target {
                    Target::Unchanged => vec![source.clone()],
                    target => target.possible_states(),
                };
                for target in targets {
                    if transition.source == Source::AnyOther && &target == source {
                        continue;
                    }
                    edges.insert(Edge {
                        from: source.clone(),
                        to: target,
                        label: transition.name.to_string(),
                        on_error: false,
                        computed,
                    });
                }
                if let Some(error_state) = &transition.on_error {
                    edges.insert(Edge {
                        from: source.clone(),
                        to: error_state.clone(),
                        label: transition.name.to_string(),
                        on_error: true,
                        computed: false,
                    });
                }
            }
        }
        edges.into_iter().collect()
    }

    /// The edges drawn with these options (excluded transitions left out; an `on_error` edge
    /// stays while any transition with it does).
    pub fn diagram_edges(&self, options: &DiagramOptions) -> Vec<Edge> {
        self.diagram().drawn_edges(options)
    }

    /// The DOT source, laid out like django-fsm-2's `graph_transitions`.
    pub fn to_dot(&self, options: &DiagramOptions) -> String {
        self.diagram().to_dot(options)
    }

    /// The diagram as a standalone SVG document, laid out in pure Rust.
    pub fn to_svg(&self, options: &DiagramOptions) -> String {
        self.diagram().to_svg(options)
    }
}

impl Diagram {
    /// The state named `name`.
    pub fn state(&self, name: &StateName) -> Option<&DiagramState> {
        self.states.iter().find(|state| &state.name == name)
    }

    /// The edges drawn with these options: excluded transitions left out, and one dotted
    /// `on_error` edge per pair of states (its label empty).
    pub fn drawn_edges(&self, options: &DiagramOptions) -> Vec<Edge> {
        let mut drawn = BTreeSet::new();
        for edge in &self.edges {
            if options.exclude.contains(&edge.label) {
                continue;
            }
            let mut edge = edge.clone();
            if edge.on_error {
                edge.label.clear();
            }
            drawn.insert(edge);
        }
        drawn.into_iter().collect()
    }

    /// A state's label, with its count when the options carry one.
    fn node_label(&self, name: &StateName, options: &DiagramOptions) -> String {
        let label = self
            .state(name)
            .map_or(name.as_str(), |state| state.label.as_str());
        match options.counts.get(name) {
            Some(count) => format!("{label} ({count})"),
            None => label.to_owned(),
        }
    }

    /// An edge's label: the transition's console label when given, else its name.
    fn edge_label<'a>(&'a self, edge: &'a Edge, options: &'a DiagramOptions) -> &'a str {
        options
            .labels
            .get(&edge.label)
            .map_or(edge.label.as_str(), String::as_str)
    }
}
