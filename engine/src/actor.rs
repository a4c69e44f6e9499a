//! Who fires a transition: a plain description of the user, with permission checks.

use serde::{Deserialize, Serialize};

/// The user on whose behalf a transition is queried or fired.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user's id in the application's user table, if any (system actors have none).
    pub id: Option<i64>,
    /// The user's login name, recorded in the audit log.
    pub username: String,
    /// Superusers hold every permission.
    pub is_superuser: bool,
    /// Permission codes such as `orders.reopen`.
    pub permissions: Vec<String>,
    /// Group names, for deployer predicates.
    pub groups: Vec<String>,
}

impl Actor {
    /// A regular user with no permission and no group.
    pub fn new(id: i64, username: &str) -> Self {
        Actor {
            id: Some(id),
            username: username.to_owned(),
            ..Actor::default()
        }
    }

    /// A superuser, who holds every permission.
    pub fn superuser(id: i64, username: &str) -> Self {
        Actor {
            is_superuser: true,
            ..Actor::new(id, username)
        }
    }

    /// Adds permission codes.
    pub fn with_permissions<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.permissions.extend(codes.into_iter().map(Into::into));
        self
    }

    /// Adds group names.
    pub fn with_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups.extend(groups.into_iter().map(Into::into));
        self
    }

    /// Whether the actor holds a permission code (superusers hold all).
    pub fn has_perm(&self, code: &str) -> bool {
        self.is_superuser || self.permissions.iter().any(|held| held == code)
    }

    /// Whether the actor belongs to a group.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|held| held == group)
    }
}
