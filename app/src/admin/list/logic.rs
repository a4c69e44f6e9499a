//! The list of a [`MachineResource`]: which stored states a query keeps, its sort, and one
//! page of rows through the store, with what the filters and the bulk menu offer.

use async_trait::async_trait;
use switchyard_engine::Actor;

use super::types::{ColumnHeader, FieldFilter, GroupOption, ListQuery, ListRow, ListView, RowLive};
use crate::{
    admin::{
        resource::{options::parse_sort, Loaded, MachineResource, StateLabels},
        settings::{visibility::Visibility, SettingsFeature},
    },
    db::{
        list::{Direction, ListError, ListRows, ListSpec, Seek, SortKey, StateFilter},
        Db, SqlModel,
    },
    error::AppError,
};

/// The list page of a resource.
#[async_trait]
pub trait ListFeature: Send + Sync {
    /// One page of the list, as `actor` sees it.
    async fn list(&self, db: &Db, query: &ListQuery, actor: &Actor) -> Result<ListView, AppError>;
    /// One row as the list shows it to `actor` now (after a row action).
    async fn list_row(&self, db: &Db, id: &str, actor: &Actor) -> Result<RowLive, AppError>;
}

#[async_trait]
impl<O: SqlModel> ListFeature for MachineResource<O> {
    async fn list(&self, db: &Db, query: &ListQuery, actor: &Actor) -> Result<ListView, AppError> {
        let order = self.sort(query)?;
        let page_size = self.options.page_size;
        let mut page = query.page.unwrap_or(1).max(1);
        let store = self.store(db);
        let by_cursor = store.pages_by_cursor(&order.0);
        let mut seek = if by_cursor { seek_of(query)? } else { None };
        let offset = u64::from(page - 1) * u64::from(page_size);
        let mut spec = self
            .list_spec(db, query, order, (page_size, offset), seek.clone())
            .await?;
        let mut found = store.list(&spec).await.map_err(list_failure)?;
        let short = found.rows.len() < usize::try_from(page_size).unwrap_or(usize::MAX);
        if matches!(seek, Some(Seek::Before(_))) && !found.more && short {
            // Paging back reached the start with a short page: show the first page whole.
            (seek, page, spec.seek, spec.offset) = (None, 1, None, 0);
            found = store.list(&spec).await.map_err(list_failure)?;
        }
        let (next, previous) = neighbours(query, page, seek.as_ref(), &found, by_cursor);
        let labels = self.state_labels(db).await?;
        let rule = self.visibility(db).await?;
        let rows = found
            .rows
            .into_iter()
            .zip(found.other_states)
            .map(|(row, others)| {
                let loaded = self.decode(row, others);
                let first = loaded.first();
                ListRow {
                    id: first.id().to_string(),
                    live: self.row_live(&loaded, &labels, actor, &rule),
                    cells: self.cells(first.object()),
                }
            })
            .collect();
        let page_count =
            u32::try_from((found.total + i64::from(page_size) - 1) / i64::from(page_size))
                .unwrap_or(u32::MAX)
                .max(1);
        Ok(ListView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            query: ListQuery {
                page: seek.is_none().then_some(page),
                ..query.clone()
            },
            columns: self
                .options
                .columns
                .iter()
                .map(|column| ColumnHeader {
                    name: column.name.clone(),
                    label: column.label.clone(),
                    sortable: column.sortable,
                    numeric: column.numeric,
                })
                .collect(),
            rows,
            total: found.total,
            page,
            page_count,
            page_size,
            by_cursor: seek.is_some(),
            next,
            previous,
            filters: self
                .fields
                .iter()
                .map(|field| FieldFilter {
                    name: field.name().to_owned(),
                    label: field.label.clone(),
                    states: field
                        .machine
                        .states()
                        .iter()
                        .map(|state| state.name.as_str())
                        .chain(
                            query
                                .states
                                .get(field.name())
                                .map(String::as_str)
                                .filter(|name| field.machine.state(name).is_none()),
                        )
                        .map(|name| self.badge(field, name, &labels))
                        .collect(),
                })
                .collect(),
            groups: self
                .fields
                .iter()
                .flat_map(|field| field.machine.groups())
                .map(|group| GroupOption {
                    name: group.name.clone(),
                    label: group.label.clone(),
                })
                .collect(),
            searchable: !self.options.search.is_empty(),
            can_create: self.can_create(actor),
            can_configure: self.can_configure(actor),
            message: None,
            bulk_actions: self.bulk_actions(actor, &rule),
            row_actions: !self.options.row_actions.is_empty(),
        })
    }

    async fn list_row(&self, db: &Db, id: &str, actor: &Actor) -> Result<RowLive, AppError> {
        let loaded = self.load(db, id).await?;
        let labels = self.state_labels(db).await?;
        let rule = self.visibility(db).await?;
        Ok(self.row_live(&loaded, &labels, actor, &rule))
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// A row's version, states and the row actions `actor` may fire on it now: the object
    /// page's buttons (one query of the engine's availability) narrowed to the declared row
    /// actions, leaving out the ones shown disabled there.
    fn row_live(
        &self,
        loaded: &Loaded<O>,
        labels: &StateLabels,
        actor: &Actor,
        rule: &Visibility<O>,
    ) -> RowLive {
        let offered = &self.options.row_actions;
        let actions = if offered.is_empty() {
            Vec::new()
        } else {
            self.fields
                .iter()
                .zip(&loaded.rows)
                .map(|(field, row)| {
                    self.actions(field, row, actor, rule)
                        .into_iter()
                        .filter(|action| {
                            action.disabled_reason.is_none() && offered.contains(&action.name)
                        })
                        .collect()
                })
                .collect()
        };
        RowLive {
            version: loaded.first().version().get(),
            states: self.badges(loaded, labels),
            actions,
        }
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// One object's values of the list's columns, in header order (the page and the export).
    pub(crate) fn cells(&self, object: &O) -> Vec<String> {
        self.options
            .columns
            .iter()
            .map(|column| (column.display)(object))
            .collect()
    }

    /// What reading a list query takes: its state filters and search, the sort `order` (from
    /// [`MachineResource::sort`]), `limit` rows from `offset` or from `seek`.
    pub(crate) async fn list_spec(
        &self,
        db: &Db,
        query: &ListQuery,
        order: (String, Direction),
        (limit, offset): (u32, u64),
        seek: Option<Seek>,
    ) -> Result<ListSpec, AppError> {
        Ok(ListSpec {
            states: self.state_filter(db, query).await?,
            search: search_text(query)?,
            search_columns: self.options.search.clone(),
            order,
            limit,
            offset,
            after: None,
            seek,
        })
    }

    /// The state filters a list query asks for: one per field filtered, and the group's.
    /// A filter naming no state field, or a value that cannot be stored in it, is refused; a
    /// value the machine does not declare is kept when some row holds it (a retired state,
    /// found with one indexed probe), and refused otherwise, as a typo.
    pub(crate) async fn state_filter(
        &self,
        db: &Db,
        query: &ListQuery,
    ) -> Result<Vec<StateFilter>, AppError> {
        let mut filters = Vec::new();
        for (name, value) in query.states.iter().filter(|(_, v)| !v.is_empty()) {
            // Refused before any query: PostgreSQL rejects a NUL in a bound text.
            if value.chars().any(char::is_control) {
                return Err(AppError::Invalid(
                    "A state filter may not hold control characters.".to_owned(),
                ));
            }
            let field = self.field_named(name).ok_or_else(|| {
                let known: Vec<&str> = self.fields.iter().map(|f| f.name()).collect();
                AppError::Invalid(format!(
                    "There is no state field `{}`; the filters are {}.",
                    quoted(name),
                    known.join(", ")
                ))
            })?;
            let unknown = || {
                AppError::Invalid(format!(
                    "There is no {} `{}`.",
                    field.label.to_lowercase(),
                    quoted(value)
                ))
            };
            let stored = field.filter_value(value).ok_or_else(unknown)?;
            if field.machine.state(value).is_none() {
                let held = self
                    .store_of(field, db)
                    .holds_state(field.name(), &stored)
                    .await
                    .map_err(list_failure)?;
                if !held {
                    return Err(unknown());
                }
            }
            filters.push(StateFilter {
                column: field.name().to_owned(),
                states: vec![stored],
            });
        }
        if let Some(name) = query.group.as_deref().filter(|g| !g.is_empty()) {
            let (field, members) = self
                .fields
                .iter()
                .find_map(|field| Some((field, field.machine.group_filter(name)?)))
                .ok_or_else(|| {
                    AppError::Invalid(format!("There is no state group `{}`.", quoted(name)))
                })?;
            filters.push(StateFilter {
                column: field.name().to_owned(),
                states: members,
            });
        }
        Ok(filters)
    }

    /// The sort a list query asks for, refused unless it names a sortable column.
    pub(crate) fn sort(&self, query: &ListQuery) -> Result<(String, Direction), AppError> {
        let Some(raw) = query.sort.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(self.options.ordering.clone());
        };
        let (name, direction) = parse_sort(raw);
        let sortable = name == "id"
            || name == "state"
            || self.field_named(&name).is_some()
            || self
                .options
                .columns
                .iter()
                .any(|column| column.sortable && column.name == name);
        if sortable {
            Ok((name, direction))
        } else {
            Err(AppError::Invalid(format!(
                "The list cannot be sorted by `{name}`."
            )))
        }
    }
}

/// A parameter as a refusal quotes it: at most 64 characters, control characters escaped,
/// so nothing a request sends reaches a page or a log line raw.
pub(crate) fn quoted(text: &str) -> String {
    text.chars().take(64).flat_map(char::escape_debug).collect()
}

/// The longest search, in characters: far beyond any name or number, short of a scan of
/// every text column for a page of text.
pub(crate) const SEARCH_MAX: usize = 200;

/// The search a list query asks for, refused when it is longer than [`SEARCH_MAX`] or holds
/// a control character.
pub(crate) fn search_text(query: &ListQuery) -> Result<Option<String>, AppError> {
    let Some(text) = query.q.as_deref() else {
        return Ok(None);
    };
    if text.chars().count() > SEARCH_MAX {
        return Err(AppError::Invalid(format!(
            "The search is too long: at most {SEARCH_MAX} characters."
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::Invalid(
            "The search may not hold control characters.".to_owned(),
        ));
    }
    Ok(Some(text.to_owned()))
}

pub(crate) fn list_failure(error: ListError) -> AppError {
    match error {
        ListError::BadCursor => AppError::Invalid(
            "This page's cursor does not fit the list's sort; start again from the first page."
                .to_owned(),
        ),
        other => AppError::internal(other),
    }
}

/// The longest cursor, in characters: a key and a sort value no longer than a search.
const CURSOR_MAX: usize = 240;

/// A keyset cursor as the address carries it: `KEY` when the list is sorted by its key,
/// `KEY:VALUE` otherwise (the value after the first colon, whatever it holds).
pub(crate) fn cursor_text(place: &SortKey) -> String {
    match &place.value {
        Some(value) => format!("{}:{value}", place.id),
        None => place.id.to_string(),
    }
}

pub(crate) fn parse_cursor(text: &str) -> Result<SortKey, AppError> {
    let invalid = || {
        AppError::Invalid(format!(
            "The page cursor `{}` is not valid; start again from the first page.",
            quoted(text)
        ))
    };
    if text.chars().count() > CURSOR_MAX || text.chars().any(char::is_control) {
        return Err(invalid());
    }
    let (id, value) = match text.split_once(':') {
        Some((id, value)) => (id, Some(value.to_owned())),
        None => (text, None),
    };
    let id = id.parse().map_err(|_| invalid())?;
    Ok(SortKey { value, id })
}

/// Where a query's page starts when it names a cursor (`after` wins over `before`).
fn seek_of(query: &ListQuery) -> Result<Option<Seek>, AppError> {
    if let Some(after) = query.after.as_deref().filter(|a| !a.is_empty()) {
        return parse_cursor(after).map(|place| Some(Seek::After(place)));
    }
    match query.before.as_deref().filter(|b| !b.is_empty()) {
        Some("end") => Ok(Some(Seek::End)),
        Some(before) => parse_cursor(before).map(|place| Some(Seek::Before(place))),
        None => Ok(None),
    }
}

/// The queries of the next and previous pages: keyset cursors after the last row and
/// before the first when the sort allows them, page numbers otherwise.
fn neighbours<O>(
    query: &ListQuery,
    page: u32,
    seek: Option<&Seek>,
    found: &ListRows<O>,
    by_cursor: bool,
) -> (Option<ListQuery>, Option<ListQuery>) {
    let base = ListQuery {
        page: None,
        after: None,
        before: None,
        ..query.clone()
    };
    let backwards = matches!(seek, Some(Seek::Before(_) | Seek::End));
    let has_next = if backwards {
        !matches!(seek, Some(Seek::End))
    } else {
        found.more
    };
    let has_previous = match seek {
        None => page > 1,
        Some(Seek::After(_)) => true,
        Some(Seek::Before(_) | Seek::End) => found.more,
    };
    let (first, last) = (found.sort_keys.first(), found.sort_keys.last());
    let next = match (has_next, by_cursor, last) {
        (false, _, _) => None,
        (true, true, Some(last)) => Some(ListQuery {
            after: Some(cursor_text(last)),
            ..base.clone()
        }),
        (true, _, _) => Some(ListQuery {
            page: Some(page + 1),
            ..base.clone()
        }),
    };
    let previous = match (has_previous, by_cursor, first) {
        (false, _, _) => None,
        // The page before page 2 is the first page, which needs no cursor.
        (true, _, _) if seek.is_none() && page == 2 => Some(base),
        (true, true, Some(first)) => Some(ListQuery {
            before: Some(cursor_text(first)),
            ..base
        }),
        (true, _, _) => Some(ListQuery {
            page: Some(page.saturating_sub(1).max(1)),
            ..base
        }),
    };
    (next, previous)
}
