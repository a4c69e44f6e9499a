//! A managed table described once (key, state, version and model columns), and the SQL the
//! generic store runs on it, written out once per backend when the declaration is built (each
//! backend's in its own `statements.rs` under `store/`).
//!
//! Every statement has one fixed text whatever the batch size, so the prepared-statement cache
//! always hits and no SQL string is built per call. On PostgreSQL a batch travels as one JSON
//! document bound to one parameter (`json_to_recordset`), so no bind-parameter limit applies;
//! on SQLite, which runs in-process, the writes are one-row statements stepped once per row
//! (see `store::sqlite`), and only a load by many keys reads a JSON array (`json_each`).

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

/// A table as the deployer declares it: `TableDecl::new("orders").column(...)...build()`.
#[derive(Debug, Clone)]
pub struct TableDecl {
    name: String,
    id: (String, IdKind),
    state: (String, StateKind),
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
            state: ("state".to_owned(), StateKind::Text),
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

    /// Names the state column and its kind.
    pub fn state(mut self, name: &str, kind: StateKind) -> Self {
        self.state = (name.to_owned(), kind);
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
        let mut names = vec![&self.name, &self.id.0, &self.state.0, &self.version];
        names.extend(self.updated_at.as_ref());
        for name in names {
            check_identifier(name)?;
        }
        for (index, column) in self.columns.iter().enumerate() {
            check_identifier(&column.name)?;
            if column.name.starts_with("__") {
                return Err(TableError::ReservedColumn(column.name.clone()));
            }
            let fixed = [&self.id.0, &self.state.0, &self.version];
            let repeated = self.columns[..index].iter().any(|c| c.name == column.name);
            if repeated || fixed.contains(&&column.name) {
                return Err(TableError::DuplicateColumn(column.name.clone()));
            }
        }
        let quoted = QuotedNames {
            table: quote(&self.name),
            id: quote(&self.id.0),
            state: quote(&self.state.0),
            version: quote(&self.version),
            updated_at: self.updated_at.as_deref().map(quote),
        };
        let sqlite = sqlite::Statements::new(&quoted, &self.columns);
        let postgres = postgres::Statements::new(&quoted, self.id.1, self.state.1, &self.columns);
        Ok(Table {
            name: self.name,
            id_kind: self.id.1,
            state_column: self.state.0,
            state_kind: self.state.1,
            columns: self.columns,
            quoted,
            sqlite,
            postgres,
        })
    }
}

fn check_identifier(name: &str) -> Result<(), TableError> {
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

/// A checked table declaration with its statements.
#[derive(Debug, Clone)]
pub struct Table {
    name: String,
    id_kind: IdKind,
    state_column: String,
    state_kind: StateKind,
    columns: Vec<Column>,
    /// The table's names as every statement spells them, on either backend.
    pub(crate) quoted: QuotedNames,
    /// The statements the SQLite store runs on the table.
    pub(crate) sqlite: sqlite::Statements,
    /// The statements the PostgreSQL store runs on the table.
    pub(crate) postgres: postgres::Statements,
}

impl Table {
    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// How the key is stored.
    pub fn id_kind(&self) -> IdKind {
        self.id_kind
    }
    /// The state column's name.
    pub fn state_column(&self) -> &str {
        &self.state_column
    }
    /// How the state is stored.
    pub fn state_kind(&self) -> StateKind {
        self.state_kind
    }
    /// The model columns, in declaration order (also their order in every `SELECT`).
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
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
