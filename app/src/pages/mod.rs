//! One module per console page.

pub mod account;
pub mod bulk;
pub mod diagram;
pub mod edit;
pub mod history;
pub mod home;
pub mod jobs;
pub mod list;
pub mod login;
pub mod not_found;
pub mod object;
pub mod settings;
pub mod tokens;
pub mod transition_form;
