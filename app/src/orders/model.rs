//! An order: every column except the state and version, which only the engine writes.

use serde::{Deserialize, Serialize};

/// An order's own columns (SCENARIO's entity); field names are the column names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The customer's name, 1..100 characters.
    pub customer: String,
    /// The amount in cents (decimal(12,2) as an integer, never a float).
    pub amount_cents: i64,
    /// Set by `ship`; empty before.
    pub tracking_number: String,
    /// Set by `pay`; decides where `resume` goes back to.
    pub payment_recorded: bool,
}

impl Order {
    /// Row `index` (0-based) of the SCENARIO seed: `Customer %07d`, amount
    /// `((i*37) % 1500 + 1) + (i % 100)/100` units.
    pub fn seeded(index: i64) -> Self {
        Order {
            customer: format!("Customer {index:07}"),
            amount_cents: ((index * 37) % 1500 + 1) * 100 + index % 100,
            tracking_number: String::new(),
            payment_recorded: false,
        }
    }
}
