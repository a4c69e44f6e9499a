//! The generic console: resources registered with their machine and admin options, and
//! what the console shows of them. The demo's orders are registered like any other resource.
//!
//! One folder per feature, each holding its data types (`types.rs`, compiled for the server
//! and the browser), its server functions (`api.rs`) and, on the server, its logic: the
//! feature's trait, implemented for `resource::MachineResource` in the same folder.
//! [`resource`] is the core every feature builds on; [`flash`] and [`paths`] are what the
//! features share.

#[cfg(feature = "ssr")]
pub mod api;
pub mod bulk;
pub mod diagram;
pub mod edit;
pub mod flash;
pub mod form;
pub mod list;
pub mod object;
pub mod paths;
pub mod resource;
pub mod settings;
