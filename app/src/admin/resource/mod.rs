//! A resource the console manages, and the core every feature builds on: `MachineResource`
//! (a table with a state machine and its `options::AdminOptions`), the small `AdminResource`
//! trait the server functions call (`admin_resource.rs` says why every feature has a trait of
//! its own), the `registry::ResourceRegistry`, who is calling (`caller.rs`), and the home
//! page's [`summary`] (the one part compiled for the browser too).

pub mod summary;

#[cfg(feature = "ssr")]
mod admin_resource;
#[cfg(feature = "ssr")]
mod badges;
#[cfg(feature = "ssr")]
pub(crate) mod caller;
#[cfg(feature = "ssr")]
mod checks;
#[cfg(feature = "ssr")]
pub(crate) mod field;
#[cfg(feature = "ssr")]
mod machine;
#[cfg(feature = "ssr")]
pub mod options;
#[cfg(feature = "ssr")]
pub mod registry;

#[cfg(feature = "ssr")]
pub use admin_resource::AdminResource;
#[cfg(feature = "ssr")]
pub(crate) use badges::state_label;
#[cfg(feature = "ssr")]
pub(crate) use badges::StateLabels;
#[cfg(feature = "ssr")]
pub use field::StateField;
#[cfg(feature = "ssr")]
pub(crate) use machine::Loaded;
#[cfg(feature = "ssr")]
pub use machine::MachineResource;
