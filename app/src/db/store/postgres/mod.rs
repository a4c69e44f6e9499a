//! The PostgreSQL side of the store.

pub(crate) mod statements;

pub(crate) use statements::Statements;
