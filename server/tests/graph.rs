//! `switchyard graph` as a user runs it: formats by extension, `-e`, and exit status 2 with
//! a sentence naming what exists for every mistake.

use std::process::{Command, Output};

fn graph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("graph")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_orders_machine_draws_as_the_golden_dot() {
    let output = graph(&["orders"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let golden = include_str!("golden/orders.dot");
    assert_eq!(stdout(&output), golden);
}

#[test]
fn every_machine_is_drawn_by_default_with_integer_states_keyed_by_their_code() {
    let output = graph(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let dot = stdout(&output);
    assert!(dot.starts_with("digraph \"switchyard\" {"), "{dot}");
    for cluster in ["orders.state", "campaigns.step", "campaigns.review"] {
        assert!(
            dot.contains(&format!("subgraph \"cluster_{cluster}\"")),
            "{cluster}"
        );
    }
    assert!(
        dot.contains("\"campaigns.step.1\" [label=\"Draft\", shape=circle];"),
        "{dot}"
    );
    assert!(dot.contains("\"campaigns.review.pending\""), "{dot}");
    let one = stdout(&graph(&["campaigns.review"]));
    assert!(!one.contains("campaigns.step"), "{one}");
}

#[test]
fn excluded_transitions_are_left_out() {
    let dot = stdout(&graph(&["orders", "-e", "hold,reopen"]));
    assert!(!dot.contains("label=\"hold\""), "{dot}");
    assert!(!dot.contains("label=\"reopen\""), "{dot}");
    assert!(dot.contains("label=\"pay\""), "{dot}");
}

#[test]
fn files_take_their_format_from_the_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    for name in ["all.svg", "all.mmd", "all.png", "orders.dot"] {
        let target: &[&str] = if name == "orders.dot" {
            &["orders"]
        } else {
            &[]
        };
        let mut args = target.to_vec();
        let file = path(name);
        args.extend(["-o", file.as_str()]);
        let output = graph(&args);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
    }
    let svg = std::fs::read_to_string(path("all.svg")).expect("svg");
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default());
    assert!(tree.is_ok(), "the SVG parses");
    for label in [
        "New",
        "Paid",
        "Delivered",
        "Draft",
        "Being produced",
        "Pending review",
    ] {
        assert!(
            svg.contains(&format!(">{label}</tspan>")),
            "{label} is drawn"
        );
    }
    let mermaid = std::fs::read_to_string(path("all.mmd")).expect("mmd");
    assert!(mermaid.starts_with("stateDiagram-v2\n"), "{mermaid}");
    assert!(
        mermaid.contains("orders_state_s_new --> orders_state_s_paid : pay"),
        "{mermaid}"
    );
    let png = std::fs::read(path("all.png")).expect("png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let dot = std::fs::read_to_string(path("orders.dot")).expect("dot");
    assert_eq!(dot, include_str!("golden/orders.dot"));
}

#[test]
fn mistakes_exit_2_naming_what_exists() {
    let cases: [(&[&str], &str); 4] = [
        (&["shipments"], "the resources are orders, campaigns"),
        (
            &["campaigns.budget"],
            "its fields are campaigns.step, campaigns.review",
        ),
        (&["-o", "diagram.pdf"], ".dot (or .gv), .svg, .mmd, .png"),
        (&["orders", "-e", "teleport"], "the transitions drawn are"),
    ];
    for (args, names) in cases {
        let output = graph(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(names),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{args:?} wrote nothing");
    }
}
