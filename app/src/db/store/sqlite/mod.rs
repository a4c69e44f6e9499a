//! The SQLite side of the store: its statements, value encoding and writer connection.

pub(crate) mod encode;
mod model;
pub(crate) mod statements;
pub(crate) mod writer;

pub(crate) use statements::Statements;
