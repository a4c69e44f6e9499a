//! `switchyard graph`: the registered machines drawn as DOT (on standard output by default),
//! SVG, Mermaid or PNG, chosen by the output file's extension.
//!
//! Usage mistakes (an unknown resource, field or transition, an unsupported extension) exit
//! with status 2 and a sentence naming what exists, as clap does for its own mistakes.

use std::path::Path;

use anyhow::Context;
use app::admin::diagram::FieldDiagram;
use switchyard_engine::{svg_stack, Diagram, DiagramOptions};

use crate::cli::GraphArgs;

/// The formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Dot,
    Svg,
    Mermaid,
    Png,
}

const EXTENSIONS: &str = ".dot (or .gv), .svg, .mmd, .png";

fn format_of(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "dot" | "gv" => Some(Format::Dot),
        "svg" => Some(Format::Svg),
        "mmd" => Some(Format::Mermaid),
        "png" => Some(Format::Png),
        _ => None,
    }
}

/// A mistake in the command line: printed, then the process exits with status 2.
fn usage(message: String) -> ! {
    eprintln!("switchyard graph: {message}");
    std::process::exit(2)
}

/// Runs `switchyard graph`.
pub fn graph(args: &GraphArgs) -> anyhow::Result<()> {
    let registry = app::resources::registry().context("registering the resources")?;
    let mut available = Vec::new();
    for resource in registry.iter() {
        for field in resource.diagrams() {
            available.push((resource.name().to_owned(), field));
        }
    }
    let chosen = choose(&available, &args.targets).unwrap_or_else(|message| usage(message));
    let format = match &args.output {
        None => Format::Dot,
        Some(path) => format_of(path).unwrap_or_else(|| {
            usage(format!(
                "cannot tell the format of {}: use one of {EXTENSIONS}",
                path.display()
            ))
        }),
    };
    let transitions: Vec<&str> = chosen
        .iter()
        .flat_map(|field| field.diagram.edges.iter().map(|edge| edge.label.as_str()))
        .collect();
    if let Some(unknown) = args
        .exclude
        .iter()
        .find(|name| !transitions.contains(&name.as_str()))
    {
        let mut known = transitions.clone();
        known.sort_unstable();
        known.dedup();
        usage(format!(
            "there is no transition `{unknown}` to leave out; the transitions drawn are {}",
            known.join(", ")
        ));
    }
    let drawn: Vec<(&Diagram, DiagramOptions)> = chosen
        .iter()
        .map(|field| {
            let options = DiagramOptions {
                exclude: args.exclude.iter().cloned().collect(),
                id_prefix: format!("{}-{}-", field.diagram.resource, field.diagram.field),
                ..DiagramOptions::default()
            };
            (&field.diagram, options)
        })
        .collect();
    let bytes = render(&drawn, format)?;
    match &args.output {
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(&bytes)
                .context("writing to standard output")?;
        }
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("Wrote {} ({} bytes).", path.display(), bytes.len());
        }
    }
    Ok(())
}

/// The machines the targets name, in registration order: `resource` takes each of its fields,
/// `resource.field` one; no target takes every machine.
fn choose<'a>(
    available: &'a [(String, FieldDiagram)],
    targets: &[String],
) -> Result<Vec<&'a FieldDiagram>, String> {
    if targets.is_empty() {
        return Ok(available.iter().map(|(_, field)| field).collect());
    }
    let mut chosen: Vec<&FieldDiagram> = Vec::new();
    for target in targets {
        let (resource, field) = match target.split_once('.') {
            Some((resource, field)) => (resource, Some(field)),
            None => (target.as_str(), None),
        };
        let of_resource: Vec<&FieldDiagram> = available
            .iter()
            .filter(|(name, _)| name == resource)
            .map(|(_, field)| field)
            .collect();
        if of_resource.is_empty() {
            let mut resources: Vec<&str> =
                available.iter().map(|(name, _)| name.as_str()).collect();
            resources.dedup();
            return Err(format!(
                "there is no resource `{resource}`; the resources are {}",
                resources.join(", ")
            ));
        }
        let picked: Vec<&FieldDiagram> = match field {
            None => of_resource,
            Some(field) => {
                let found = of_resource.iter().find(|f| f.field == field).copied();
                let Some(found) = found else {
                    let fields: Vec<String> = of_resource
                        .iter()
                        .map(|f| format!("{resource}.{}", f.field))
                        .collect();
                    return Err(format!(
                        "`{resource}` has no state field `{field}`; its fields are {}",
                        fields.join(", ")
                    ));
                };
                vec![found]
            }
        };
        for field in picked {
            if !chosen.iter().any(|c| std::ptr::eq(*c, field)) {
                chosen.push(field);
            }
        }
    }
    Ok(chosen)
}

/// The drawing of `drawn` in `format`.
fn render(drawn: &[(&Diagram, DiagramOptions)], format: Format) -> anyhow::Result<Vec<u8>> {
    let text = match (format, drawn) {
        (Format::Dot, [(diagram, options)]) => diagram.to_dot(options),
        (Format::Dot, _) => {
            let clusters: String = drawn
                .iter()
                .map(|(diagram, options)| diagram.dot_cluster(options))
                .collect();
            format!("digraph \"switchyard\" {{\n{clusters}}}\n")
        }
        (Format::Mermaid, [(diagram, options)]) => diagram.to_mermaid(options),
        (Format::Mermaid, _) => {
            let composites: String = drawn
                .iter()
                .map(|(diagram, options)| diagram.mermaid_composite(options))
                .collect();
            format!("stateDiagram-v2\n{composites}")
        }
        (Format::Svg | Format::Png, _) => {
            let parts: Vec<(&Diagram, &DiagramOptions)> = drawn
                .iter()
                .map(|(diagram, options)| (*diagram, options))
                .collect();
            let svg = match parts.as_slice() {
                [(diagram, options)] => diagram.to_svg(options),
                _ => svg_stack(&parts),
            };
            if format == Format::Png {
                return rasterise(&svg);
            }
            svg
        }
    };
    Ok(text.into_bytes())
}

/// The SVG as a PNG at twice its size, with the system's fonts.
fn rasterise(svg: &str) -> anyhow::Result<Vec<u8>> {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &options).context("reading the drawing")?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(2.0)
        .context("sizing the picture")?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .context("the picture is too large")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("encoding the PNG")
}
