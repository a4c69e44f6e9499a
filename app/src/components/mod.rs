//! Pieces shared by every console page.

pub mod badge;
pub mod history_table;
pub mod layout;
pub mod messages;
pub mod row_actions;
pub mod selection;
pub mod shortcuts;
pub mod submit_once;
