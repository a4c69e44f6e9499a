//! Pieces shared by every console page.

pub mod badge;
pub mod history_table;
pub mod layout;
pub mod messages;
pub mod shortcuts;
