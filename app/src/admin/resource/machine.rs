//! [`MachineResource`]: one or more state fields (a machine each) over a declared table with
//! its admin options, and what every feature needs of it (stores, keys from addresses, state
//! badges, rows by key).

use std::{collections::HashMap, sync::Arc};

use switchyard_engine::{Machine, ObjectId, Row, StoredRow, StoredState};

use super::{
    checks::{check_bulk_options, check_fields, check_options},
    field::StateField,
    options::AdminOptions,
    registry::RegistryError,
};
use crate::{
    admin::settings::visibility::DefaultVisibility,
    db::{counts, Db, IdKind, SqlModel, SqlStore, StateKind, Table},
    error::AppError,
    with_pool,
};

/// A resource made of a model type `O`, its state fields, its table and its admin options.
pub struct MachineResource<O> {
    /// The state fields, in declaration order; the first drives the console's reads.
    pub(crate) fields: Vec<StateField<O>>,
    pub(crate) table: Table,
    pub(crate) options: AdminOptions<O>,
    /// The console's default for transitions whose flag is unset; the registry sets it.
    pub(crate) console_default: DefaultVisibility,
}

/// An object as the console read it: one `Row` per state field (the same key, version and
/// object; each with its field's state), in field order.
pub(crate) struct Loaded<O> {
    pub(crate) rows: Vec<Row<O>>,
}

impl<O> Loaded<O> {
    /// The first field's row: the key, the version and the object every row shares.
    pub(crate) fn first(&self) -> &Row<O> {
        &self.rows[0]
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// Registers a machine over a table with its admin options, under the machine's name: the
    /// table's state column named by the machine's field (`state` unless declared) is the
    /// first state field, labelled "State" unless [`labelled`](Self::labelled). Options naming
    /// columns the table lacks (to sort, search or order by) are refused.
    pub fn new(
        machine: Machine<O>,
        table: Table,
        options: AdminOptions<O>,
    ) -> Result<Self, RegistryError> {
        let resource = machine.resource().to_owned();
        let declaration = |message: String| RegistryError::Declaration {
            resource: resource.clone(),
            message,
        };
        check_options(&table, &options).map_err(declaration)?;
        let field = StateField::new("State", machine, &table).map_err(declaration)?;
        let resource = Self {
            fields: vec![field],
            table,
            options,
            console_default: DefaultVisibility::default(),
        };
        check_bulk_options(&resource.fields, &resource.options).map_err(declaration)?;
        Ok(resource)
    }

    /// Labels the first state field ("Step"); the object page heads its block with it.
    pub fn labelled(mut self, label: &str) -> Self {
        self.fields[0].label = label.to_owned();
        self
    }

    /// Adds another state field: `machine` drives the table's state column named by its
    /// field. Refused when the machine belongs to another resource, the column is missing or
    /// already driven, or a transition or group name is already taken in this resource.
    pub fn and_machine(mut self, label: &str, machine: Machine<O>) -> Result<Self, RegistryError> {
        let resource = self.name().to_owned();
        let declaration = |message: String| RegistryError::Declaration {
            resource: resource.clone(),
            message,
        };
        if machine.resource() != resource {
            return Err(declaration(format!(
                "the machine of field `{}` belongs to resource `{}`",
                machine.field(),
                machine.resource()
            )));
        }
        if self.field_named(machine.field()).is_some() {
            return Err(declaration(format!(
                "two machines drive the field `{}`",
                machine.field()
            )));
        }
        let field = StateField::new(label, machine, &self.table).map_err(declaration)?;
        check_fields(&self.fields, &field).map_err(declaration)?;
        self.fields.push(field);
        check_bulk_options(&self.fields, &self.options).map_err(declaration)?;
        Ok(self)
    }

    /// The resource's name, its address segment (`campaigns`): its machines' resource.
    pub fn name(&self) -> &str {
        self.fields[0].machine.resource()
    }

    /// The first field's machine.
    pub fn machine(&self) -> &Arc<Machine<O>> {
        &self.fields[0].machine
    }

    /// The state fields, in declaration order.
    pub fn fields(&self) -> &[StateField<O>] {
        &self.fields
    }

    /// The field whose machine declares the transition `name` (names are unique per resource).
    pub(crate) fn field_of(&self, name: &str) -> Option<&StateField<O>> {
        self.fields
            .iter()
            .find(|field| field.machine.declarations_of(name).next().is_some())
    }

    /// The machine that declares the transition `name`, else the first field's (whose lookups
    /// then find nothing, and say so).
    pub(crate) fn machine_of(&self, name: &str) -> &Arc<Machine<O>> {
        self.field_of(name)
            .map_or(&self.fields[0].machine, |field| &field.machine)
    }

    /// The field named `name`.
    pub(crate) fn field_named(&self, name: &str) -> Option<&StateField<O>> {
        self.fields.iter().find(|field| field.name() == name)
    }

    /// The table declaration.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The first field's store on `db` (the one database the server opened): what the
    /// console reads through.
    pub(crate) fn store(&self, db: &Db) -> &SqlStore<O> {
        self.store_of(&self.fields[0], db)
    }

    /// The engine's store of `field` on `db`; made at first use (the registry is built before
    /// the database opens), one per field, all sharing one SQLite writer connection.
    pub(crate) fn store_of<'a>(&'a self, field: &'a StateField<O>, db: &Db) -> &'a SqlStore<O> {
        let first = &self.fields[0];
        let primary = first
            .store
            .get_or_init(|| SqlStore::new(db.clone(), first.table.clone()));
        field
            .store
            .get_or_init(|| primary.sharing_writer(field.table.clone()))
    }

    /// The store of the field the transition `name` moves (the first field's for a
    /// deployer's action or an unknown name): what a bulk run reads and fires through.
    pub(crate) fn store_for(&self, name: &str, db: &Db) -> &SqlStore<O> {
        self.store_of(self.field_of(name).unwrap_or(&self.fields[0]), db)
    }

    /// A key from an address segment; `None` when it cannot be one of this table's keys.
    pub(crate) fn parse_id(&self, raw: &str) -> Option<ObjectId> {
        match self.table.id_kind() {
            IdKind::Integer => raw.parse::<i64>().ok().map(ObjectId::Int),
            IdKind::Text | IdKind::Uuid if !raw.is_empty() => Some(ObjectId::Text(raw.to_owned())),
            IdKind::Text | IdKind::Uuid => None,
        }
    }

    /// The object with this key, one row per state field, or `NotFound` naming it.
    pub(crate) async fn load(&self, db: &Db, id: &str) -> Result<Loaded<O>, AppError> {
        let not_found = || AppError::NotFound(self.object_name(id));
        let key = self.parse_id(id).ok_or_else(not_found)?;
        let (stored, others) = self
            .store(db)
            .read(&key)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(not_found)?;
        Ok(self.decode(stored, others))
    }

    /// A row read through the first field's store, with its other state columns, as one
    /// `Row` per field.
    pub(crate) fn decode(&self, stored: StoredRow<O>, others: Vec<StoredState>) -> Loaded<O> {
        let mut states = std::iter::once(stored.state.clone()).chain(others);
        let rows = self
            .fields
            .iter()
            .map(|field| {
                let state = states.next().unwrap_or_else(|| stored.state.clone());
                field.machine.decode_row(StoredRow {
                    id: stored.id.clone(),
                    state,
                    version: stored.version,
                    object: stored.object.clone(),
                })
            })
            .collect();
        Loaded { rows }
    }

    /// "Order 42".
    pub(crate) fn object_name(&self, id: &str) -> String {
        let mut singular = self.options.singular.clone();
        if let Some(first) = singular.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{singular} {id}")
    }

    /// How many objects hold each stored value of `field`'s column.
    pub(crate) async fn stored_counts(
        &self,
        db: &Db,
        field: &StateField<O>,
    ) -> Result<HashMap<StoredState, i64>, sqlx::Error> {
        let column = self
            .table
            .state_columns()
            .iter()
            .find(|column| column.name == field.name());
        if let Some(column) = column {
            if let Some(counts) = counts::read(db, &self.table, column).await? {
                return Ok(counts);
            }
        }
        // Not counted (the console installs the counts at start; a bare store may not have):
        // count the table. Identifiers come from a validated table declaration.
        let sql = format!(
            "SELECT \"{state}\", COUNT(*) FROM \"{table}\" GROUP BY \"{state}\"",
            state = field.table.state_column(),
            table = self.table.name(),
        );
        let rows = match field.table.state_kind() {
            StateKind::Text => with_pool!(db, pool => {
                sqlx::query_as::<_, (String, i64)>(&sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Text(state), count))
            .collect(),
            StateKind::Integer => with_pool!(db, pool => {
                sqlx::query_as::<_, (i64, i64)>(&sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Integer(state), count))
            .collect(),
        };
        Ok(rows)
    }
}
