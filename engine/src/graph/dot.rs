//! DOT, laid out like django-fsm-2's `graph_transitions`: a cluster per machine, a point for
//! the start, circles, double circles for final states, dotted `on_error` edges. Node ids are
//! `resource.field.key`, the key being what the column stores (`campaigns.step.1`).

use std::fmt::Write as _;

use super::{Diagram, DiagramOptions, Edge};
use crate::names::StateName;

/// Text inside a DOT double-quoted string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Diagram {
    /// The DOT source of this machine alone (`digraph` around one cluster).
    pub fn to_dot(&self, options: &DiagramOptions) -> String {
        let mut dot = format!("digraph \"{}\" {{\n", escape(&self.resource));
        dot.push_str(&self.dot_cluster(options));
        dot.push_str("}\n");
        dot
    }

    /// This machine's cluster, to place in a `digraph` beside other machines' clusters.
    pub fn dot_cluster(&self, options: &DiagramOptions) -> String {
        let prefix = format!("{}.{}", self.resource, self.field);
        let node = |name: &StateName| {
            let key = self.state(name).map_or(name.as_str(), |s| s.key.as_str());
            format!("\"{}.{}\"", escape(&prefix), escape(key))
        };
        let mut dot = String::new();
        // Writing into a String cannot fail; the results are ignored on purpose.
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
        for edge in self.drawn_edges(options) {
            let _ = writeln!(
                dot,
                "    {} -> {} {};",
                node(&edge.from),
                node(&edge.to),
                self.dot_attributes(&edge, options)
            );
        }
        dot.push_str("  }\n");
        dot
    }

    fn dot_attributes(&self, edge: &Edge, options: &DiagramOptions) -> String {
        if edge.on_error {
            return "[style=dotted]".to_owned();
        }
        let label = escape(self.edge_label(edge, options));
        let apart = options.set_apart.contains(&edge.label);
        match (edge.computed, apart) {
            (false, false) => format!("[label=\"{label}\"]"),
            (true, false) => format!("[label=\"{label}\", style=dashed]"),
            (_, true) => format!("[label=\"{label}\", style=dashed, color=gray]"),
        }
    }
}
