//! What the automation API (`/api/v1`, served by the server crate) asks of a resource. The
//! API is the engine's API channel: permissions apply, console visibility does not, so a
//! transition hidden from the console is still offered to a caller who holds its permission.

pub mod idempotency;
mod logic;
pub mod problem;
mod schema;
pub mod types;

pub use logic::{text_fields, ApiFeature};
pub use problem::Problem;
