//! Editing, creating and deleting rows from the console, each in one transaction with its
//! audit row. None of these writes the state column except creation, which stores the
//! machine's initial state: the state stays the engine's to change.
//!
//! Edits and deletions compare the version the page showed, like a fire: a stale page is a
//! conflict and changes nothing.

use serde_json::{Map, Value};
use switchyard_engine::{ObjectId, StoredState, Version};

use super::{
    table::{quote, ColumnKind, IdKind},
    Db, SqlModel, SqlStore,
};
use crate::with_pool;

/// What the audit row of an edit, creation or deletion says.
#[derive(Debug, Clone)]
pub struct ChangeNote {
    /// The resource's name (`orders`).
    pub resource: String,
    /// `(edit)`, `(create)` or `(delete)`: never a transition name, which is an identifier.
    pub action: &'static str,
    /// The state name recorded as source and target.
    pub state: String,
    /// Who.
    pub actor_id: Option<i64>,
    /// Who, by name.
    pub actor_username: String,
    /// What changed, as JSON (`{"field": [old, new]}` for an edit).
    pub details: Value,
}

/// The audit action of an edit.
pub const EDIT: &str = "(edit)";
/// The audit action of a creation.
pub const CREATE: &str = "(create)";
/// The audit action of a deletion.
pub const DELETE: &str = "(delete)";

/// Why an edit, creation or deletion failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The model could not be serialized into columns.
    #[error("the object could not be written: {0}")]
    Encode(String),
    /// A constraint of the table refused the values.
    #[error("the database refused the values: {0}")]
    Refused(String),
    /// The database failed.
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for EditError {
    fn from(error: sqlx::Error) -> Self {
        let refused = error.as_database_error().is_some_and(|database| {
            matches!(
                database.code().as_deref(),
                // SQLite CHECK, NOT NULL, UNIQUE; PostgreSQL check, not-null, unique, too long.
                Some("275")
                    | Some("1299")
                    | Some("2067")
                    | Some("23514")
                    | Some("23502")
                    | Some("23505")
                    | Some("22001")
            )
        });
        if refused {
            EditError::Refused(error.to_string())
        } else {
            EditError::Database(error)
        }
    }
}

/// A value bound to an edit statement.
enum Bind {
    Text(Option<String>),
    Integer(Option<i64>),
    Boolean(Option<bool>),
    Real(Option<f64>),
    Json(sqlx::types::Json<Value>),
}

fn column_bind(kind: ColumnKind, value: Option<&Value>) -> Bind {
    let value = value.filter(|v| !v.is_null());
    match kind {
        ColumnKind::Text => Bind::Text(value.map(|v| match v {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })),
        ColumnKind::Integer => Bind::Integer(value.and_then(Value::as_i64)),
        ColumnKind::Boolean => Bind::Boolean(value.and_then(Value::as_bool)),
        ColumnKind::Real => Bind::Real(value.and_then(Value::as_f64)),
        ColumnKind::Json => Bind::Json(sqlx::types::Json(value.cloned().unwrap_or(Value::Null))),
    }
}

fn key_bind(id: &ObjectId) -> Bind {
    match id {
        ObjectId::Int(value) => Bind::Integer(Some(*value)),
        other => Bind::Text(Some(other.to_string())),
    }
}

const SQLITE_AUDIT: &str = "INSERT INTO audit_log (resource, object_id, transition, source, \
    target, actor_id, actor_username, arguments, outcome) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'completed')";
const POSTGRES_AUDIT: &str = "INSERT INTO audit_log (resource, object_id, transition, source, \
    target, actor_id, actor_username, arguments, outcome) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 'completed')";

/// Runs `statement` with `binds`, then the audit row, in one transaction; the closure
/// `$done` turns the statement's result into the answer, or `None` to roll back.
macro_rules! in_transaction {
    ($store:expr, $statement:expr, $binds:expr, $note:expr, $object_id:expr,
     |$rows:ident| $done:expr) => {{
        let audit = match $store.db() {
            Db::Sqlite(_) => SQLITE_AUDIT,
            Db::Postgres(_) => POSTGRES_AUDIT,
        };
        let resource = $note.resource.clone();
        with_pool!($store.db(), pool => {
            let mut tx = pool.begin().await?;
            let mut query = sqlx::query($statement);
            for bind in $binds {
                query = match bind {
                    Bind::Text(value) => query.bind(value),
                    Bind::Integer(value) => query.bind(value),
                    Bind::Boolean(value) => query.bind(value),
                    Bind::Real(value) => query.bind(value),
                    Bind::Json(value) => query.bind(value),
                };
            }
            let $rows = query.fetch_all(&mut *tx).await?;
            match $done {
                Some(answer) => {
                    let object_id: String = ($object_id)(&answer);
                    sqlx::query(audit)
                        .bind(resource)
                        .bind(object_id)
                        .bind($note.action)
                        .bind(&$note.state)
                        .bind(&$note.state)
                        .bind($note.actor_id)
                        .bind(&$note.actor_username)
                        .bind($note.details.to_string())
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok::<_, EditError>(Some(answer))
                }
                None => {
                    tx.rollback().await?;
                    Ok::<_, EditError>(None)
                }
            }
        })
    }};
}

impl<O: SqlModel> SqlStore<O> {
    fn columns_of(&self, object: &O) -> Result<Map<String, Value>, EditError> {
        match serde_json::to_value(object) {
            Ok(Value::Object(fields)) => Ok(fields),
            Ok(_) => Err(EditError::Encode("the model is not a struct".to_owned())),
            Err(error) => Err(EditError::Encode(error.to_string())),
        }
    }

    fn stamp(&self) -> String {
        let sql = &self.table().quoted;
        match (&sql.updated_at, self.db()) {
            (Some(column), Db::Sqlite(_)) => {
                format!(", {column} = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
            }
            (Some(column), Db::Postgres(_)) => format!(", {column} = now()"),
            (None, _) => String::new(),
        }
    }

    /// Runs an `UPDATE`/`DELETE … RETURNING` on one row with its audit row; `Ok(false)` when
    /// it matched nothing (the row is gone or changed since) and nothing was written.
    async fn write_one_row(
        &self,
        statement: &str,
        binds: Vec<Bind>,
        note: &ChangeNote,
        id: &ObjectId,
    ) -> Result<bool, EditError> {
        let key = id.to_string();
        let written: Option<()> =
            in_transaction!(self, statement, binds, note, |_: &()| key.clone(), |rows| {
                (!rows.is_empty()).then_some(())
            })?;
        Ok(written.is_some())
    }

    /// Writes `columns` of `object` to the row if it is still at `version` (bumping it), with
    /// the audit row. `Ok(false)`: the row is gone or changed since.
    pub async fn update_columns(
        &self,
        id: &ObjectId,
        version: Version,
        object: &O,
        columns: &[String],
        note: &ChangeNote,
    ) -> Result<bool, EditError> {
        let values = self.columns_of(object)?;
        let table = self.table();
        let sql = &table.quoted;
        let mut sets = Vec::new();
        let mut binds = Vec::new();
        for column in table.columns().iter().filter(|c| columns.contains(&c.name)) {
            binds.push(column_bind(column.kind, values.get(&column.name)));
            sets.push(format!("{} = ${}", quote(&column.name), binds.len()));
        }
        binds.push(key_bind(id));
        binds.push(Bind::Integer(Some(version.get())));
        let statement = format!(
            "UPDATE {table} SET {sets}, {version} = {version} + 1{stamp} \
             WHERE {id} = ${key} AND {version} = ${expected} RETURNING {version}",
            table = sql.table,
            sets = sets.join(", "),
            version = sql.version,
            stamp = self.stamp(),
            id = sql.id,
            key = binds.len() - 1,
            expected = binds.len(),
        );
        self.write_one_row(&statement, binds, note, id).await
    }

    /// Inserts `object` in `states` (one per state column, in declaration order: each
    /// machine's initial state) at the first version, with the audit row; returns its key.
    /// Integer keys only: the database assigns them.
    pub async fn insert_row(
        &self,
        states: &[StoredState],
        object: &O,
        note: &ChangeNote,
    ) -> Result<ObjectId, EditError> {
        if self.table().id_kind() != IdKind::Integer {
            return Err(EditError::Encode(
                "only tables with integer keys can create rows from the console".to_owned(),
            ));
        }
        let values = self.columns_of(object)?;
        let table = self.table();
        let sql = &table.quoted;
        let mut names = Vec::new();
        let mut binds = Vec::new();
        for column in table.columns() {
            binds.push(column_bind(column.kind, values.get(&column.name)));
            names.push(quote(&column.name));
        }
        if states.len() != table.state_columns().len() {
            return Err(EditError::Encode(format!(
                "{} initial states for {} state columns",
                states.len(),
                table.state_columns().len()
            )));
        }
        for (state, column) in states.iter().zip(table.state_columns()) {
            binds.push(match state {
                StoredState::Text(text) => Bind::Text(Some(text.clone())),
                StoredState::Integer(code) => Bind::Integer(Some(*code)),
            });
            names.push(quote(&column.name));
        }
        binds.push(Bind::Integer(Some(Version::FIRST.get())));
        names.push(sql.version.clone());
        let placeholders: Vec<String> = (1..=binds.len()).map(|n| format!("${n}")).collect();
        let id_read = match self.db() {
            Db::Sqlite(_) => sql.id.clone(),
            Db::Postgres(_) => format!("{}::int8", sql.id),
        };
        let statement = format!(
            "INSERT INTO {} ({}) VALUES ({}) RETURNING {id_read}",
            sql.table,
            names.join(", "),
            placeholders.join(", ")
        );
        let created: Option<i64> = in_transaction!(
            self,
            &statement,
            binds,
            note,
            |id: &i64| id.to_string(),
            |rows| rows
                .first()
                .and_then(|row| sqlx::Row::try_get::<i64, _>(row, 0).ok())
        )?;
        created
            .map(ObjectId::Int)
            .ok_or_else(|| EditError::Encode("the database returned no key".to_owned()))
    }

    /// Deletes the row if it is still at `version`, with the audit row (history outlives it).
    /// `Ok(false)`: the row is gone or changed since.
    pub async fn delete_row(
        &self,
        id: &ObjectId,
        version: Version,
        note: &ChangeNote,
    ) -> Result<bool, EditError> {
        let sql = &self.table().quoted;
        let statement = format!(
            "DELETE FROM {} WHERE {} = $1 AND {} = $2 RETURNING {}",
            sql.table, sql.id, sql.version, sql.version
        );
        let binds = vec![key_bind(id), Bind::Integer(Some(version.get()))];
        self.write_one_row(&statement, binds, note, id).await
    }
}
