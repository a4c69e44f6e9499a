//! The sqlx store on SQLite and PostgreSQL, each test on a fresh database: rows and audit rows
//! read back with SQL after single fires, bulk fires, conflicts, races and injected failures.

mod bulk;
mod campaigns;
mod firing;
mod generic_table;
mod migrations;
mod panics;
mod races;
mod seeding;
mod sqlite_writer;
mod support;
