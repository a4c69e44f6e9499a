//! Pieces shared by every console page.

pub mod badge;
pub mod layout;
pub mod shortcuts;
