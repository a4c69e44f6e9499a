//! The SQLite side of the store: its writer connection and its model serializer.

pub(crate) mod model;
pub(crate) mod writer;
