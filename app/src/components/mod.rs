//! Pieces shared by every console page.

pub mod layout;
pub mod shortcuts;
