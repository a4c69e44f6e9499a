//! The SQLite side of the store: its statements, writer connection and model serializer.

pub(crate) mod model;
pub(crate) mod statements;
pub(crate) mod writer;

pub(crate) use statements::Statements;
