//! The generic console: resources registered with their machine and admin options, and
//! what the console shows of them. The demo's orders are registered like any other resource.

pub mod api;
pub mod bulk_api;
pub mod edit_api;
pub mod settings_api;
pub mod summary;
pub mod view;

#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
mod edit;
#[cfg(feature = "ssr")]
mod fire;
#[cfg(feature = "ssr")]
pub mod job_runner;
#[cfg(feature = "ssr")]
mod object;
#[cfg(feature = "ssr")]
pub mod options;
#[cfg(feature = "ssr")]
pub mod registry;
#[cfg(feature = "ssr")]
pub mod resource;
#[cfg(feature = "ssr")]
mod settings;
#[cfg(feature = "ssr")]
pub mod visibility;
