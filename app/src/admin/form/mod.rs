//! The transition form page: a transition's fields on one object, with what was typed and
//! each field's errors after a refused submission. Submitting it fires like a button does
//! (`object::api::fire_transition`).

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
mod logic;

#[cfg(feature = "ssr")]
pub use logic::FormFeature;
