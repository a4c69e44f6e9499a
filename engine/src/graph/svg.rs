//! SVG: laid out by the `layout-rs` crate (a pure-Rust layered layout, so no Graphviz binary
//! is needed) and written by a renderer of our own, so each state is a group the console can
//! style, link and describe: `<a href>` to the filtered list, `<title>` for the description,
//! classes for the current state and the path taken. Colours are presentation attributes, so
//! the document looks right standalone, rasterised, and under a strict style policy.

use std::fmt::Write as _;

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{Diagram, DiagramOptions, DiagramState};
use crate::names::StateName;

/// Fill, border and text colours of each badge colour (the console's `.badge-*`).
fn palette(colour: &str) -> (&'static str, &'static str, &'static str) {
    match colour {
        "blue" => ("#ddf4ff", "#54aeff", "#0a3069"),
        "purple" => ("#fbefff", "#c297ff", "#512a97"),
        "green" => ("#dafbe1", "#4ac26b", "#044f1e"),
        "red" => ("#ffebe9", "#ff8182", "#82071e"),
        "orange" => ("#fff1e5", "#fb8f44", "#762c00"),
        "teal" => ("#d8f6f3", "#3cbfae", "#0b4f4a"),
        "black" => ("#24292f", "#24292f", "#ffffff"),
        "yellow" => ("#fff8c5", "#d4a72c", "#4d2d00"),
        _ => ("#eaeef2", "#8c959f", "#24292f"),
    }
}

/// Text as SVG character data or an attribute value.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c if c.is_control() && c != '\n' => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}

const EDGE: u32 = 0x57606aff;
const EDGE_APART: u32 = 0xafb8c1ff;
const EDGE_TAKEN: u32 = 0x0969daff;

impl Diagram {
    /// The diagram as a standalone SVG document.
    pub fn to_svg(&self, options: &DiagramOptions) -> String {
        let rendered = self.render(options);
        let label = format!("State diagram of {}.{}", self.resource, self.field);
        // A drawing of links is a group whose links people reach; without links, an image.
        let role = if options.links.is_empty() {
            "img"
        } else {
            "group"
        };
        document(
            &label,
            role,
            rendered.width,
            rendered.height,
            &rendered.inner,
        )
    }

    fn render(&self, options: &DiagramOptions) -> Rendered {
        let orientation = Orientation::TopToBottom;
        let mut graph = VisualGraph::new(orientation);
        let start_look = StyleAttr::new(Color::fast("black"), 1, Some(Color::fast("black")), 0, 10);
        let start = graph.add_node(Element::create_with_properties(
            ShapeKind::Circle(String::new()),
            start_look,
            orientation,
            Point::new(14., 14.),
            "start",
        ));
        let mut handles = Vec::with_capacity(self.states.len());
        for (index, state) in self.states.iter().enumerate() {
            let label = self.box_text(state, options);
            let widest = label.lines().map(|l| l.chars().count()).max().unwrap_or(1);
            let lines = label.lines().count().max(1);
            let size = Point::new(widest as f64 * 8.5 + 28., lines as f64 * 17. + 18.);
            let look = StyleAttr::new(Color::fast("black"), 1, None, 8, 14);
            let element = Element::create_with_properties(
                ShapeKind::Box(label),
                look,
                orientation,
                size,
                format!("n{index}"),
            );
            handles.push((state.name.clone(), graph.add_node(element)));
        }
        let handle = |name: &StateName| {
            handles
                .iter()
                .find(|(state, _)| state == name)
                .map(|(_, handle)| *handle)
        };
        if let Some(initial) = handle(&self.initial) {
            let look = StyleAttr::new(Color::new(EDGE), 1, None, 0, 12);
            let arrow = Arrow::new(
                LineEndKind::None,
                LineEndKind::Arrow,
                LineStyleKind::Normal,
                "",
                &look,
                &None,
                &None,
            );
            graph.add_edge(arrow, start, initial);
        }
        for edge in self.drawn_edges(options) {
            let (Some(from), Some(to)) = (handle(&edge.from), handle(&edge.to)) else {
                continue;
            };
            let apart = options.set_apart.contains(&edge.label);
            let taken = options.path.contains(&(edge.from.clone(), edge.to.clone()));
            let line = if edge.on_error {
                LineStyleKind::Dotted
            } else if edge.computed || apart {
                LineStyleKind::Dashed
            } else {
                LineStyleKind::Normal
            };
            let colour = match (taken, apart) {
                (true, _) => EDGE_TAKEN,
                (false, true) => EDGE_APART,
                (false, false) => EDGE,
            };
            let width = if taken { 3 } else { 1 };
            let look = StyleAttr::new(Color::new(colour), width, None, 0, 12);
            let arrow = Arrow::new(
                LineEndKind::None,
                LineEndKind::Arrow,
                line,
                self.edge_label(&edge, options),
                &look,
                &None,
                &None,
            );
            graph.add_edge(arrow, from, to);
        }
        let mut writer = Writer {
            diagram: self,
            options,
            body: String::new(),
            size: Point::new(0., 0.),
            open_state: None,
        };
        graph.do_it(false, false, false, &mut writer);
        writer.finish()
    }

    /// A state's box text: its label, then its count on a line of its own.
    fn box_text(&self, state: &DiagramState, options: &DiagramOptions) -> String {
        match options.counts.get(&state.name) {
            Some(count) => format!("{}\n{count}", state.label),
            None => state.label.clone(),
        }
    }
}

/// Several machines' diagrams in one SVG document, one under the other, each under a
/// heading naming it (`orders.state`). Each drawing needs its own `id_prefix`.
pub fn svg_stack(parts: &[(&Diagram, &DiagramOptions)]) -> String {
    const HEADING: f64 = 28.;
    let mut body = String::new();
    let (mut width, mut top) = (0f64, 0f64);
    for (diagram, options) in parts {
        let rendered = diagram.render(options);
        let _ = write!(
            body,
            "<text x=\"8\" y=\"{:.1}\" font-size=\"15\" font-weight=\"600\" fill=\"#24292f\">{}</text>\n\
             <g transform=\"translate(0 {:.1})\">{}</g>\n",
            top + 19.,
            escape(&format!("{}.{}", diagram.resource, diagram.field)),
            top + HEADING,
            rendered.inner
        );
        width = width.max(rendered.width);
        top += HEADING + rendered.height;
    }
    document("State diagrams", "img", width.max(200.), top, &body)
}

/// A drawing's elements and size, before it is wrapped in a document.
struct Rendered {
    inner: String,
    width: f64,
    height: f64,
}

/// A standalone SVG document around `inner`.
fn document(label: &str, role: &str, width: f64, height: f64, inner: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" class=\"diagram\" role=\"{role}\" aria-label=\"{}\" \
         font-family=\"system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif\">\n{inner}</svg>\n",
        escape(label)
    )
}

/// The renderer: layout-rs calls it shape by shape.
struct Writer<'a> {
    diagram: &'a Diagram,
    options: &'a DiagramOptions,
    body: String,
    size: Point,
    /// The state whose group is open (and whether it is a link): its box is drawn, its text
    /// comes next.
    open_state: Option<(usize, bool)>,
}

impl Writer<'_> {
    fn grow(&mut self, corner: Point) {
        self.size = Point::new(self.size.x.max(corner.x), self.size.y.max(corner.y));
    }

    /// The drawing's elements (its arrowhead marker first) and its size.
    fn finish(self) -> Rendered {
        let prefix = escape(&self.options.id_prefix);
        let inner = format!(
            "<defs><marker id=\"{prefix}arrow\" markerWidth=\"10\" markerHeight=\"7\" refX=\"10\" \
             refY=\"3.5\" orient=\"auto\"><polygon points=\"0 0, 10 3.5, 0 7\" \
             fill=\"context-stroke\"/></marker>\
             <marker id=\"{prefix}arrow-start\" markerWidth=\"10\" markerHeight=\"7\" refX=\"0\" \
             refY=\"3.5\" orient=\"auto\"><polygon points=\"10 0, 10 7, 0 3.5\" \
             fill=\"context-stroke\"/></marker></defs>\n{}",
            self.body
        );
        Rendered {
            inner,
            width: self.size.x + 10.,
            height: self.size.y + 10.,
        }
    }

    fn open_state_group(&mut self, index: usize, xy: Point, size: Point) {
        let Some(state) = self.diagram.states.get(index) else {
            return;
        };
        let current = self.options.highlight.as_ref() == Some(&state.name);
        let taken = self
            .options
            .path
            .iter()
            .any(|(from, to)| from == &state.name || to == &state.name);
        let (fill, border, _) = palette(&state.colour);
        let mut classes = format!("diagram-state state-{}", escape(&state.colour));
        if current {
            classes.push_str(" current");
        }
        if taken {
            classes.push_str(" visited");
        }
        let _ = write!(
            self.body,
            "<g class=\"{classes}\" data-state=\"{}\">",
            escape(state.name.as_str())
        );
        let linked = self.options.links.get(&state.name).is_some_and(|href| {
            let _ = write!(self.body, "<a href=\"{}\">", escape(href));
            true
        });
        let title = if state.description.is_empty() {
            state.label.clone()
        } else {
            format!("{}: {}", state.label, state.description)
        };
        let _ = write!(self.body, "<title>{}</title>", escape(&title));
        let (stroke, width) = if current { ("#7d4e00", 4) } else { (border, 1) };
        let _ = write!(
            self.body,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"8\" \
             fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
            xy.x, xy.y, size.x, size.y
        );
        if state.is_final {
            let _ = write!(
                self.body,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" \
                 fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
                xy.x + 4.,
                xy.y + 4.,
                size.x - 8.,
                size.y - 8.
            );
        }
        self.open_state = Some((index, linked));
    }

    fn text(&mut self, center: Point, text: &str, colour: &str, size: usize, bold_first: bool) {
        let lines: Vec<&str> = text.lines().collect();
        let height = lines.len() as f64 * (size as f64 + 3.);
        let top = center.y - height / 2. + size as f64 * 0.85;
        let _ = write!(
            self.body,
            "<text x=\"{:.1}\" y=\"{top:.1}\" text-anchor=\"middle\" font-size=\"{size}\" \
             fill=\"{colour}\">",
            center.x
        );
        for (number, line) in lines.iter().enumerate() {
            let dy = if number == 0 {
                "0".to_owned()
            } else {
                format!("{}", size + 3)
            };
            let weight = if bold_first && number == 0 {
                " font-weight=\"600\""
            } else {
                ""
            };
            let _ = write!(
                self.body,
                "<tspan x=\"{:.1}\" dy=\"{dy}\"{weight}>{}</tspan>",
                center.x,
                escape(line)
            );
        }
        self.body.push_str("</text>");
    }
}

impl RenderBackend for Writer<'_> {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        self.grow(Point::new(xy.x + size.x, xy.y + size.y));
        let index = properties
            .as_deref()
            .and_then(|p| p.strip_prefix('n'))
            .and_then(|n| n.parse().ok());
        if let Some(index) = index {
            self.open_state_group(index, xy, size);
        }
    }

    fn draw_line(
        &mut self,
        start: Point,
        stop: Point,
        look: &StyleAttr,
        _properties: Option<String>,
    ) {
        let _ = write!(
            self.body,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\"/>",
            start.x,
            start.y,
            stop.x,
            stop.y,
            look.line_color.to_web_color()
        );
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        _properties: Option<String>,
    ) {
        // The only circle is the start point.
        self.grow(Point::new(xy.x + size.x, xy.y + size.y));
        let _ = write!(
            self.body,
            "<circle class=\"diagram-start\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"#24292f\"/>",
            xy.x,
            xy.y,
            size.x / 2.
        );
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        self.grow(Point::new(xy.x + text.len() as f64 * 4., xy.y + 10.));
        match self.open_state.take() {
            Some((index, linked)) => {
                let colour = self
                    .diagram
                    .states
                    .get(index)
                    .map_or("#24292f", |state| palette(&state.colour).2);
                self.text(xy, text, colour, look.font_size, true);
                if linked {
                    self.body.push_str("</a>");
                }
                self.body.push_str("</g>\n");
            }
            None if text.trim().is_empty() => {}
            None => {
                // An edge label, coloured like its edge. Labels the layout moved onto a
                // connector of its own come with its default black look: drawn as a plain edge's.
                let colour = look.line_color.to_web_color();
                let colour = colour.get(..7).unwrap_or("#57606a");
                let (colour, size) = if colour == "#000000" {
                    ("#57606a", 12)
                } else {
                    (colour, look.font_size)
                };
                self.body.push_str("<g class=\"diagram-edge-label\">");
                self.text(xy, text, colour, size, false);
                self.body.push_str("</g>\n");
            }
        }
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        _properties: Option<String>,
        _text: &str,
    ) {
        let (Some(first), Some(second)) = (path.first(), path.get(1)) else {
            return;
        };
        for point in path {
            self.grow(point.0);
            self.grow(point.1);
        }
        let mut d = format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            first.0.x,
            first.0.y,
            first.1.x,
            first.1.y,
            second.0.x,
            second.0.y,
            second.1.x,
            second.1.y
        );
        for point in path.iter().skip(2) {
            let _ = write!(
                d,
                " S {:.1} {:.1}, {:.1} {:.1}",
                point.0.x, point.0.y, point.1.x, point.1.y
            );
        }
        let colour = look.line_color.to_web_color();
        let colour = colour.get(..7).unwrap_or("#57606a");
        let dash = if dashed {
            " stroke-dasharray=\"5,4\""
        } else {
            ""
        };
        // The layout reverses edges that point back up the drawing: their head is at the start.
        let prefix = escape(&self.options.id_prefix);
        let mut marker = String::new();
        if head.0 {
            let _ = write!(marker, " marker-start=\"url(#{prefix}arrow-start)\"");
        }
        if head.1 {
            let _ = write!(marker, " marker-end=\"url(#{prefix}arrow)\"");
        }
        let class = if look.line_width > 1 {
            "diagram-edge taken"
        } else {
            "diagram-edge"
        };
        let _ = writeln!(
            self.body,
            "<path class=\"{class}\" d=\"{d}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"{}\"{dash}{marker}/>",
            look.line_width
        );
    }

    fn create_clip(&mut self, _xy: Point, _size: Point, _rounded_px: usize) -> ClipHandle {
        0
    }
}
