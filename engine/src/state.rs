//! States as declared (name, label, badge, initial/final, stored code), how they are stored, and groups.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::names::StateName;

/// One state as the deployer writes it; checked by `MachineBuilder::build`.
#[derive(Debug, Clone)]
pub struct StateDecl {
    pub(crate) name: String,
    pub(crate) label: Option<String>,
    pub(crate) description: String,
    pub(crate) initial: bool,
    pub(crate) is_final: bool,
    pub(crate) colour: Option<String>,
    pub(crate) code: Option<i64>,
}

impl StateDecl {
    /// Declares a state by name; the label defaults to the name.
    pub fn new(name: &str) -> Self {
        StateDecl {
            name: name.to_owned(),
            label: None,
            description: String::new(),
            initial: false,
            is_final: false,
            colour: None,
            code: None,
        }
    }

    /// The label shown in badges and filters.
    pub fn label(mut self, label: &str) -> Self {
        self.label = Some(label.to_owned());
        self
    }

    /// A longer description, shown as a tooltip.
    pub fn description(mut self, description: &str) -> Self {
        self.description = description.to_owned();
        self
    }

    /// Marks the state new rows start in (exactly one per machine).
    pub fn initial(mut self) -> Self {
        self.initial = true;
        self
    }

    /// Marks a final state: no transition may leave it, and `*`/`+` sources skip it.
    pub fn final_state(mut self) -> Self {
        self.is_final = true;
        self
    }

    /// The badge colour (a CSS colour name or `#rrggbb`).
    pub fn colour(mut self, colour: &str) -> Self {
        self.colour = Some(colour.to_owned());
        self
    }

    /// The integer stored for this state when the machine uses `StateStorage::IntegerCode`.
    pub fn code(mut self, code: i64) -> Self {
        self.code = Some(code);
        self
    }
}

/// A checked state of a built machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    /// The state's name.
    pub name: StateName,
    /// The label shown in the console.
    pub label: String,
    /// The longer description.
    pub description: String,
    /// Whether rows start here.
    pub initial: bool,
    /// Whether no transition leaves this state.
    pub is_final: bool,
    /// The badge colour, if declared.
    pub colour: Option<String>,
    /// The integer code, if declared.
    pub code: Option<i64>,
}

/// How the state column is stored (django-fsm's FSMField, FSMIntegerField and FSMKeyField).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StateStorage {
    /// The state name in a text column.
    Text,
    /// The state's integer code in an integer column; every state must declare a code.
    IntegerCode,
    /// The state name as a foreign key into a states table holding name, label and description.
    StatesTable {
        /// The table the key points into.
        table: String,
    },
}

/// A state value as it sits in the state column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StoredState {
    /// A text value (text storage and states-table keys).
    Text(String),
    /// An integer code.
    Integer(i64),
}

impl std::fmt::Display for StoredState {
    /// The value as text, as an undeclared state is named and filtered by (`9`, `escalated`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoredState::Text(text) => f.write_str(text),
            StoredState::Integer(code) => write!(f, "{code}"),
        }
    }
}

/// Whether a group lists its members or the states it leaves out (django-states2's StateGroup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum GroupKind {
    /// The listed states are the group.
    Inclusive,
    /// Every state except the listed ones is the group.
    Exclusive,
}

/// A named set of states, usable as a list filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateGroup {
    /// The group's name, e.g. `open`.
    pub name: String,
    /// The label shown in the filter.
    pub label: String,
    /// Inclusive or exclusive.
    pub kind: GroupKind,
    /// The states listed in the declaration.
    pub listed: BTreeSet<StateName>,
    /// The resolved members, in declaration order of the machine's states.
    pub members: Vec<StateName>,
}

impl StateGroup {
    /// Whether a state belongs to the group.
    pub fn contains(&self, state: &StateName) -> bool {
        self.members.contains(state)
    }
}

/// A group as the deployer writes it.
#[derive(Debug, Clone)]
pub struct GroupDecl {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) kind: GroupKind,
    pub(crate) listed: Vec<String>,
}

impl GroupDecl {
    /// A group made of the listed states.
    pub fn including(name: &str, label: &str, states: &[&str]) -> Self {
        Self::declare(name, label, GroupKind::Inclusive, states)
    }

    /// A group made of every state except the listed ones.
    pub fn excluding(name: &str, label: &str, states: &[&str]) -> Self {
        Self::declare(name, label, GroupKind::Exclusive, states)
    }

    fn declare(name: &str, label: &str, kind: GroupKind, states: &[&str]) -> Self {
        GroupDecl {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            listed: states.iter().map(|state| (*state).to_owned()).collect(),
        }
    }
}
