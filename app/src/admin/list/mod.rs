//! The list page: one page of a resource's objects, filtered by state or group, searched and
//! sorted, with what the filters and the bulk menu offer.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub(crate) mod logic;

#[cfg(feature = "ssr")]
pub use export::ExportFeature;
#[cfg(feature = "ssr")]
pub(crate) use logic::search_text;
#[cfg(feature = "ssr")]
pub use logic::ListFeature;
