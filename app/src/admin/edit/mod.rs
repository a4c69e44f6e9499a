//! Editing an object's fields, creating objects and deleting them, for resources that allow
//! it, with the permissions `<resource>.change`, `.add` and `.delete`.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
mod logic;

#[cfg(feature = "ssr")]
pub use logic::EditFeature;
