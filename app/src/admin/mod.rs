//! The generic console: resources registered with their machine and admin options, and
//! what the console shows of them. The demo's orders are registered like any other resource.

pub mod summary;

#[cfg(feature = "ssr")]
pub mod registry;
#[cfg(feature = "ssr")]
pub mod resource;
