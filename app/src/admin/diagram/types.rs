//! What the diagram page shows: plain serializable data, the same on the server and in the
//! browser.

use serde::{Deserialize, Serialize};

use crate::admin::resource::summary::StateBadge;

/// Which resource's diagram to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagramInput {
    /// The resource's name.
    pub resource: String,
}

/// One state with its live count and the list it links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagramStateRow {
    /// The state.
    pub state: StateBadge,
    /// Objects in it now.
    pub count: i64,
    /// The list filtered by it.
    pub href: String,
}

/// One transition as the text alternative lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagramTransitionRow {
    /// The label the console uses.
    pub label: String,
    /// The states it starts from ("Any state but the final ones" for `*`).
    pub from: String,
    /// Where it leads ("one of New, Paid" when computed; "unchanged" when check-only).
    pub to: String,
    /// The state a failure leads to, if any.
    pub on_error: Option<String>,
    /// Whether the console hides it (shown only to users who may configure it).
    pub hidden: bool,
}

/// One state field's diagram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiagramView {
    /// The field's name (`step`).
    pub name: String,
    /// Its label ("Step").
    pub label: String,
    /// The drawing, an SVG document whose text is escaped on the server.
    pub svg: String,
    /// Every state with its count, in declaration order.
    pub states: Vec<DiagramStateRow>,
    /// Every transition this user sees in the drawing.
    pub transitions: Vec<DiagramTransitionRow>,
}

/// The diagram page of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagramView {
    /// The resource's name (`orders`).
    pub resource: String,
    /// Its title (`Orders`).
    pub title: String,
    /// One diagram per state field, in field order.
    pub fields: Vec<FieldDiagramView>,
    /// Whether hidden transitions are drawn (set apart) for this user.
    pub shows_hidden: bool,
}
