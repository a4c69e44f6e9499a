//! Diagrams: DOT with django-fsm-2 semantics, and SVG rendered in pure Rust.

use switchyard_engine::{DiagramOptions, StateName};

use crate::support::orders_machine;

fn state(name: &str) -> StateName {
    StateName::parse(name).expect("valid")
}

#[test]
fn the_dot_export_follows_django_fsm_2_graph_semantics() {
    let machine = orders_machine();
    let dot = machine.to_dot(&DiagramOptions::default());
    let has = |line: &str| assert!(dot.contains(line), "missing `{line}` in\n{dot}");
    has("\"orders.state._initial\" [label=\"\", shape=point];");
    has("\"orders.state._initial\" -> \"orders.state.new\";");
    has("\"orders.state.delivered\" [label=\"Delivered\", shape=doublecircle];");
    has("\"orders.state.paid\" [label=\"Paid\", shape=circle];");
    has("\"orders.state.new\" -> \"orders.state.paid\" [label=\"pay\"];");
    has("\"orders.state.new\" -> \"orders.state.failed\" [style=dotted];");
    // `*`: hold from every non-final state, itself included; never from final states.
    has("\"orders.state.shipped\" -> \"orders.state.on_hold\" [label=\"hold\"];");
    has("\"orders.state.on_hold\" -> \"orders.state.on_hold\" [label=\"hold\"];");
    assert!(!dot.contains("\"orders.state.delivered\" -> \"orders.state.on_hold\""));
    // `+`: reopen from every non-final state except new.
    has("\"orders.state.paid\" -> \"orders.state.new\" [label=\"reopen\"];");
    assert!(!dot.contains("\"orders.state.new\" -> \"orders.state.new\" [label=\"reopen\"]"));
    // Computed targets expand to their allowed set, dashed.
    has("\"orders.state.on_hold\" -> \"orders.state.new\" [label=\"resume\", style=dashed];");
    has("\"orders.state.on_hold\" -> \"orders.state.paid\" [label=\"resume\", style=dashed];");
}

#[test]
fn excluded_transitions_disappear_and_highlights_and_counts_show() {
    let machine = orders_machine();
    let options = DiagramOptions {
        exclude: ["hold".to_owned(), "reopen".to_owned()].into(),
        highlight: Some(state("paid")),
        counts: [(state("new"), 12), (state("paid"), 3)].into(),
        ..DiagramOptions::default()
    };
    let dot = machine.to_dot(&options);
    assert!(!dot.contains("label=\"hold\""));
    assert!(!dot.contains("label=\"reopen\""));
    assert!(
        dot.contains("\"orders.state.new\" [label=\"New (12)\", shape=circle];"),
        "{dot}"
    );
    assert!(
        dot.contains("[label=\"Paid (3)\", shape=circle, style=filled"),
        "{dot}"
    );
    let edges = machine.diagram_edges(&options);
    assert_eq!(edges.iter().filter(|e| e.on_error).count(), 1);
}

#[test]
fn the_svg_rendering_is_a_complete_document_with_every_state_label() {
    let machine = orders_machine();
    let options = DiagramOptions {
        highlight: Some(state("paid")),
        counts: [(state("new"), 7)].into(),
        ..DiagramOptions::default()
    };
    let svg = machine.to_svg(&options);
    assert!(svg.contains("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(">7</tspan>"), "the count of new is missing");
    assert!(svg.contains("class=\"diagram-state state-"), "{svg}");
    for label in [
        "New",
        "Paid",
        "Shipped",
        "Delivered",
        "Cancelled",
        "On hold",
        "Approved",
        "Failed",
    ] {
        assert!(svg.contains(label), "missing {label}");
    }
    assert!(svg.contains("resume"));
}

#[test]
#[ignore = "writes the orders diagram to $TMPDIR for eyeballing"]
fn write_the_orders_diagram_for_a_human_to_look_at() {
    let machine = orders_machine();
    let options = DiagramOptions {
        highlight: Some(state("paid")),
        ..DiagramOptions::default()
    };
    let path = std::env::temp_dir().join("orders.svg");
    std::fs::write(&path, machine.to_svg(&options)).expect("writable temp dir");
}

#[test]
fn the_mermaid_export_names_states_by_label_and_marks_the_ends() {
    let machine = orders_machine();
    let options = DiagramOptions {
        exclude: ["hold".to_owned()].into(),
        highlight: Some(state("paid")),
        ..DiagramOptions::default()
    };
    let mermaid = machine.diagram().to_mermaid(&options);
    assert!(mermaid.starts_with("stateDiagram-v2\n"), "{mermaid}");
    for line in [
        "  state \"On hold\" as s_on_hold",
        "  [*] --> s_new",
        "  s_new --> s_paid : pay",
        "  s_new --> s_failed : on error",
        "  s_delivered --> [*]",
        "  class s_paid current",
    ] {
        assert!(mermaid.contains(line), "missing `{line}` in\n{mermaid}");
    }
    assert!(!mermaid.contains(": hold"), "{mermaid}");
}

#[test]
fn the_svg_links_states_sets_hidden_transitions_apart_and_escapes_text() {
    let machine = orders_machine();
    let options = DiagramOptions {
        links: [(state("paid"), "/orders?state=paid&x=<1>".to_owned())].into(),
        set_apart: ["hold".to_owned()].into(),
        labels: [("pay".to_owned(), "Mark as \"paid\"".to_owned())].into(),
        id_prefix: "orders-state-".to_owned(),
        ..DiagramOptions::default()
    };
    let svg = machine.to_svg(&options);
    assert!(
        svg.contains("<a href=\"/orders?state=paid&amp;x=&lt;1&gt;\">"),
        "{svg}"
    );
    assert!(
        svg.contains("role=\"group\""),
        "a drawing of links is a group"
    );
    assert!(
        svg.contains("Mark as &quot;paid&quot;"),
        "console labels, escaped"
    );
    assert!(svg.contains("stroke=\"#afb8c1\""), "hold is drawn grey");
    assert!(
        svg.contains("id=\"orders-state-arrow\""),
        "ids carry the prefix"
    );
    assert!(!machine.to_svg(&DiagramOptions::default()).contains("<a "));
}
