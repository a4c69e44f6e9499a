//! The transition settings page and the console's visibility rule: every transition with its
//! effective visibility and where it comes from, the browser's overrides (visibility, groups,
//! label, help text), their log, and reverting a change.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
mod logic;
#[cfg(feature = "ssr")]
mod rows;
#[cfg(feature = "ssr")]
pub mod visibility;

#[cfg(feature = "ssr")]
pub use logic::SettingsFeature;
