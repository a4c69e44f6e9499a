//! Validated names and identifiers: state and transition names, object ids, row versions.

use std::{fmt, sync::Arc};

use serde::{Deserialize, Serialize};

/// Why a string cannot be a state or transition name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("a name cannot be empty")]
    Empty,
    /// The name is longer than 64 bytes.
    #[error("the name `{0}` is longer than 64 characters")]
    TooLong(String),
    /// The name holds a character other than a lowercase ASCII letter, digit or `_`,
    /// or does not start with a letter.
    #[error("the name `{0}` must start with a lowercase letter and hold only a-z, 0-9 and _")]
    InvalidCharacters(String),
}

fn check_name(raw: &str) -> Result<(), NameError> {
    if raw.is_empty() {
        return Err(NameError::Empty);
    }
    if raw.len() > 64 {
        return Err(NameError::TooLong(raw.to_owned()));
    }
    let mut chars = raw.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if starts_with_letter && rest_ok {
        Ok(())
    } else {
        Err(NameError::InvalidCharacters(raw.to_owned()))
    }
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Shared text: the firing path copies names into every row's plan, outcome and audit
        /// entry, and a copy is a reference count, not an allocation.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Parses a name: a lowercase letter, then lowercase letters, digits or `_`, at most 64.
            pub fn parse(raw: &str) -> Result<Self, NameError> {
                check_name(raw)?;
                Ok(Self(Arc::from(raw)))
            }

            /// The name as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_type!(
    /// The name of a state, e.g. `paid`. Invalid names cannot exist, except the one
    /// [`Machine::decode_row`](crate::Machine::decode_row) gives a stored value the machine does
    /// not declare (a retired state), which is that value as text.
    StateName
);

impl StateName {
    /// The name of a stored value the machine does not declare: its text or its number, as
    /// stored, unchecked (a retired state must still be shown and left).
    pub(crate) fn undeclared(stored: &crate::state::StoredState) -> Self {
        Self(Arc::from(stored.to_string()))
    }
}
name_type!(
    /// The name of a transition, e.g. `pay`. Invalid names cannot exist.
    TransitionName
);

/// The primary key of a managed row: an integer, a UUID or a text key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ObjectId {
    /// An integer key (`BIGINT`, `INTEGER PRIMARY KEY`).
    Int(i64),
    /// A UUID key, as its 128-bit value.
    Uuid(u128),
    /// A text key.
    Text(String),
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectId::Int(value) => write!(f, "{value}"),
            ObjectId::Uuid(value) => {
                let hex = format!("{value:032x}");
                write!(
                    f,
                    "{}-{}-{}-{}-{}",
                    &hex[0..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..32]
                )
            }
            ObjectId::Text(value) => f.write_str(value),
        }
    }
}

impl From<String> for ObjectId {
    fn from(value: String) -> Self {
        ObjectId::Text(value)
    }
}

impl From<&str> for ObjectId {
    fn from(value: &str) -> Self {
        ObjectId::Text(value.to_owned())
    }
}

impl From<i64> for ObjectId {
    fn from(value: i64) -> Self {
        ObjectId::Int(value)
    }
}

/// A version read from storage was negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a row version cannot be negative (got {0})")]
pub struct NegativeVersion(pub i64);

/// The version of a row, bumped by every write so that a stale read is caught even after A→B→A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(i64);

impl Version {
    /// The version of a freshly inserted row.
    pub const FIRST: Version = Version(1);

    /// Wraps a version read from storage; versions are never negative.
    pub fn new(value: i64) -> Result<Self, NegativeVersion> {
        if value < 0 {
            return Err(NegativeVersion(value));
        }
        Ok(Version(value))
    }

    /// The raw value, for binding in SQL.
    pub fn get(self) -> i64 {
        self.0
    }

    /// The version a successful write produces.
    pub fn next(self) -> Version {
        Version(self.0.saturating_add(1))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
