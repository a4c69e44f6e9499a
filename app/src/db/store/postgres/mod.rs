//! The PostgreSQL side of the store: its statements and JSON documents.

pub(crate) mod encode;
pub(crate) mod statements;

pub(crate) use statements::Statements;
