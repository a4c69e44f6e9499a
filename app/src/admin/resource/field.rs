//! [`StateField`]: one state column of a resource's table with the machine that drives it.
//! A resource has one or more; transition names are unique across them, so a transition's
//! name alone says which field it moves.

use std::sync::{Arc, OnceLock};

use switchyard_engine::{Machine, StateStorage, StoredState};

use crate::db::{table::check_identifier, SqlStore, StateKind, Table};

/// A state field: its column, its label, its machine and the table seen through its column.
pub struct StateField<O> {
    pub(crate) label: String,
    pub(crate) machine: Arc<Machine<O>>,
    /// The table seen through this field's column (`Table::for_state`).
    pub(crate) table: Table,
    /// The engine's store for this field, made at first use; every field's store shares the
    /// first field's SQLite writer.
    pub(crate) store: OnceLock<SqlStore<O>>,
}

impl<O> StateField<O> {
    /// A field for `machine` over the table's column of the machine's field name, or why not.
    pub(crate) fn new(label: &str, machine: Machine<O>, table: &Table) -> Result<Self, String> {
        let name = machine.field().to_owned();
        let table = table.for_state(&name).ok_or_else(|| {
            format!(
                "the machine's field `{name}` is not a state column of `{}`",
                table.name()
            )
        })?;
        let fits = matches!(
            (machine.storage(), table.state_kind()),
            (StateStorage::IntegerCode, StateKind::Integer)
                | (
                    StateStorage::Text | StateStorage::StatesTable { .. },
                    StateKind::Text
                )
        );
        if !fits {
            return Err(format!(
                "the machine of `{name}` stores {:?} in a {:?} column",
                machine.storage(),
                table.state_kind()
            ));
        }
        if let StateStorage::StatesTable { table: states } = machine.storage() {
            check_identifier(states)
                .map_err(|_| format!("the states table `{states}` is not a plain identifier"))?;
        }
        Ok(StateField {
            label: label.to_owned(),
            machine: Arc::new(machine),
            table,
            store: OnceLock::new(),
        })
    }

    /// The field's name: its column, and the list filter's query parameter (`?step=draft`).
    pub fn name(&self) -> &str {
        self.machine.field()
    }

    /// The label shown to people ("Step").
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The machine.
    pub fn machine(&self) -> &Arc<Machine<O>> {
        &self.machine
    }

    /// The table of states this field keys into, when its states live in one.
    pub(crate) fn states_table(&self) -> Option<&str> {
        match self.machine.storage() {
            StateStorage::StatesTable { table } => Some(table),
            StateStorage::Text | StateStorage::IntegerCode => None,
        }
    }

    /// The stored value a list filter names: a declared state's name, or the raw value of a
    /// state the machine does not declare (a number for integer fields), so rows left in a
    /// retired state can be found. `None` when it can be neither.
    pub(crate) fn filter_value(&self, raw: &str) -> Option<StoredState> {
        if let Some(state) = self.machine.state(raw) {
            return Some(self.machine.encode_state(&state.name));
        }
        match self.table.state_kind() {
            StateKind::Integer => raw.parse().ok().map(StoredState::Integer),
            StateKind::Text => Some(StoredState::Text(raw.to_owned())),
        }
    }
}
