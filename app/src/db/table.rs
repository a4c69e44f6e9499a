//! A managed table described once (key, state, version and model columns), and the SQL the
//! generic store runs on it, written out once per backend when the declaration is built (each
//! backend's in its own `statements.rs` under `store/`).
//!
//! Every statement has one fixed text whatever the batch size, so the prepared-statement cache
//! always hits and no SQL string is built per call. On PostgreSQL a batch travels as one JSON
//! document bound to one parameter (`json_to_recordset`), so no bind-parameter limit applies;
//! on SQLite, which runs in-process, the writes are one-row statements stepped once per row
//! (see `store::sqlite`), and only a load by many keys reads a JSON array (`json_each`).

use std::sync::Arc;

use super::store::{postgres, sqlite};

/// How the key column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `INTEGER` / `BIGINT`.
    Integer,
    /// Text keys.
    Text,
    /// UUIDs: `uuid` on PostgreSQL, hyphenated text on SQLite.
    Uuid,
}

/// How the state column is stored (the engine's `StateStorage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    /// The state name (text storage and states-table keys).
    Text,
    /// The state's integer code.
    Integer,
}

/// The SQL kind of a model column; the model's field of the same name round-trips through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// `TEXT`; the field is a `String` (or `Option<String>`).
    Text,
    /// `INTEGER` on SQLite, `BIGINT` on PostgreSQL; the field is an `i64` (or smaller).
    Integer,
    /// `BOOLEAN`; the field is a `bool`.
    Boolean,
    /// `REAL` / `DOUBLE PRECISION`; the field is an `f64`.
    Real,
    /// JSON text on SQLite, `JSONB` on PostgreSQL; the field is anything serde can hold.
    Json,
}

/// One model column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name, equal to the model field's name.
    pub name: String,
    /// Its SQL kind.
    pub kind: ColumnKind,
}

/// Why a table declaration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// A table or column name is not a plain SQL identifier.
    #[error("`{0}` is not a plain identifier (a letter or `_`, then letters, digits or `_`)")]
    InvalidIdentifier(String),
    /// A column name starts with the store's reserved `__` prefix.
    #[error("column `{0}` uses the reserved `__` prefix")]
    ReservedColumn(String),
    /// The same column is named twice.
    #[error("column `{0}` is declared twice")]
    DuplicateColumn(String),
}

/// One state column: a state field of the table, driven by one machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateColumn {
    /// The column's name, which is also the field's name (`state`, `step`, `review`).
    pub name: String,
    /// How it is stored.
    pub kind: StateKind,
}

/// A table as the deployer declares it: `TableDecl::new("orders").column(...)...build()`.
#[derive(Debug, Clone)]
pub struct TableDecl {
    name: String,
    id: (String, IdKind),
    states: Vec<StateColumn>,
    version: String,
    updated_at: Option<String>,
    columns: Vec<Column>,
}

impl TableDecl {
    /// A table with an integer `id`, a text `state`, a `version` and an `updated_at` column.
    pub fn new(name: &str) -> Self {
        TableDecl {
            name: name.to_owned(),
            id: ("id".to_owned(), IdKind::Integer),
            states: vec![StateColumn {
                name: "state".to_owned(),
                kind: StateKind::Text,
            }],
            version: "version".to_owned(),
            updated_at: Some("updated_at".to_owned()),
            columns: Vec::new(),
        }
    }

    /// Names the key column and its kind.
    pub fn id(mut self, name: &str, kind: IdKind) -> Self {
        self.id = (name.to_owned(), kind);
        self
    }

    /// Names the (first) state column and its kind.
    pub fn state(mut self, name: &str, kind: StateKind) -> Self {
        self.states[0] = StateColumn {
            name: name.to_owned(),
            kind,
        };
        self
    }

    /// Adds another state column, for a row that carries several machines (one per column).
    pub fn and_state(mut self, name: &str, kind: StateKind) -> Self {
        self.states.push(StateColumn {
            name: name.to_owned(),
            kind,
        });
        self
    }

    /// Names the version column.
    pub fn version(mut self, name: &str) -> Self {
        self.version = name.to_owned();
        self
    }

    /// Names the column stamped with the time of every write, or none.
    pub fn updated_at(mut self, name: Option<&str>) -> Self {
        self.updated_at = name.map(str::to_owned);
        self
    }

    /// Adds a model column; the model must have a field of the same name.
    pub fn column(mut self, name: &str, kind: ColumnKind) -> Self {
        self.columns.push(Column {
            name: name.to_owned(),
            kind,
        });
        self
    }

    /// Checks the names and writes out the statements for both backends.
    pub fn build(self) -> Result<Table, TableError> {
        let mut names = vec![&self.name, &self.id.0, &self.version];
        names.extend(self.states.iter().map(|state| &state.name));
        names.extend(self.updated_at.as_ref());
        for name in names {
            check_identifier(name)?;
        }
        let mut fixed = vec![&self.id.0, &self.version];
        for state in &self.states {
            if fixed.contains(&&state.name) {
                return Err(TableError::DuplicateColumn(state.name.clone()));
            }
            fixed.push(&state.name);
        }
        for (index, column) in self.columns.iter().enumerate() {
            check_identifier(&column.name)?;
            if column.name.starts_with("__") {
                return Err(TableError::ReservedColumn(column.name.clone()));
            }
            let repeated = self.columns[..index].iter().any(|c| c.name == column.name);
            if repeated || fixed.contains(&&column.name) {
                return Err(TableError::DuplicateColumn(column.name.clone()));
            }
        }
        Ok(Table::driving(Arc::new(self), 0))
    }
}

/// Whether `name` is a plain SQL identifier: a letter or `_`, then letters, digits or `_`.
pub(crate) fn check_identifier(name: &str) -> Result<(), TableError> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && name.len() <= 63 {
        Ok(())
    } else {
        Err(TableError::InvalidIdentifier(name.to_owned()))
    }
}

/// A checked table declaration, seen through one of its state columns (the first unless
/// [`Table::for_state`] chose another), with the statements that drive that column.
#[derive(Debug, Clone)]
pub struct Table {
    /// The checked declaration, shared by the views of each of its state columns.
    shape: Arc<TableDecl>,
    /// The index of the state column this view drives.
    driven: usize,
    /// The table's names as every statement spells them, on either backend.
    pub(crate) quoted: QuotedNames,
    /// The statements the SQLite store runs on the table.
    pub(crate) sqlite: sqlite::Statements,
    /// The statements the PostgreSQL store runs on the table.
    pub(crate) postgres: postgres::Statements,
}

impl Table {
    fn driving(shape: Arc<TableDecl>, driven: usize) -> Table {
        let others: Vec<&StateColumn> = others(&shape.states, driven).collect();
        let quoted = QuotedNames {
            table: quote(&shape.name),
            id: quote(&shape.id.0),
            state: quote(&shape.states[driven].name),
            version: quote(&shape.version),
            updated_at: shape.updated_at.as_deref().map(quote),
        };
        let sqlite = sqlite::Statements::new(&quoted, &shape.columns, &others);
        let postgres = postgres::Statements::new(
            &quoted,
            shape.id.1,
            shape.states[driven].kind,
            &shape.columns,
            &others,
        );
        Table {
            shape,
            driven,
            quoted,
            sqlite,
            postgres,
        }
    }

    /// The same table seen through its state column `name`: the statements a store for the
    /// machine of that column runs. `None` when the table has no such state column.
    pub fn for_state(&self, name: &str) -> Option<Table> {
        let index = self.shape.states.iter().position(|s| s.name == name)?;
        Some(Table::driving(Arc::clone(&self.shape), index))
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.shape.name
    }
    /// How the key is stored.
    pub fn id_kind(&self) -> IdKind {
        self.shape.id.1
    }
    /// The name of the state column this view drives.
    pub fn state_column(&self) -> &str {
        &self.shape.states[self.driven].name
    }
    /// How that state is stored.
    pub fn state_kind(&self) -> StateKind {
        self.shape.states[self.driven].kind
    }
    /// Every state column, in declaration order.
    pub fn state_columns(&self) -> &[StateColumn] {
        &self.shape.states
    }
    /// The other state columns, in declaration order: what the console's reads append after
    /// the model columns (`read_select`).
    pub(crate) fn other_states(&self) -> impl Iterator<Item = &StateColumn> {
        others(&self.shape.states, self.driven)
    }
    /// The model columns, in declaration order (also their order in every `SELECT`).
    pub fn columns(&self) -> &[Column] {
        &self.shape.columns
    }
}

/// The state columns but the `driven` one, in declaration order.
fn others(states: &[StateColumn], driven: usize) -> impl Iterator<Item = &StateColumn> {
    states
        .iter()
        .enumerate()
        .filter(move |(index, _)| *index != driven)
        .map(|(_, state)| state)
}

/// A table's own names, quoted: what statements written per call (lists, edits) and each
/// backend's fixed statements are made of.
#[derive(Debug, Clone)]
pub(crate) struct QuotedNames {
    /// The quoted table name.
    pub(crate) table: String,
    /// The quoted key column.
    pub(crate) id: String,
    /// The quoted state column.
    pub(crate) state: String,
    /// The quoted version column.
    pub(crate) version: String,
    /// The quoted column stamped at every write, if any.
    pub(crate) updated_at: Option<String>,
}

/// An identifier in double quotes, as both backends read it.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{name}\"")
}
