//! What the list page shows and sends: plain serializable data, the same on the server and
//! in the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::admin::{
    bulk::types::BulkAction, flash::Message, object::types::ActionView, paths::encode_component,
    resource::summary::StateBadge,
};

/// Which list page to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListInput {
    /// The resource's name.
    pub resource: String,
    /// Filters, search, sort and page.
    #[serde(default)]
    pub query: ListQuery,
}

/// A list page's query string: `?state=new&q=smith&sort=-amount_cents&page=2`, or with
/// several state fields `?step=draft&review=pending`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Per state field (the parameter is the field's name): only objects in this state.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub states: BTreeMap<String, String>,
    /// Only objects in this state group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Search text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A sortable column's name, `-` first for descending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// The page, from 1 (read with an offset: for bookmarks and the first pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// A keyset cursor: the page of rows that come after this one in the sort order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// A keyset cursor: the page of rows that come before this one (`end`: the last page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// Query parameters that are not state fields' filters; a state field may not take these names.
pub const RESERVED_PARAMETERS: [&str; 9] = [
    "group",
    "q",
    "sort",
    "page",
    "after",
    "before",
    "all",
    "transition",
    "id",
];

impl ListQuery {
    /// The query of a list (or bulk) address from its parameters: every parameter that is not
    /// reserved filters the state field it names (empty values are left out).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ListQuery {
        let mut query = ListQuery::default();
        for (key, value) in pairs {
            if value.is_empty() {
                continue;
            }
            let owned = Some(value.to_owned());
            match key {
                "group" => query.group = owned,
                "q" => query.q = owned,
                "sort" => query.sort = owned,
                "page" => query.page = value.parse().ok(),
                "after" => query.after = owned,
                "before" => query.before = owned,
                key if RESERVED_PARAMETERS.contains(&key) => {}
                field => {
                    query.states.insert(field.to_owned(), value.to_owned());
                }
            }
        }
        query
    }

    /// The filters and the search (what "select all matching" keeps), as parameters.
    pub fn filter_pairs(&self) -> Vec<(String, String)> {
        self.states
            .iter()
            .map(|(field, state)| (field.clone(), state.clone()))
            .chain(
                [("group", &self.group), ("q", &self.q)]
                    .into_iter()
                    .filter_map(|(key, value)| value.clone().map(|v| (key.to_owned(), v))),
            )
            .filter(|(_, value)| !value.is_empty())
            .collect()
    }

    /// Whether any filter or search is set.
    pub fn is_filtered(&self) -> bool {
        !self.filter_pairs().is_empty()
    }

    /// The query string of this list's CSV export: its filters, search and sort, every page.
    pub fn export_query_string(&self) -> String {
        ListQuery {
            page: None,
            after: None,
            before: None,
            ..self.clone()
        }
        .to_query_string()
    }

    /// The query string for this query (empty members left out), starting with `?` unless empty.
    pub fn to_query_string(&self) -> String {
        let mut pairs = self.filter_pairs();
        pairs.extend(
            [
                ("sort", self.sort.clone()),
                (
                    "page",
                    self.page.filter(|page| *page > 1).map(|p| p.to_string()),
                ),
                ("after", self.after.clone()),
                ("before", self.before.clone()),
            ]
            .into_iter()
            .filter_map(|(key, value)| {
                value.filter(|v| !v.is_empty()).map(|v| (key.to_owned(), v))
            }),
        );
        if pairs.is_empty() {
            return String::new();
        }
        let encoded: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode_component(&value)))
            .collect();
        format!("?{}", encoded.join("&"))
    }
}

/// One column header of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnHeader {
    /// The name used in `sort=`.
    pub name: String,
    /// The header text.
    pub label: String,
    /// Whether the header sorts the list.
    pub sortable: bool,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

/// One list row: the key, each state field's state, and the declared columns' values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// The key, as it appears in the object's address.
    pub id: String,
    /// Each state field's state and row buttons, and the row's version (`version`,
    /// `states` and `actions` beside `id` when serialized).
    #[serde(flatten)]
    pub live: RowLive,
    /// The declared columns' values, in header order.
    pub cells: Vec<String>,
}

/// What a row's transitions change: its version, each state field's state, and the row
/// actions the user may fire now (per field, in field order; empty when the resource has
/// no row actions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowLive {
    /// The version the row's buttons fire with.
    pub version: i64,
    /// Each state field's state, in field order.
    pub states: Vec<StateBadge>,
    /// Each state field's available row actions, in field order.
    pub actions: Vec<Vec<ActionView>>,
}

/// A row action fired from a list: the outcome's sentence and the row as it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowFired {
    /// What happened, naming the transition by its label.
    pub message: Message,
    /// The row after the transition.
    pub row: RowLive,
}

/// A state field's filter: its parameter, its label and the states it offers. (Counts are on
/// the home page: counting every state on each list page would cost a scan of the table.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldFilter {
    /// The field's name, the filter's parameter (`step`).
    pub name: String,
    /// Its label ("Step"), also the badge column's header.
    pub label: String,
    /// Every declared state, then the filtered value when the machine does not declare it.
    pub states: Vec<StateBadge>,
}

/// A state group offered as a filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOption {
    /// The group's name, used in `group=`.
    pub name: String,
    /// Its label.
    pub label: String,
}

/// A list page: the rows of one page, the total, and what the filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListView {
    /// The resource's name (`orders`).
    pub resource: String,
    /// Its title (`Orders`).
    pub title: String,
    /// The singular noun for one object (`order`).
    pub singular: String,
    /// The query as understood (unknown states or sorts are refused before this is built).
    pub query: ListQuery,
    /// The declared columns after the key and the state.
    pub columns: Vec<ColumnHeader>,
    /// The rows of this page.
    pub rows: Vec<ListRow>,
    /// Objects matching the filters.
    pub total: i64,
    /// This page, from 1.
    pub page: u32,
    /// Pages in all (at least 1).
    pub page_count: u32,
    /// Whether this page was read by a keyset cursor, so its number is not known.
    #[serde(default)]
    pub by_cursor: bool,
    /// The query of the next page (a keyset cursor after this page's last row), if any.
    #[serde(default)]
    pub next: Option<ListQuery>,
    /// The query of the previous page (a cursor before this page's first row), if any.
    #[serde(default)]
    pub previous: Option<ListQuery>,
    /// Rows per page.
    pub page_size: u32,
    /// Each state field's filter, in field order (also the badge columns).
    pub filters: Vec<FieldFilter>,
    /// Every state group of every field, for the group filter.
    pub groups: Vec<GroupOption>,
    /// Whether search is offered (the resource declares search columns).
    pub searchable: bool,
    /// Whether this user may create objects.
    pub can_create: bool,
    /// Whether the user may open the transition settings.
    pub can_configure: bool,
    /// A message left by the previous action (a deletion).
    pub message: Option<Message>,
    /// The transitions this user may run over a selection, for the "Action" chooser.
    pub bulk_actions: Vec<BulkAction>,
    /// Whether the rows carry transition buttons (the resource's `row_actions`).
    #[serde(default)]
    pub row_actions: bool,
}
