//! A managed table described once (key, state, version and model columns), and the SQL the
//! generic store runs on it, written out once per backend when the declaration is built.
//!
//! Every statement has one fixed text whatever the batch size, so the prepared-statement cache
//! always hits and no SQL string is built per call. On PostgreSQL a batch travels as one JSON
//! document bound to one parameter (`json_to_recordset`), so no bind-parameter limit applies;
//! on SQLite, which runs in-process, the writes are one-row statements stepped once per row
//! (see `store`), and only a load by many keys reads a JSON array (`json_each`).

use std::{borrow::Cow, sync::OnceLock};

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

impl ColumnKind {
    fn postgres_type(self) -> &'static str {
        match self {
            ColumnKind::Text => "text",
            ColumnKind::Integer => "int8",
            ColumnKind::Boolean => "bool",
            ColumnKind::Real => "float8",
            ColumnKind::Json => "jsonb",
        }
    }
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
        let sql = Statements::write(&self);
        Ok(Table {
            name: self.name,
            id_kind: self.id.1,
            state_column: self.state.0,
            state_kind: self.state.1,
            columns: self.columns,
            sql,
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
    pub(crate) sql: Statements,
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

/// Keys of the reserved members of a compare-and-set document.
pub(crate) const WRITE_ID: &str = "__id";
pub(crate) const WRITE_EXPECTED_STATE: &str = "__expected_state";
pub(crate) const WRITE_EXPECTED_VERSION: &str = "__expected_version";
pub(crate) const WRITE_STATE: &str = "__state";
pub(crate) const WRITE_VERSION: &str = "__version";

/// Every statement the store runs on one table, per backend.
#[derive(Debug, Clone)]
pub(crate) struct Statements {
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
    /// `key, state, version, columns…` as SQLite selects them.
    pub(crate) sqlite_select: String,
    /// The same for PostgreSQL, over the alias `t`, each cast to the type the store decodes.
    pub(crate) postgres_select: String,
    /// `SELECT … WHERE id = ?1`.
    pub(crate) sqlite_load_one: String,
    /// `SELECT … WHERE id IN (SELECT value FROM json_each($1))`.
    pub(crate) sqlite_load_many: String,
    /// `UPDATE … WHERE id = ?1 AND state = ?2 AND version = ?3`, for one row.
    pub(crate) sqlite_compare_and_set: String,
    /// The same, writing only the state, the version and the time: for a row whose model
    /// columns are what was loaded. It binds only the first five parameters.
    pub(crate) sqlite_compare_and_set_state: String,
    /// `SELECT … WHERE id = ANY($1)`.
    pub(crate) postgres_load: String,
    /// The same, ordered by key and `FOR UPDATE`, so concurrent lockers never deadlock.
    pub(crate) postgres_load_locked: String,
    /// `UPDATE … FROM json_to_recordset($1) … RETURNING id`.
    pub(crate) postgres_compare_and_set: String,
}

pub(crate) fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

impl Statements {
    fn write(decl: &TableDecl) -> Statements {
        let table = quote(&decl.name);
        let id = quote(&decl.id.0);
        let state = quote(&decl.state.0);
        let version = quote(&decl.version);
        let columns: Vec<String> = decl.columns.iter().map(|c| quote(&c.name)).collect();

        // SQLite: no casts; the driver decodes by the declared column types.
        let sqlite_select = std::iter::once(format!("{id}, {state}, {version}"))
            .chain(columns.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ");
        let sqlite_load_one = format!("SELECT {sqlite_select} FROM {table} WHERE {id} = ?1");
        let sqlite_load_many = format!(
            "SELECT {sqlite_select} FROM {table} WHERE {id} IN (SELECT value FROM json_each($1))"
        );
        // Parameters in `codec::write_values` order: key, expected state, expected version,
        // state, version, then the columns. `?N` is parameter N, so the writer binds by position.
        let parameter = |position: usize| format!("?{}", position + 1);
        let mut sets = vec![
            format!("{state} = {}", parameter(3)),
            format!("{version} = {}", parameter(4)),
        ];
        sets.extend(
            columns
                .iter()
                .enumerate()
                .map(|(offset, column)| format!("{column} = {}", parameter(offset + 5))),
        );
        let stamp = decl.updated_at.as_ref().map(|updated_at| {
            format!(
                "{} = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                quote(updated_at)
            )
        });
        // No RETURNING: the writer runs it once per row and reads the change count, where
        // RETURNING would buffer each row through a temporary table.
        let sqlite_update = |sets: &[String]| {
            let sets = sets.iter().chain(&stamp).cloned().collect::<Vec<_>>();
            format!(
                "UPDATE {table} SET {sets} WHERE {id} = ?1 AND {state} = ?2 AND {version} = ?3",
                sets = sets.join(", "),
            )
        };
        let sqlite_compare_and_set = sqlite_update(&sets);
        let sqlite_compare_and_set_state = sqlite_update(&sets[..2]);

        // PostgreSQL: cast every column to the type the store decodes, so a deployer's
        // INTEGER or VARCHAR column reads as well as BIGINT or TEXT.
        let (id_type, id_read) = match decl.id.1 {
            IdKind::Integer => ("int8", format!("t.{id}::int8")),
            IdKind::Text => ("text", format!("t.{id}::text")),
            IdKind::Uuid => ("uuid", format!("t.{id}::text")),
        };
        let state_type = match decl.state.1 {
            StateKind::Text => "text",
            StateKind::Integer => "int8",
        };
        let postgres_select = [
            id_read.clone(),
            format!("t.{state}::{state_type}"),
            format!("t.{version}::int8"),
        ]
        .into_iter()
        .chain(
            decl.columns
                .iter()
                .map(|c| format!("t.{}::{}", quote(&c.name), c.kind.postgres_type())),
        )
        .collect::<Vec<_>>()
        .join(", ");
        let postgres_load = format!(
            "SELECT {postgres_select} FROM {table} AS t WHERE t.{id} = ANY($1::{id_type}[])"
        );
        let postgres_load_locked = format!("{postgres_load} ORDER BY t.{id} FOR UPDATE");
        let mut record = vec![
            format!("{} {id_type}", quote(WRITE_ID)),
            format!("{} {state_type}", quote(WRITE_EXPECTED_STATE)),
            format!("{} int8", quote(WRITE_EXPECTED_VERSION)),
            format!("{} {state_type}", quote(WRITE_STATE)),
            format!("{} int8", quote(WRITE_VERSION)),
        ];
        record.extend(
            decl.columns
                .iter()
                .map(|c| format!("{} {}", quote(&c.name), c.kind.postgres_type())),
        );
        let mut sets = vec![
            format!("{state} = w.{}", quote(WRITE_STATE)),
            format!("{version} = w.{}", quote(WRITE_VERSION)),
        ];
        sets.extend(columns.iter().map(|c| format!("{c} = w.{c}")));
        if let Some(updated_at) = &decl.updated_at {
            sets.push(format!("{} = now()", quote(updated_at)));
        }
        let postgres_compare_and_set = format!(
            "UPDATE {table} AS t SET {sets} FROM json_to_recordset($1::json) AS w({record}) \
             WHERE t.{id} = w.{wid} AND t.{state} = w.{wes} AND t.{version} = w.{wev} \
             RETURNING {id_read}",
            sets = sets.join(", "),
            record = record.join(", "),
            wid = quote(WRITE_ID),
            wes = quote(WRITE_EXPECTED_STATE),
            wev = quote(WRITE_EXPECTED_VERSION),
        );
        Statements {
            table,
            id,
            state,
            version,
            updated_at: decl.updated_at.as_deref().map(quote),
            sqlite_select,
            postgres_select,
            sqlite_load_one,
            sqlite_load_many,
            sqlite_compare_and_set,
            sqlite_compare_and_set_state,
            postgres_load,
            postgres_load_locked,
            postgres_compare_and_set,
        }
    }
}

/// How many values one audit row binds on SQLite.
pub(crate) const AUDIT_COLUMNS: usize = 11;

/// Audit rows per insert statement on SQLite: one statement per row would cost a statement
/// run each, and 64 rows bind 704 parameters, far below SQLite's limit of 32,766.
pub(crate) const SQLITE_AUDIT_ROWS_PER_INSERT: usize = 64;

/// Which audit columns every row of a chunk holds the same value in: those bind once.
pub(crate) type SharedColumns = [bool; AUDIT_COLUMNS];

/// `INSERT INTO audit_log (…) VALUES (?1, …, ?11), (…), …` for `rows` rows, each in
/// `codec::sqlite_audit_chunk` order (SQLite). The first row binds `?1` to `?11`; each later row
/// takes the first row's parameter for a `shared` column and binds its other columns in
/// order, so a bulk fire's audit rows, which differ mostly in their key, bind little more
/// than their keys. The texts for one row, and for a full chunk shared as the process's first
/// full chunk was (a bulk fire's chunks all share alike), are written once per process; any
/// other is written per call.
pub(crate) fn sqlite_insert_audit(rows: usize, shared: SharedColumns) -> Cow<'static, str> {
    static ONE: OnceLock<String> = OnceLock::new();
    static FULL: OnceLock<(SharedColumns, String)> = OnceLock::new();
    if rows == 1 {
        return Cow::Borrowed(ONE.get_or_init(|| write_insert_audit(1, [false; AUDIT_COLUMNS])));
    }
    if rows == SQLITE_AUDIT_ROWS_PER_INSERT {
        let (usual, text) = FULL.get_or_init(|| (shared, write_insert_audit(rows, shared)));
        if *usual == shared {
            return Cow::Borrowed(text);
        }
    }
    Cow::Owned(write_insert_audit(rows, shared))
}

fn write_insert_audit(rows: usize, shared: SharedColumns) -> String {
    let mut next = 0;
    let tuples: Vec<String> = (0..rows)
        .map(|row| {
            let parameters: Vec<String> = (0..AUDIT_COLUMNS)
                .map(|column| {
                    if row > 0 && shared[column] {
                        format!("?{}", column + 1)
                    } else {
                        next += 1;
                        format!("?{next}")
                    }
                })
                .collect();
            format!("({})", parameters.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO audit_log (resource, object_id, transition, source, target, actor_id, \
         actor_username, arguments, description, outcome, error) VALUES {}",
        tuples.join(", ")
    )
}

/// Inserts audit rows from one JSON array (PostgreSQL).
pub(crate) const POSTGRES_INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (resource, object_id, transition, source, target, actor_id, actor_username, arguments, \
     description, outcome, error) \
    SELECT resource, object_id, transition, source, target, actor_id, actor_username, \
           COALESCE(arguments, 'null'::jsonb), description, outcome, error \
    FROM json_to_recordset($1::json) AS a(resource text, object_id text, transition text, \
         source text, target text, actor_id int8, actor_username text, arguments jsonb, \
         description text, outcome text, error text)";
