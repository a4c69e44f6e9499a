//! One module per console page.

pub mod home;
pub mod login;
pub mod not_found;
