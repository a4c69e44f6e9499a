//! An object's full history: every audit row, newest first.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::object::capitalised;
use crate::{
    admin::object::{
        api::history_page,
        types::{object_path, HistoryView, ObjectInput},
    },
    components::{badge::StateBadgeView, history_table::HistoryTable, messages::ErrorPanel},
};

/// `/:resource/:id/history`.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let params = use_params_map();
    let history = Resource::new(
        move || {
            params.with(|p| ObjectInput {
                resource: p.get("resource").unwrap_or_default(),
                id: p.get("id").unwrap_or_default(),
            })
        },
        history_page,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(view) => view! { <HistoryDetail view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn HistoryDetail(view: HistoryView) -> impl IntoView {
    let HistoryView {
        resource,
        title,
        singular,
        id,
        states,
        entries,
        truncated,
    } = view;
    let name = format!("{} {id}", capitalised(&singular));
    let heading = format!("History of {name}");
    let count = entries.len();
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=format!("/{resource}")>{title}</a>
            " / " <a href=object_path(&resource, &id)>{name.clone()}</a>
        </nav>
        <h1 tabindex="-1" autofocus>{heading.clone()}</h1>
        <p class="object-state">"Currently " {states.into_iter().map(|state| view! { <StateBadgeView state/> " " }).collect_view()}</p>
        <section class="card">
            <HistoryTable entries caption=heading/>
            {truncated.then(|| view! { <p class="muted">{format!("Showing the newest {count} rows.")}</p> })}
        </section>
    }
}
