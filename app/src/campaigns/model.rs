//! A campaign: every column except its two states and its version, which only the engine writes.

use serde::{Deserialize, Serialize};

/// A campaign's own columns; field names are the column names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// Its name, 1..30 characters.
    pub name: String,
    /// Jobs added so far (`add_job` adds one); production needs one.
    pub jobs: i64,
}

impl Campaign {
    /// Row `index` (0-based) of the demo seed: `Campaign %03d`, no job yet.
    pub fn seeded(index: i64) -> Self {
        Campaign {
            name: format!("Campaign {index:03}"),
            jobs: 0,
        }
    }
}
