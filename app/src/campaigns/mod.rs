//! The second demo resource of `SCENARIO.md`: campaigns, with two state fields on one row
//! (an integer `step` and a `review` keyed into the `review_states` table), declared as a
//! deployer would: one file for the machines and the table, one for the console's options.
//!
//! The model is shared with the browser; the rest is server code (`ssr`).

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod machine;
pub mod model;
#[cfg(feature = "ssr")]
pub mod seed;

pub use model::Campaign;
