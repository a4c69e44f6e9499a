//! Mermaid `stateDiagram-v2`, the text diagrams GitHub, GitLab and most wikis render.
//!
//! Mermaid ids are the state names prefixed with `s_` (a bare name could be one of Mermaid's
//! keywords); labels are declared with `state "…" as id`. Mermaid has no dotted transitions,
//! so an `on_error` edge is labelled "on error".

use std::fmt::Write as _;

use super::{Diagram, DiagramOptions};
use crate::names::StateName;

/// A label inside Mermaid's double quotes, which allow neither `"` nor line breaks.
fn label_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// An edge label after `:`, where `;` or `#` would end or escape the statement.
fn edge_text(text: &str) -> String {
    label_text(text).replace([';', '#'], " ")
}

/// A state's Mermaid id: the options' prefix (letters, digits and `_` kept) and its name.
fn id(options: &DiagramOptions, name: &StateName) -> String {
    let prefix: String = options
        .id_prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}s_{name}")
}

impl Diagram {
    /// The Mermaid source of this machine.
    pub fn to_mermaid(&self, options: &DiagramOptions) -> String {
        format!("stateDiagram-v2\n{}", self.mermaid_body(options, "  "))
    }

    /// This machine as a composite state, to place beside other machines' in one
    /// `stateDiagram-v2` (give each its own `id_prefix`).
    pub fn mermaid_composite(&self, options: &DiagramOptions) -> String {
        let name = format!("{}.{}", self.resource, self.field);
        let composite: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!(
            "  state \"{}\" as {composite} {{\n{}  }}\n",
            label_text(&name),
            self.mermaid_body(options, "    ")
        )
    }

    fn mermaid_body(&self, options: &DiagramOptions, indent: &str) -> String {
        let id = |name: &StateName| id(options, name);
        let mut text = String::new();
        // Writing into a String cannot fail; the results are ignored on purpose.
        for state in &self.states {
            let label = label_text(&self.node_label(&state.name, options));
            let _ = writeln!(text, "{indent}state \"{label}\" as {}", id(&state.name));
        }
        let _ = writeln!(text, "{indent}[*] --> {}", id(&self.initial));
        for edge in self.drawn_edges(options) {
            let label = if edge.on_error {
                "on error".to_owned()
            } else {
                edge_text(self.edge_label(&edge, options))
            };
            let _ = writeln!(
                text,
                "{indent}{} --> {} : {label}",
                id(&edge.from),
                id(&edge.to)
            );
        }
        for state in self.states.iter().filter(|state| state.is_final) {
            let _ = writeln!(text, "{indent}{} --> [*]", id(&state.name));
        }
        if let Some(highlight) = &options.highlight {
            let _ = writeln!(text, "{indent}classDef current fill:#ffd54f,stroke:#7d4e00");
            let _ = writeln!(text, "{indent}class {} current", id(highlight));
        }
        text
    }
}
