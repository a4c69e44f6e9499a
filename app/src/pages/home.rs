//! The home page: every resource the user may view, with its count per state.

use leptos::prelude::*;
use leptos_meta::Title;

use super::diagram::diagram_path;
use crate::{
    admin::{
        paths::encode_component,
        resource::summary::{home_summary, ResourceSummary, StateCount},
    },
    components::{badge::StateBadgeView, layout::SessionResource},
};

/// Greets the operator and shows each resource's objects by state.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<SessionResource>().0;
    let summaries = Resource::new(|| (), |_| home_summary());
    view! {
        <Title text="Home"/>
        <h1 tabindex="-1" autofocus>"Home"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let name = session.await.ok().and_then(|info| info.user).map(|user| user.username);
                name.map(|name| view! { <p class="muted">"Logged in as " <strong>{name}</strong> "."</p> })
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="muted">"Loading resources…"</p> }>
            {move || Suspend::new(async move {
                match summaries.await {
                    Ok(summaries) if summaries.is_empty() => view! {
                        <section class="card">
                            <p class="empty">"There is no resource you may view. Ask an administrator for access."</p>
                        </section>
                    }.into_any(),
                    Ok(summaries) => summaries
                        .into_iter()
                        .map(|summary| view! { <ResourceCard summary/> })
                        .collect_view()
                        .into_any(),
                    Err(error) => view! {
                        <p class="message error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResourceCard(summary: ResourceSummary) -> impl IntoView {
    let heading_id = format!("resource-{}", summary.name);
    let labelled_by = heading_id.clone();
    let list = format!("/{}", summary.name);
    let several_fields = summary.fields.len() > 1;
    let diagram_link = format!("{} state diagram", summary.title);
    view! {
        <section class="card resource-card" aria-labelledby=labelled_by>
            <h2 id=heading_id>
                <a href=list.clone()>{summary.title}</a>
                <span class="count-total">{format!("{} in all", summary.total)}</span>
            </h2>
            <p class="resource-links"><a href=diagram_path(&summary.name)>{diagram_link}</a></p>
            {summary.fields.into_iter().map(|field| {
                let several = several_fields;
                let field_list = list.clone();
                view! {
                    {several.then(|| view! { <h3 class="field-heading">{field.label.clone()}</h3> })}
                    <ul class="state-counts" aria-label=format!("{} states", field.label)>
                        {field.states.into_iter().map(|StateCount { state, count }| {
                            let href = format!("{field_list}?{}={}", field.name, encode_component(&state.name));
                            view! {
                                <li class:zero=count == 0>
                                    <a href=href class="state-link"><StateBadgeView state/></a>
                                    <span class="count">{count}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(!field.groups.is_empty()).then(|| view! {
                        <div class="group-row">
                            <span class="group-caption" aria-hidden="true">"Groups"</span>
                            <ul class="group-counts" aria-label=format!("{} groups", field.label)>
                                {field.groups.into_iter().map(|group| {
                                    let href = format!("{field_list}?group={}", encode_component(&group.name));
                                    view! {
                                        <li class:zero=group.count == 0>
                                            <a href=href class="group-link">{group.label}</a>
                                            <span class="count">{group.count}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    })}
                }
            }).collect_view()}
        </section>
    }
}
