//! The diagram page: each state field's machine drawn with the live count of every state,
//! each state linking to the list filtered by it, with a table of transitions beside it for
//! screen readers; and the small diagram of one object on its page.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
mod logic;

#[cfg(feature = "ssr")]
pub use logic::{DiagramFeature, FieldDiagram};
