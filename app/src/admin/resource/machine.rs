//! [`MachineResource`]: a machine over a declared table with its admin options, and what
//! every feature needs of it (its store, keys from addresses, state badges, rows by key).

use std::{collections::HashMap, sync::Arc, sync::OnceLock};

use switchyard_engine::{Machine, ObjectId, Row, StateName, StoredState};

use super::{
    checks::{check_bulk_options, check_options},
    options::AdminOptions,
    registry::RegistryError,
    summary::StateBadge,
};
use crate::{
    admin::settings::visibility::DefaultVisibility,
    db::{Db, IdKind, SqlModel, SqlStore, StateKind, Table},
    error::AppError,
    with_pool,
};

/// A resource made of a model type `O`, its machine, its table and its admin options.
pub struct MachineResource<O> {
    pub(crate) machine: Arc<Machine<O>>,
    pub(crate) table: Table,
    pub(crate) options: AdminOptions<O>,
    count_sql: String,
    /// The engine's store, made at first use (the registry is built before the database
    /// opens); one per resource, so SQLite fires share its writer connection.
    store: OnceLock<SqlStore<O>>,
    /// The console's default for transitions whose flag is unset; the registry sets it.
    pub(crate) console_default: DefaultVisibility,
}

impl<O: SqlModel> MachineResource<O> {
    /// Registers a machine over a table with its admin options, under the machine's name;
    /// options naming columns the table lacks (to sort, search or order by) are refused.
    pub fn new(
        machine: Machine<O>,
        table: Table,
        options: AdminOptions<O>,
    ) -> Result<Self, RegistryError> {
        check_options(&table, &options)
            .and_then(|()| check_bulk_options(&machine, &options))
            .map_err(|message| RegistryError::Declaration {
                resource: machine.resource().to_owned(),
                message,
            })?;
        // Identifiers come from a validated table declaration, never from a request.
        let count_sql = format!(
            "SELECT {state}, COUNT(*) FROM {table} GROUP BY {state}",
            state = table.state_column(),
            table = table.name(),
        );
        Ok(Self {
            machine: Arc::new(machine),
            table,
            options,
            count_sql,
            store: OnceLock::new(),
            console_default: DefaultVisibility::default(),
        })
    }

    /// The machine.
    pub fn machine(&self) -> &Arc<Machine<O>> {
        &self.machine
    }

    /// The table declaration.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The engine's store on `db` (the one database the server opened).
    pub(crate) fn store(&self, db: &Db) -> &SqlStore<O> {
        self.store
            .get_or_init(|| SqlStore::new(db.clone(), self.table.clone()))
    }

    /// A key from an address segment; `None` when it cannot be one of this table's keys.
    pub(crate) fn parse_id(&self, raw: &str) -> Option<ObjectId> {
        match self.table.id_kind() {
            IdKind::Integer => raw.parse::<i64>().ok().map(ObjectId::Int),
            IdKind::Text | IdKind::Uuid if !raw.is_empty() => Some(ObjectId::Text(raw.to_owned())),
            IdKind::Text | IdKind::Uuid => None,
        }
    }

    /// The object with this key, or `NotFound` naming it.
    pub(crate) async fn load_row(&self, db: &Db, id: &str) -> Result<Row<O>, AppError> {
        let not_found = || AppError::NotFound(self.object_name(id));
        let key = self.parse_id(id).ok_or_else(not_found)?;
        let stored = self
            .store(db)
            .read(&key)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(not_found)?;
        self.machine.decode_row(stored).map_err(AppError::internal)
    }

    /// The badge of a state name (an undeclared name gets a grey badge of its own name).
    pub(crate) fn badge(&self, name: &str) -> StateBadge {
        match self.machine.state(name) {
            Some(state) => StateBadge {
                name: state.name.to_string(),
                label: state.label.clone(),
                colour: state.colour.clone().unwrap_or_else(|| "grey".to_owned()),
            },
            None => StateBadge {
                name: name.to_owned(),
                label: name.to_owned(),
                colour: "grey".to_owned(),
            },
        }
    }

    /// The badge of a stored state value.
    pub(crate) fn stored_badge(&self, stored: &StoredState) -> StateBadge {
        match self.machine.decode_state(stored) {
            Some(name) => self.badge(name.as_str()),
            None => self.badge(&format!("{stored:?}")),
        }
    }

    /// "Order 42".
    pub(crate) fn object_name(&self, id: &str) -> String {
        let mut singular = self.options.singular.clone();
        if let Some(first) = singular.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{singular} {id}")
    }

    /// How many objects are in each stored state.
    pub(crate) async fn stored_counts(
        &self,
        db: &Db,
    ) -> Result<HashMap<StoredState, i64>, sqlx::Error> {
        let rows = match self.table.state_kind() {
            StateKind::Text => with_pool!(db, pool => {
                sqlx::query_as::<_, (String, i64)>(&self.count_sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Text(state), count))
            .collect(),
            StateKind::Integer => with_pool!(db, pool => {
                sqlx::query_as::<_, (i64, i64)>(&self.count_sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Integer(state), count))
            .collect(),
        };
        Ok(rows)
    }
}

/// A state name the machine knows, for messages.
pub(crate) fn state_label<O>(machine: &Machine<O>, state: &StateName) -> String {
    machine
        .state(state.as_str())
        .map(|s| s.label.clone())
        .unwrap_or_else(|| state.to_string())
}
