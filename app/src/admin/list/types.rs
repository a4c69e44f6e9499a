//! What the list page shows and sends: plain serializable data, the same on the server and
//! in the browser.

use serde::{Deserialize, Serialize};

use crate::admin::{
    bulk::types::BulkAction, flash::Message, paths::encode_component, resource::summary::StateBadge,
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

/// A list page's query string: `?state=new&q=smith&sort=-amount_cents&page=2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Only objects in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Only objects in this state group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Search text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A sortable column's name, `-` first for descending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// The page, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

impl ListQuery {
    /// The query string for this query (empty members left out), starting with `?` unless empty.
    pub fn to_query_string(&self) -> String {
        let pairs: Vec<(&str, String)> = [
            ("state", self.state.clone()),
            ("group", self.group.clone()),
            ("q", self.q.clone()),
            ("sort", self.sort.clone()),
            (
                "page",
                self.page.filter(|page| *page > 1).map(|p| p.to_string()),
            ),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.filter(|v| !v.is_empty()).map(|v| (key, v)))
        .collect();
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

/// One list row: the key, the state, and the declared columns' display values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// The key, as it appears in the object's address.
    pub id: String,
    /// The state.
    pub state: StateBadge,
    /// The declared columns' values, in header order.
    pub cells: Vec<String>,
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
    /// Rows per page.
    pub page_size: u32,
    /// Every state, for the state filter.
    pub states: Vec<StateBadge>,
    /// Every state group, for the group filter.
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
}
