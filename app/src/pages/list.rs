//! A resource's list page: filters by state and state group, search, sortable columns and
//! pagination with the total, all held in the address so it can be shared and Back works.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};

use super::diagram::diagram_path;
use crate::{
    admin::{
        edit::types::edit_path,
        list::{
            api::list_objects,
            types::{ColumnHeader, ListInput, ListQuery, ListView},
        },
        object::types::object_path,
        settings::types::settings_path,
    },
    components::{
        badge::StateBadgeView,
        messages::{ErrorPanel, MessageArea},
        row_actions::{RowKey, RowStateCell},
        selection::{SelectPage, SelectionCount},
    },
};

/// The id of the bulk selection's form, which the rows' boxes name.
const BULK_FORM: &str = "bulk-selection";

/// `/:resource?state=…&group=…&q=…&sort=…&page=…`.
#[component]
pub fn ListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let resource = params.with(|p| p.get("resource").unwrap_or_default());
            let query = query
                .with(|q| ListQuery::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v))));
            ListInput { resource, query }
        },
        list_objects,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(view) => view! { <ListTable view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ListTable(view: ListView) -> impl IntoView {
    let ListView {
        resource,
        title,
        singular,
        query,
        columns,
        rows,
        total,
        page,
        page_count,
        page_size,
        by_cursor,
        next,
        previous,
        filters,
        groups,
        searchable,
        can_create,
        can_configure,
        message,
        bulk_actions,
        row_actions,
    } = view;
    let bulk = !bulk_actions.is_empty();
    let base = format!("/{resource}");
    let export_href = format!("{base}/export.csv{}", query.export_query_string());
    let here = query.to_query_string();
    let first_row = (u64::from(page) - 1) * u64::from(page_size) + 1;
    let last_row = (first_row + rows.len() as u64).saturating_sub(1);
    let plural = if total == 1 {
        singular.clone()
    } else {
        format!("{singular}s")
    };
    let summary = if rows.is_empty() {
        format!("No {singular} matches.")
    } else if by_cursor {
        // A page reached by cursor knows its rows, not how many come before them.
        format!("{} of {total} {plural}", rows.len())
    } else {
        format!("{first_row}–{last_row} of {total} {plural}")
    };
    let selected_group = query.group.clone().unwrap_or_default();
    let search = query.q.clone().unwrap_or_default();
    let sort = query.sort.clone().unwrap_or_default();
    let has_filters = query.is_filtered();
    let selected_states = query.states.clone();
    let header = |name: &str, label: &str, sortable: bool, numeric: bool| {
        view! { <SortHeader base=base.clone() query=query.clone() header=ColumnHeader {
            name: name.to_owned(), label: label.to_owned(), sortable, numeric,
        }/> }
    };
    let headers = std::iter::once(header("id", "ID", true, true))
        .chain(
            filters
                .iter()
                .map(|field| header(&field.name, &field.label, true, false)),
        )
        .chain(
            columns
                .iter()
                .map(|c| header(&c.name, &c.label, c.sortable, c.numeric)),
        )
        .collect_view();
    let numeric: Vec<bool> = columns.iter().map(|c| c.numeric).collect();
    let body = rows
        .into_iter()
        .map(|row| {
            let href = object_path(&resource, &row.id);
            let select = bulk.then(|| {
                let label = format!("Select {singular} {}", row.id);
                view! {
                    <td class="select">
                        <input type="checkbox" name="id" value=row.id.clone() aria-label=label
                            form=BULK_FORM/>
                    </td>
                }
            });
            let key = RowKey {
                resource: resource.clone(),
                id: row.id.clone(),
                list_query: here.trim_start_matches('?').to_owned(),
                singular: singular.clone(),
            };
            let states = (0..row.live.states.len())
                .map(|field| {
                    if row_actions {
                        let (key, live) = (key.clone(), row.live.clone());
                        view! { <td><RowStateCell key field live/></td> }.into_any()
                    } else {
                        let state = row.live.states[field].clone();
                        view! { <td><StateBadgeView state/></td> }.into_any()
                    }
                })
                .collect_view();
            let cells = row
                .cells
                .into_iter()
                .zip(numeric.iter().copied())
                .map(|(cell, numeric)| view! { <td class:numeric=numeric>{cell}</td> })
                .collect_view();
            view! {
                <tr>
                    {select}
                    <td class="numeric"><a href=href>{row.id}</a></td>
                    {states}
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let kept_filters = query.filter_pairs();
    // Erased to `AnyView`: one nested type for the whole page is past the compiler's limit.
    let table = view! {
        <div class="table-scroll">
            <table class="data list">
                <caption class="visually-hidden">{title.clone()}</caption>
                <thead>
                    <tr>
                        {bulk.then(|| view! {
                            <th scope="col" class="select"><SelectPage/></th>
                        })}
                        {headers}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any();
    let bulk_action = format!("{base}/bulk");
    let bar = bulk
        .then(|| {
            view! {
                <form id=BULK_FORM method="get" action=bulk_action class="bulk-bar" role="group"
                    aria-label="Selected rows">
                    <SelectionCount singular=singular.clone() total/>
                    <label>
                        "Action"
                        <select name="transition">
                            {bulk_actions.into_iter().map(|action| view! {
                                <option value=action.name>{action.label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="inline-check">
                        <input type="checkbox" name="all" value="1"/>
                        {format!("Select all matching ({total})")}
                    </label>
                    {kept_filters.into_iter().map(|(name, value)| view! {
                        <input type="hidden" name=name value=value/>
                    }).collect_view()}
                    <button type="submit" class="button">"Preview"</button>
                </form>
            }
        })
        .map(IntoAny::into_any);
    let filter_label = format!("Filter {title}");
    let clear_href = base.clone();
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/">"Home"</a> " / " <span aria-current="page">{title.clone()}</span></nav>
        <div class="page-heading">
            <h1 tabindex="-1" autofocus=message.is_none()>{title.clone()} <span class="count-total">{format!("{total} {plural}")}</span></h1>
            <div class="heading-actions">
                <a class="button subtle" href=diagram_path(&resource)>"Diagram"</a>
                <a class="button subtle" href=export_href download="">"Export CSV"</a>
                {can_configure.then(|| view! {
                    <a class="button subtle" href=settings_path(&resource)>"Transition settings"</a>
                })}
                {can_create.then(|| view! {
                    <a class="button primary" href=edit_path(&resource, "")>{format!("Add {singular}")}</a>
                })}
            </div>
        </div>
        <MessageArea message/>
        <Form method="GET" action=base.clone()>
            <div class="filters" role="search" aria-label=filter_label>
                {filters.into_iter().map(|field| {
                    let selected_state = selected_states.get(&field.name).cloned().unwrap_or_default();
                    view! {
                        <label>
                            {field.label}
                            <select name=field.name>
                                <option value="" selected=selected_state.is_empty()>"All states"</option>
                                {field.states.into_iter().map(|state| {
                                    let selected = state.name == selected_state;
                                    view! { <option value=state.name selected=selected>{state.label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                }).collect_view()}
                {(!groups.is_empty()).then(|| view! {
                    <label>
                        "Group"
                        <select name="group">
                            <option value="" selected=selected_group.is_empty()>"All groups"</option>
                            {groups.into_iter().map(|group| {
                                let selected = group.name == selected_group;
                                view! { <option value=group.name selected=selected>{group.label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                })}
                {searchable.then(|| view! {
                    <label>
                        "Search"
                        <input type="search" name="q" value=search.clone() placeholder="Text or ID"/>
                    </label>
                })}
                {(!sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=sort.clone()/> })}
                <button type="submit" class="button primary">"Filter"</button>
                {has_filters.then(|| view! { <a class="button subtle" href=clear_href>"Clear"</a> })}
            </div>
        </Form>
        <p class="muted list-summary" role="status">{summary}</p>
        // The rows' boxes belong to the bulk form after the table through their `form`
        // attribute, so the table holds no form and each row's buttons can be forms.
        {table}
        {bar}
        <Pagination base=base.clone() query=query.clone() page page_count by_cursor next previous/>
    }
}

/// A column header; a sortable one links to the list sorted by it (again: reversed).
#[component]
fn SortHeader(base: String, query: ListQuery, header: ColumnHeader) -> impl IntoView {
    let current = query.sort.clone().unwrap_or_default();
    let ascending = current == header.name;
    let descending = current.strip_prefix('-') == Some(header.name.as_str());
    let aria_sort = if ascending {
        "ascending"
    } else if descending {
        "descending"
    } else {
        "none"
    };
    let label = header.label.clone();
    let content = if header.sortable {
        let next = if ascending {
            format!("-{}", header.name)
        } else {
            header.name.clone()
        };
        let href = format!(
            "{base}{}",
            ListQuery {
                sort: Some(next),
                page: None,
                after: None,
                before: None,
                ..query
            }
            .to_query_string()
        );
        let arrow = if ascending {
            " ▲"
        } else if descending {
            " ▼"
        } else {
            ""
        };
        view! { <a href=href>{label}{arrow}</a> }.into_any()
    } else {
        view! { {label} }.into_any()
    };
    view! {
        <th scope="col" class:numeric=header.numeric aria-sort=header.sortable.then_some(aria_sort)>{content}</th>
    }
}

/// First, previous, next and last page links with "Page N of M". Next and previous follow
/// keyset cursors, so a page deep in a large list costs what the first one costs; the last
/// page is read backwards from the end.
#[component]
fn Pagination(
    base: String,
    query: ListQuery,
    page: u32,
    page_count: u32,
    by_cursor: bool,
    next: Option<ListQuery>,
    previous: Option<ListQuery>,
) -> impl IntoView {
    let link =
        |target: Option<ListQuery>, text: &'static str, rel: Option<&'static str>| match target {
            Some(target) => {
                let href = format!("{base}{}", target.to_query_string());
                view! { <a class="button subtle" href=href rel=rel>{text}</a> }.into_any()
            }
            None => {
                view! { <span class="button subtle" aria-disabled="true">{text}</span> }.into_any()
            }
        };
    let anchors = ListQuery {
        page: None,
        after: None,
        before: None,
        ..query.clone()
    };
    let on_first = previous.is_none();
    let on_last = next.is_none();
    let first = (!on_first).then(|| anchors.clone());
    let last = (!on_last).then(|| ListQuery {
        before: Some("end".to_owned()),
        ..anchors
    });
    let position = if by_cursor {
        format!("{page_count} pages")
    } else {
        format!("Page {page} of {page_count}")
    };
    view! {
        <nav class="pagination" aria-label="Pages">
            {link(first, "« First", None)}
            {link(previous, "‹ Previous", Some("prev"))}
            <span class="page-of">{position}</span>
            {link(next, "Next ›", Some("next"))}
            {link(last, "Last »", None)}
        </nav>
    }
}
