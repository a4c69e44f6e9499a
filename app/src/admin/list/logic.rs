//! The list of a [`MachineResource`]: which stored states a query keeps, its sort, and one
//! page of rows through the store, with what the filters and the bulk menu offer.

use async_trait::async_trait;
use switchyard_engine::{Actor, StoredState};

use super::types::{ColumnHeader, GroupOption, ListQuery, ListRow, ListView};
use crate::{
    admin::{
        resource::{options::parse_sort, AdminResource, MachineResource},
        settings::SettingsFeature,
    },
    db::{
        list::{Direction, ListError, ListSpec},
        Db, SqlModel,
    },
    error::AppError,
};

/// The list page of a resource.
#[async_trait]
pub trait ListFeature: Send + Sync {
    /// One page of the list, as `actor` sees it.
    async fn list(&self, db: &Db, query: &ListQuery, actor: &Actor) -> Result<ListView, AppError>;
}

#[async_trait]
impl<O: SqlModel> ListFeature for MachineResource<O> {
    async fn list(&self, db: &Db, query: &ListQuery, actor: &Actor) -> Result<ListView, AppError> {
        let states = self.state_filter(query)?;
        let order = self.sort(query)?;
        let page_size = self.options.page_size;
        let page = query.page.unwrap_or(1).max(1);
        let spec = ListSpec {
            states,
            search: search_text(query)?,
            search_columns: self.options.search.clone(),
            order,
            limit: page_size,
            offset: u64::from(page - 1) * u64::from(page_size),
            after: None,
        };
        let found = self.store(db).list(&spec).await.map_err(list_failure)?;
        let rows = found
            .rows
            .iter()
            .map(|row| ListRow {
                id: row.id.to_string(),
                state: self.stored_badge(&row.state),
                cells: self
                    .options
                    .columns
                    .iter()
                    .map(|column| (column.display)(&row.object))
                    .collect(),
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
                page: Some(page),
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
            states: self.states(),
            groups: self
                .machine
                .groups()
                .iter()
                .map(|group| GroupOption {
                    name: group.name.clone(),
                    label: group.label.clone(),
                })
                .collect(),
            searchable: !self.options.search.is_empty(),
            can_create: self.can_create(actor),
            can_configure: self.can_configure(actor),
            message: None,
            bulk_actions: self.bulk_actions(actor, &self.visibility(db).await?),
        })
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// The stored states a list query keeps, or `None` for all; unknown names are refused.
    pub(crate) fn state_filter(
        &self,
        query: &ListQuery,
    ) -> Result<Option<Vec<StoredState>>, AppError> {
        let by_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
            Some(name) => {
                let state = self
                    .machine
                    .state(name)
                    .ok_or_else(|| AppError::Invalid(format!("There is no state `{name}`.")))?;
                Some(self.machine.encode_state(&state.name))
            }
            None => None,
        };
        let by_group =
            match query.group.as_deref().filter(|g| !g.is_empty()) {
                Some(name) => Some(self.machine.group_filter(name).ok_or_else(|| {
                    AppError::Invalid(format!("There is no state group `{name}`."))
                })?),
                None => None,
            };
        Ok(match (by_state, by_group) {
            (None, None) => None,
            (Some(state), None) => Some(vec![state]),
            (None, Some(group)) => Some(group),
            (Some(state), Some(group)) => Some(group.into_iter().filter(|s| *s == state).collect()),
        })
    }

    /// The sort a list query asks for, refused unless it names a sortable column.
    fn sort(&self, query: &ListQuery) -> Result<(String, Direction), AppError> {
        let Some(raw) = query.sort.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(self.options.ordering.clone());
        };
        let (name, direction) = parse_sort(raw);
        let sortable = name == "id"
            || name == "state"
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

fn list_failure(error: ListError) -> AppError {
    AppError::internal(error)
}
