//! Diagrams: DOT export with django-fsm-2's graph semantics, and SVG rendered in pure Rust.
//!
//! SVG layout uses the `layout-rs` crate (a pure-Rust, offline Sugiyama-style layered layout),
//! so no Graphviz binary is needed at run time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::machine::Machine;
use crate::names::StateName;
use crate::transition::{Source, Target};

/// What to draw: transitions to leave out, a state to highlight, and per-state counts.
#[derive(Debug, Clone, Default)]
pub struct DiagramOptions {
    /// Transition names left out of the drawing (django-fsm-2's `-e`).
    pub exclude: BTreeSet<String>,
    /// The state to highlight, e.g. the current state of the object on screen.
    pub highlight: Option<StateName>,
    /// Counts shown after each state's label, e.g. `Paid (12)`.
    pub counts: BTreeMap<StateName, u64>,
}

/// One edge of the drawing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Where it starts.
    pub from: StateName,
    /// Where it ends.
    pub to: StateName,
    /// The transition name, empty for `on_error` edges.
    pub label: String,
    /// Whether this is an `on_error` edge (drawn dotted).
    pub on_error: bool,
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

impl<O> Machine<O> {
    /// The edges of the diagram: `*` and `+` expanded to the non-final states they start from,
    /// computed targets expanded to their allowed sets, check-only transitions as self-loops.
    pub fn diagram_edges(&self, options: &DiagramOptions) -> Vec<Edge> {
        let non_final: Vec<&StateName> = self
            .states
            .iter()
            .filter(|state| !state.is_final)
            .map(|state| &state.name)
            .collect();
        let mut edges = BTreeSet::new();
        for transition in &self.transitions {
            if options.exclude.contains(transition.name.as_str()) {
                continue;
            }
            let sources: Vec<&StateName> = match &transition.source {
                Source::State(state) => vec![state],
                Source::Any | Source::AnyOther => non_final.clone(),
            };
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
                    });
                }
                if let Some(error_state) = &transition.on_error {
                    edges.insert(Edge {
                        from: source.clone(),
                        to: error_state.clone(),
                        label: String::new(),
                        on_error: true,
                    });
                }
            }
        }
        edges.into_iter().collect()
    }

    fn node_label(&self, name: &StateName, options: &DiagramOptions) -> String {
        let label = self
            .state(name.as_str())
            .map_or(name.as_str(), |state| state.label.as_str());
        match options.counts.get(name) {
            Some(count) => format!("{label} ({count})"),
            None => label.to_owned(),
        }
    }

    /// The DOT source, laid out like django-fsm-2's `graph_transitions`.
    pub fn to_dot(&self, options: &DiagramOptions) -> String {
        let prefix = format!("{}.{}", self.resource, self.field);
        let node = |name: &StateName| format!("\"{}.{}\"", escape(&prefix), name);
        let mut dot = String::new();
        // Writing into a String cannot fail; the results are ignored on purpose.
        let _ = writeln!(dot, "digraph \"{}\" {{", escape(&self.resource));
        let _ = writeln!(dot, "  subgraph \"cluster_{}\" {{", escape(&prefix));
        let _ = writeln!(dot, "    label=\"{}\";", escape(&prefix));
        let initial = format!("\"{}._initial\"", escape(&prefix));
        let _ = writeln!(dot, "    {initial} [label=\"\", shape=point];");
        let _ = writeln!(dot, "    {initial} -> {};", node(&self.initial));
        for state in &self.states {
            let shape = if state.is_final {
                "doublecircle"
            } else {
                "circle"
            };
            let highlight = if options.highlight.as_ref() == Some(&state.name) {
                ", style=filled, fillcolor=\"#ffd54f\""
            } else {
                ""
            };
            let label = escape(&self.node_label(&state.name, options));
            let _ = writeln!(
                dot,
                "    {} [label=\"{label}\", shape={shape}{highlight}];",
                node(&state.name)
            );
        }
        for edge in self.diagram_edges(options) {
            let attributes = if edge.on_error {
                "[style=dotted]".to_owned()
            } else {
                format!("[label=\"{}\"]", escape(&edge.label))
            };
            let _ = writeln!(
                dot,
                "    {} -> {} {attributes};",
                node(&edge.from),
                node(&edge.to)
            );
        }
        dot.push_str("  }\n}\n");
        dot
    }

    /// The diagram as a standalone SVG document, laid out in pure Rust.
    pub fn to_svg(&self, options: &DiagramOptions) -> String {
        let orientation = Orientation::TopToBottom;
        let mut graph = VisualGraph::new(orientation);
        let mut handles = BTreeMap::new();
        let start_look = StyleAttr::new(Color::fast("black"), 1, Some(Color::fast("black")), 0, 10);
        let start = graph.add_node(Element::create(
            ShapeKind::Circle(String::new()),
            start_look,
            orientation,
            Point::new(12., 12.),
        ));
        for state in &self.states {
            let label = self.node_label(&state.name, options);
            let fill = if options.highlight.as_ref() == Some(&state.name) {
                Color::new(0xffd54fff)
            } else {
                Color::fast("white")
            };
            let look = StyleAttr::new(Color::fast("black"), 2, Some(fill), 0, 14);
            let diameter = (label.chars().count() as f64 * 8.5 + 30.).max(60.);
            let shape = if state.is_final {
                ShapeKind::DoubleCircle(label)
            } else {
                ShapeKind::Circle(label)
            };
            let element = Element::create(shape, look, orientation, Point::new(diameter, diameter));
            handles.insert(state.name.clone(), graph.add_node(element));
        }
        if let Some(initial) = handles.get(&self.initial) {
            graph.add_edge(Arrow::simple(""), start, *initial);
        }
        for edge in self.diagram_edges(options) {
            let (Some(from), Some(to)) = (handles.get(&edge.from), handles.get(&edge.to)) else {
                continue;
            };
            let line = if edge.on_error {
                LineStyleKind::Dotted
            } else {
                LineStyleKind::Normal
            };
            let arrow = Arrow::new(
                LineEndKind::None,
                LineEndKind::Arrow,
                line,
                &edge.label,
                &StyleAttr::simple(),
                &None,
                &None,
            );
            graph.add_edge(arrow, *from, *to);
        }
        let mut svg = SVGWriter::new();
        graph.do_it(false, false, false, &mut svg);
        svg.finalize()
    }
}
