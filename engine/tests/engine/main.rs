//! Engine tests on the memory store, one module per feature, in one test binary to keep builds short.

mod build_checks;
mod bulk;
mod chain;
mod commit_step;
mod diagram;
mod firing;
mod forms;
mod hooks;
mod keys_and_channels;
mod meddling;
mod queries;
mod state_fields;
mod support;
