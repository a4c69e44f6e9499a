//! Reading rows for the console: one row by key, and a filtered, searched, sorted page of rows
//! with its total. Reads go through the pool, never the store's writer connection.
//!
//! Every identifier in the SQL comes from the validated [`Table`] declaration or from the
//! resource's declared sortable and searchable columns; request values are always bound.
//! The list statement has one text per (filter, search, sort) shape, so the driver's
//! statement cache serves repeated pages.

use switchyard_engine::{ObjectId, StoreError, StoredRow, StoredState};

use super::{
    store::{decode_other_states, decode_row},
    table::{quote, ColumnKind, IdKind, StateKind},
    Db, SqlModel, SqlStore,
};
use crate::with_pool;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// Only rows whose state column `column` holds one of `states` (a state or a group filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFilter {
    /// A state column of the table.
    pub column: String,
    /// The stored values kept; none keeps no row.
    pub states: Vec<StoredState>,
}

/// What a list page asks for. Column names must be the key, a state column, or declared
/// model columns: [`SqlStore::list`] refuses anything else.
#[derive(Debug, Clone)]
pub struct ListSpec {
    /// Every state filter; a row must pass them all.
    pub states: Vec<StateFilter>,
    /// Text to look for, case-insensitively, in `search_columns` (and the key, when the text
    /// is a whole number and keys are integers).
    pub search: Option<String>,
    /// The text columns searched.
    pub search_columns: Vec<String>,
    /// The sort column and direction; the key breaks ties in the same direction.
    pub order: (String, Direction),
    /// Rows per page.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u64,
    /// Only rows whose key comes after this one (reading in key order, chunk by chunk).
    pub after: Option<ObjectId>,
    /// Where a keyset page starts instead of `offset` (integer keys, and a sort column that
    /// is the key, a state column, or a text or integer column).
    pub seek: Option<Seek>,
}

/// A row's place in a sort order: the sort column's value as text (none when sorting by the
/// key) and the row's key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SortKey {
    /// The sort column's value, as text.
    pub value: Option<String>,
    /// The row's key.
    pub id: i64,
}

/// Where a keyset page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seek {
    /// The rows after this place, in order.
    After(SortKey),
    /// The rows before this place (read backwards, answered in order).
    Before(SortKey),
    /// The last rows.
    End,
}

/// One page of rows and how many rows match in all.
#[derive(Debug)]
pub struct ListRows<O> {
    /// The rows of the page, in order.
    pub rows: Vec<StoredRow<O>>,
    /// Each row's other state columns (`Table::other_states`), in the rows' order.
    pub other_states: Vec<Vec<StoredState>>,
    /// Every matching row.
    pub total: i64,
    /// Each row's place in the sort order, in the rows' order (for keyset cursors).
    pub sort_keys: Vec<SortKey>,
    /// Whether more rows follow in the direction read (after the page, or before it when
    /// reading backwards).
    pub more: bool,
}

/// Why a list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// A column named by the spec is not one of the table's.
    #[error("`{0}` is not a column of this table")]
    UnknownColumn(String),
    /// A keyset cursor does not fit the sort (a value of the wrong kind, or a sort that
    /// cannot be paged by cursor).
    #[error("the page cursor does not fit this list")]
    BadCursor,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A row could not be decoded into the model.
    #[error(transparent)]
    Decode(#[from] StoreError),
}

/// A value bound to a list statement.
#[derive(Debug)]
pub(crate) enum Bind {
    Text(String),
    Integer(i64),
}

/// Queries selecting the keys of a job's rows as `position` and `object_id`, in key order,
/// with their parameters.
#[derive(Debug)]
pub struct KeysQuery {
    /// Integer keys are their own positions (no numbering pass over the rows); other keys
    /// are numbered from 0.
    pub(crate) sql: String,
    /// The keys numbered from 0, whatever they are: for integer keys down to `i64::MIN`,
    /// below which no position could stand before the first.
    pub(crate) numbered_sql: String,
    pub(crate) binds: Vec<Bind>,
}

impl<O: SqlModel> SqlStore<O> {
    /// The row with this key, read through the pool, with its other state columns
    /// (`Table::other_states`), or `None`.
    pub async fn read(
        &self,
        id: &ObjectId,
    ) -> Result<Option<(StoredRow<O>, Vec<StoredState>)>, ListError> {
        let table = self.table();
        let key = match (table.id_kind(), id) {
            (IdKind::Integer, ObjectId::Int(value)) => Bind::Integer(*value),
            (IdKind::Integer, _) => return Ok(None),
            (_, other) => Bind::Text(other.to_string()),
        };
        let sql = &table.quoted;
        let statement = match self.db() {
            Db::Sqlite(_) => format!(
                "SELECT {} FROM {} WHERE {} = $1",
                table.sqlite.read_select, sql.table, sql.id
            ),
            Db::Postgres(_) => format!(
                "SELECT {} FROM {} AS t WHERE t.{} = $1",
                table.postgres.read_select,
                sql.table,
                postgres_key_comparison(table.id_kind(), &sql.id)
            ),
        };
        let row = with_pool!(self.db(), pool => {
            let query = sqlx::query(&statement);
            let query = match key {
                Bind::Text(text) => query.bind(text),
                Bind::Integer(integer) => query.bind(integer),
            };
            match query.fetch_optional(pool).await? {
                Some(row) => Some((decode_row(&row, table)?, decode_other_states(&row, table)?)),
                None => None,
            }
        });
        Ok(row)
    }

    /// Whether any row holds `state` in the state column `column` (one probe of its index).
    pub async fn holds_state(&self, column: &str, state: &StoredState) -> Result<bool, ListError> {
        let declared = self
            .table()
            .state_columns()
            .iter()
            .find(|c| c.name == column)
            .ok_or_else(|| ListError::UnknownColumn(column.to_owned()))?;
        let statement = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {} = $1)",
            self.table().quoted.table,
            quote(&declared.name)
        );
        let held = with_pool!(self.db(), pool => {
            let query = sqlx::query_scalar::<_, bool>(&statement);
            match state {
                StoredState::Text(text) => query.bind(text.as_str()),
                StoredState::Integer(code) => query.bind(*code),
            }
            .fetch_one(pool)
            .await?
        });
        Ok(held)
    }

    /// One page of rows matching `spec`, and the number of matching rows.
    pub async fn list(&self, spec: &ListSpec) -> Result<ListRows<O>, ListError> {
        let counted = self.counted_total(spec).await?;
        let total = match counted {
            Some(total) => total,
            None => self.count_matching(spec).await?,
        };
        let mut page = self.page(spec).await?;
        page.total = total;
        Ok(page)
    }

    /// One page of rows as [`SqlStore::list`] reads it, without counting the matching rows
    /// (`total` is 0): what a walk over every matching row (an export) reads, page by page.
    pub async fn page(&self, spec: &ListSpec) -> Result<ListRows<O>, ListError> {
        let (mut where_clause, mut binds) = self.where_clause(spec)?;
        let sql = &self.table().quoted;
        let sort_column = self.column_sql(&spec.order.0)?;
        let id = qualified(&sql.id, self.db());
        // Reading backwards (before a place, or the last page) reverses the order, and the
        // rows are turned around afterwards.
        let backwards = matches!(spec.seek, Some(Seek::Before(_) | Seek::End));
        let ascending = (spec.order.1 == Direction::Ascending) != backwards;
        let direction = if ascending { "ASC" } else { "DESC" };
        let by_key = sort_column == id;
        if let Some(Seek::After(place) | Seek::Before(place)) = &spec.seek {
            let operator = if ascending { ">" } else { "<" };
            let key = format!("${}", binds.len() + 1);
            binds.push(Bind::Integer(place.id));
            let condition = if by_key {
                format!("{id} {operator} {key}")
            } else {
                let value = self.sort_value_bind(&spec.order.0, place.value.as_deref())?;
                binds.push(value);
                format!("({sort_column}, {id}) {operator} (${}, {key})", binds.len())
            };
            where_clause = if where_clause.is_empty() {
                format!(" WHERE {condition}")
            } else {
                format!("{where_clause} AND {condition}")
            };
        }
        let (select, from, sort_text) = match self.db() {
            Db::Sqlite(_) => (
                self.table().sqlite.read_select.as_str(),
                sql.table.clone(),
                format!("CAST({sort_column} AS TEXT)"),
            ),
            Db::Postgres(_) => (
                self.table().postgres.read_select.as_str(),
                format!("{} AS t", sql.table),
                format!("{sort_column}::text"),
            ),
        };
        let tie_break = if by_key {
            String::new()
        } else {
            format!(", {id} {direction}")
        };
        // One row more than the page tells whether another page follows; the sort value
        // comes last, after every column the decoders read by position.
        let offset = if spec.seek.is_some() { 0 } else { spec.offset };
        let page_sql = format!(
            "SELECT {select}, {sort_text} FROM {from}{where_clause} \
             ORDER BY {sort_column} {direction}{tie_break} LIMIT {limit} OFFSET {offset}",
            limit = u64::from(spec.limit) + 1,
        );
        let table = self.table();
        let (mut rows, mut other_states, mut sort_keys) = with_pool!(self.db(), pool => {
            let mut page = sqlx::query(&page_sql);
            for bind in &binds {
                page = match bind {
                    Bind::Text(text) => page.bind(text.as_str()),
                    Bind::Integer(integer) => page.bind(*integer),
                };
            }
            let fetched = page.fetch_all(pool).await?;
            let mut rows = Vec::with_capacity(fetched.len());
            let mut others = Vec::with_capacity(fetched.len());
            let mut keys = Vec::with_capacity(fetched.len());
            for row in &fetched {
                let decoded = decode_row::<O>(row, table)?;
                let value: Option<String> = sqlx::Row::try_get(row, sqlx::Row::len(row) - 1)?;
                keys.push(SortKey {
                    value: (!by_key).then_some(value).flatten(),
                    id: match &decoded.id {
                        ObjectId::Int(id) => *id,
                        _ => 0,
                    },
                });
                others.push(decode_other_states(row, table)?);
                rows.push(decoded);
            }
            (rows, others, keys)
        });
        let limit = usize::try_from(spec.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        other_states.truncate(limit);
        sort_keys.truncate(limit);
        if backwards {
            rows.reverse();
            other_states.reverse();
            sort_keys.reverse();
        }
        Ok(ListRows {
            rows,
            other_states,
            total: 0,
            sort_keys,
            more,
        })
    }

    /// `COUNT(*)` of the rows `spec`'s filters and search match.
    async fn count_matching(&self, spec: &ListSpec) -> Result<i64, ListError> {
        let (where_clause, binds) = self.where_clause(spec)?;
        let from = match self.db() {
            Db::Sqlite(_) => self.table().quoted.table.clone(),
            Db::Postgres(_) => format!("{} AS t", self.table().quoted.table),
        };
        let statement = format!("SELECT COUNT(*) FROM {from}{where_clause}");
        let total = with_pool!(self.db(), pool => {
            let mut count = sqlx::query_scalar::<_, i64>(&statement);
            for bind in binds {
                count = match bind {
                    Bind::Text(text) => count.bind(text),
                    Bind::Integer(integer) => count.bind(integer),
                };
            }
            count.fetch_one(pool).await?
        });
        Ok(total)
    }

    /// Whether a list sorted by `column` can be paged by keyset cursor: integer keys, and a
    /// sort by the key, a state column, or a text or integer column.
    pub fn pages_by_cursor(&self, column: &str) -> bool {
        let table = self.table();
        table.id_kind() == IdKind::Integer
            && (column == "id"
                || column == "state"
                || table.state_columns().iter().any(|c| c.name == column)
                || table.columns().iter().any(|c| {
                    c.name == column && matches!(c.kind, ColumnKind::Text | ColumnKind::Integer)
                }))
    }

    /// A cursor's sort value bound as the sort column compares it.
    fn sort_value_bind(&self, column: &str, value: Option<&str>) -> Result<Bind, ListError> {
        let value = value.ok_or(ListError::BadCursor)?;
        let table = self.table();
        let integer = if column == "state" {
            table.state_kind() == StateKind::Integer
        } else if let Some(state) = table.state_columns().iter().find(|c| c.name == column) {
            state.kind == StateKind::Integer
        } else {
            match table
                .columns()
                .iter()
                .find(|c| c.name == column)
                .map(|c| c.kind)
            {
                Some(ColumnKind::Integer) => true,
                Some(ColumnKind::Text) => false,
                _ => return Err(ListError::BadCursor),
            }
        };
        if integer {
            value
                .parse()
                .map(Bind::Integer)
                .map_err(|_| ListError::BadCursor)
        } else {
            Ok(Bind::Text(value.to_owned()))
        }
    }

    /// The number of rows `spec` matches, from the kept per-state counts, when its filters
    /// are on one state column at most and it searches nothing; `None` when the table must
    /// be counted instead.
    async fn counted_total(&self, spec: &ListSpec) -> Result<Option<i64>, ListError> {
        let search = spec.search.as_deref().map(str::trim).unwrap_or_default();
        if !search.is_empty() || spec.after.is_some() || spec.states.len() > 1 {
            return Ok(None);
        }
        let table = self.table();
        let column = match spec.states.first() {
            Some(filter) => table
                .state_columns()
                .iter()
                .find(|c| c.name == filter.column),
            None => table.state_columns().first(),
        };
        let Some(column) = column else {
            return Ok(None);
        };
        let Some(counts) = super::counts::read(self.db(), table, column).await? else {
            return Ok(None);
        };
        let total = match spec.states.first() {
            Some(filter) => filter
                .states
                .iter()
                .map(|state| counts.get(state).copied().unwrap_or(0))
                .sum(),
            None => counts.values().sum(),
        };
        Ok(Some(total))
    }

    /// The rows matching `spec`'s filters and search in key order (its sort and offset
    /// aside), after `spec.after`, at most `spec.limit` (0: all): what "select all matching"
    /// selects, read whole or chunk by chunk.
    pub async fn all_matching(&self, spec: &ListSpec) -> Result<Vec<StoredRow<O>>, ListError> {
        let (where_clause, binds) = self.where_clause(spec)?;
        let sql = &self.table().quoted;
        let (select, from) = match self.db() {
            Db::Sqlite(_) => (self.table().sqlite.select.as_str(), sql.table.clone()),
            Db::Postgres(_) => (
                self.table().postgres.select.as_str(),
                format!("{} AS t", sql.table),
            ),
        };
        let limit = if spec.limit > 0 {
            format!(" LIMIT {}", spec.limit)
        } else {
            String::new()
        };
        let statement = format!(
            "SELECT {select} FROM {from}{where_clause} ORDER BY {}{limit}",
            qualified(&sql.id, self.db())
        );
        self.fetch_rows(&statement, binds).await
    }

    /// The keys of every row matching `spec`'s filters and search in key order, as what a
    /// bulk job over "all matching" stores (columns `position` and `object_id`): a query its
    /// snapshot inserts from, so no key passes through the server. A window numbering the
    /// rows cost twice the insert itself (a million keys: 1.4 s of 2.3 s), so integer keys
    /// are their own positions; positions only ever need to rise in key order.
    pub fn matching_keys(&self, spec: &ListSpec) -> Result<KeysQuery, ListError> {
        let (where_clause, binds) = self.where_clause(spec)?;
        let sql = &self.table().quoted;
        let id = qualified(&sql.id, self.db());
        let (from, text) = match self.db() {
            Db::Sqlite(_) => (sql.table.clone(), format!("CAST({id} AS TEXT)")),
            Db::Postgres(_) => (format!("{} AS t", sql.table), format!("{id}::text")),
        };
        let numbered_sql = format!(
            "SELECT row_number() OVER (ORDER BY {id}) - 1 AS position, {text} AS object_id \
             FROM {from}{where_clause}"
        );
        let sql = match (self.table().id_kind(), self.db()) {
            (IdKind::Integer, Db::Sqlite(_)) => format!(
                "SELECT {id} AS position, {text} AS object_id FROM {from}{where_clause} \
                 ORDER BY {id}"
            ),
            (IdKind::Integer, Db::Postgres(_)) => format!(
                "SELECT {id}::bigint AS position, {text} AS object_id FROM {from}{where_clause} \
                 ORDER BY {id}"
            ),
            _ => numbered_sql.clone(),
        };
        Ok(KeysQuery {
            sql,
            numbered_sql,
            binds,
        })
    }

    /// The rows with these keys (missing ones left out), by key.
    pub async fn read_many(&self, ids: &[ObjectId]) -> Result<Vec<StoredRow<O>>, ListError> {
        let table = self.table();
        let sql = &table.quoted;
        let keys: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| match id {
                ObjectId::Int(value) => serde_json::Value::from(*value),
                other => serde_json::Value::String(other.to_string()),
            })
            .collect();
        let document = serde_json::Value::Array(keys).to_string();
        let statement = match self.db() {
            Db::Sqlite(_) => format!("{} ORDER BY {}", table.sqlite.load_many, sql.id),
            Db::Postgres(_) => {
                let cast = match table.id_kind() {
                    IdKind::Integer => "::int8",
                    IdKind::Text | IdKind::Uuid => "",
                };
                format!(
                    "SELECT {} FROM {} AS t WHERE t.{} IN \
                     (SELECT value{cast} FROM json_array_elements_text($1::json) AS k(value)) \
                     ORDER BY t.{}",
                    table.postgres.select,
                    sql.table,
                    postgres_key_comparison(table.id_kind(), &sql.id),
                    sql.id
                )
            }
        };
        self.fetch_rows(&statement, vec![Bind::Text(document)])
            .await
    }

    async fn fetch_rows(
        &self,
        statement: &str,
        binds: Vec<Bind>,
    ) -> Result<Vec<StoredRow<O>>, ListError> {
        let table = self.table();
        let rows = with_pool!(self.db(), pool => {
            let mut query = sqlx::query(statement);
            for bind in binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text),
                    Bind::Integer(integer) => query.bind(integer),
                };
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter()
                .map(|row| decode_row(row, table))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// ` WHERE …` (or nothing) and its bound values, numbered from `$1`.
    fn where_clause(&self, spec: &ListSpec) -> Result<(String, Vec<Bind>), ListError> {
        let sql = &self.table().quoted;
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        let next_parameter = |binds: &mut Vec<Bind>, bind: Bind| {
            binds.push(bind);
            format!("${}", binds.len())
        };
        for filter in &spec.states {
            let column = self
                .table()
                .state_columns()
                .iter()
                .find(|state| state.name == filter.column)
                .ok_or_else(|| ListError::UnknownColumn(filter.column.clone()))?;
            let column = qualified(&quote(&column.name), self.db());
            if filter.states.is_empty() {
                conditions.push("1 = 0".to_owned());
            } else {
                let parameters: Vec<String> = filter
                    .states
                    .iter()
                    .map(|state| {
                        let bind = match state {
                            StoredState::Text(text) => Bind::Text(text.clone()),
                            StoredState::Integer(code) => Bind::Integer(*code),
                        };
                        next_parameter(&mut binds, bind)
                    })
                    .collect();
                conditions.push(format!("{column} IN ({})", parameters.join(", ")));
            }
        }
        if let Some(text) = spec
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let like = match self.db() {
                Db::Sqlite(_) => "LIKE",
                Db::Postgres(_) => "ILIKE",
            };
            let pattern = next_parameter(&mut binds, Bind::Text(like_pattern(text)));
            let mut alternatives = Vec::new();
            for column in &spec.search_columns {
                let declared = self.table().columns().iter().find(|c| &c.name == column);
                if declared.is_none_or(|c| c.kind != ColumnKind::Text) {
                    return Err(ListError::UnknownColumn(column.clone()));
                }
                alternatives.push(format!(
                    "{} {like} {pattern} ESCAPE '\\'",
                    qualified(&quote(column), self.db())
                ));
            }
            if let (IdKind::Integer, Ok(id)) = (self.table().id_kind(), text.parse::<i64>()) {
                let parameter = next_parameter(&mut binds, Bind::Integer(id));
                alternatives.push(format!("{} = {parameter}", qualified(&sql.id, self.db())));
            }
            if alternatives.is_empty() {
                conditions.push("1 = 0".to_owned());
            } else {
                conditions.push(format!("({})", alternatives.join(" OR ")));
            }
        }
        if let Some(after) = &spec.after {
            let bind = match (self.table().id_kind(), after) {
                (IdKind::Integer, ObjectId::Int(key)) => Bind::Integer(*key),
                (_, other) => Bind::Text(other.to_string()),
            };
            let parameter = next_parameter(&mut binds, bind);
            let id = qualified(&sql.id, self.db());
            let id = match (self.db(), self.table().id_kind()) {
                (Db::Postgres(_), IdKind::Text | IdKind::Uuid) => format!("{id}::text"),
                _ => id,
            };
            conditions.push(format!("{id} > {parameter}"));
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        Ok((clause, binds))
    }

    /// The SQL for a sortable column name: the key, the state column or a model column.
    fn column_sql(&self, name: &str) -> Result<String, ListError> {
        let table = self.table();
        let sql = &table.quoted;
        if name == "id" {
            return Ok(qualified(&sql.id, self.db()));
        }
        if name == "state" || name == table.state_column() {
            return Ok(qualified(&sql.state, self.db()));
        }
        if table.state_columns().iter().any(|state| state.name == name) {
            return Ok(qualified(&quote(name), self.db()));
        }
        if table.columns().iter().any(|column| column.name == name) {
            return Ok(qualified(&quote(name), self.db()));
        }
        Err(ListError::UnknownColumn(name.to_owned()))
    }
}

/// A quoted column as the backend's list statement names it (PostgreSQL reads through `t`).
fn qualified(column: &str, db: &Db) -> String {
    match db {
        Db::Sqlite(_) => column.to_owned(),
        Db::Postgres(_) => format!("t.{column}"),
    }
}

/// The key compared with a bound text or integer on PostgreSQL.
fn postgres_key_comparison(kind: IdKind, id: &str) -> String {
    match kind {
        IdKind::Integer => id.to_owned(),
        IdKind::Text | IdKind::Uuid => format!("{id}::text"),
    }
}

/// `%text%` with the pattern characters of `text` escaped by `\`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("Customer"), "%Customer%");
    }
}
