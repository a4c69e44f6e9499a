//! The object page (fields, state, buttons, recent history), the history page, and firing a
//! transition from the console.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
mod fire;
#[cfg(feature = "ssr")]
mod logic;
#[cfg(feature = "ssr")]
mod transitions;

#[cfg(feature = "ssr")]
pub use logic::ObjectFeature;
