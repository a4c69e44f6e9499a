//! The demo resource of `SCENARIO.md`: orders, their state machine, their table and the seed.
//!
//! The model is shared with the browser; the machine, table declaration and seed are server
//! code (`ssr`).

#[cfg(feature = "ssr")]
pub mod actions;
#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod machine;
pub mod model;
#[cfg(feature = "ssr")]
pub mod seed;

#[cfg(feature = "ssr")]
pub use machine::{orders_machine, orders_table, OrdersStore, ShipArguments};
pub use model::Order;
#[cfg(feature = "ssr")]
pub use seed::{seed_orders, seed_orders_range};
