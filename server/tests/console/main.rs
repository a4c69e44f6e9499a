//! The console over real HTTP, on SQLite and on PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod assets;
mod bulk;
mod campaigns;
mod counts;
mod editing;
mod front;
mod helpers;
mod hostile;
mod job_resume;
mod outcomes;
mod paging;
mod races;
mod refusal_order;
mod retired;
mod transitions;
mod visibility;
