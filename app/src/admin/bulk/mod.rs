//! Bulk transitions and the deployer's bulk actions: the menu, the preview grouped by reason,
//! durable jobs run batch by batch in the background, and the jobs pages.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
mod batches;
#[cfg(feature = "ssr")]
pub mod claim;
#[cfg(feature = "ssr")]
pub mod job_runner;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
mod logic;
#[cfg(feature = "ssr")]
pub mod outcomes;
#[cfg(feature = "ssr")]
mod run_loop;
#[cfg(feature = "ssr")]
mod selection;

#[cfg(feature = "ssr")]
pub use logic::BulkFeature;
