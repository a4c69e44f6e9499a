//! `/:resource/diagram`: each state field's machine with the live count of every state, each
//! state linking to the list filtered by it, and the same as a table for screen readers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    admin::diagram::{
        api::read_diagram,
        types::{DiagramInput, DiagramView, FieldDiagramView},
    },
    components::{badge::StateBadgeView, messages::ErrorPanel},
};

/// The address of a resource's diagram page.
pub fn diagram_path(resource: &str) -> String {
    format!("/{resource}/diagram")
}

/// `/:resource/diagram`.
#[component]
pub fn DiagramPage() -> impl IntoView {
    let params = use_params_map();
    let diagram = Resource::new(
        move || {
            params.with(|p| DiagramInput {
                resource: p.get("resource").unwrap_or_default(),
            })
        },
        read_diagram,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match diagram.await {
                    Ok(view) => view! { <DiagramDetail view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DiagramDetail(view: DiagramView) -> impl IntoView {
    let DiagramView {
        resource,
        title,
        fields,
        shows_hidden,
    } = view;
    let heading = format!("{title}: state diagram");
    let several = fields.len() > 1;
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=format!("/{resource}")>{title.clone()}</a>
            " / " <span aria-current="page">"Diagram"</span>
        </nav>
        <h1 tabindex="-1" autofocus>{heading}</h1>
        <p class="muted">
            "Each state shows how many " {title.to_lowercase()} " are in it now; select a state to list them. "
            "Dashed arrows lead to a state chosen when the transition runs; dotted ones, to where a failure leads."
            {shows_hidden.then_some(" Grey dashed arrows are transitions hidden from the console, shown to you because you may configure them.")}
        </p>
        // Each diagram's view type is erased: nested whole, the page's type overflows the
        // compiler's query depth when building the browser bundle.
        {fields.into_iter().map(|field| view! { <FieldDiagram field several/> }.into_any()).collect_view()}
    }
}

#[component]
fn FieldDiagram(field: FieldDiagramView, several: bool) -> impl IntoView {
    let FieldDiagramView {
        name,
        label,
        svg,
        states,
        transitions,
    } = field;
    let heading_id = format!("diagram-{name}");
    let labelled_by = heading_id.clone();
    let heading = if several {
        label.clone()
    } else {
        "States and transitions".to_owned()
    };
    view! {
        <section class="card diagram-card" aria-labelledby=labelled_by data-field=name.clone()>
            <h2 id=heading_id>{heading}</h2>
            <div class="diagram-layout">
                // The drawing is built on the server from declared names and escaped text.
                <div class="diagram-drawing" inner_html=svg></div>
                <div class="diagram-text">
                    {view! {
                        <ul class="state-counts diagram-counts" aria-label=format!("{label} states")>
                            {states.into_iter().map(|row| view! {
                                <li class:zero=row.count == 0>
                                    <a href=row.href class="state-link"><StateBadgeView state=row.state/></a>
                                    <span class="count">{row.count}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()}
                    <table class="diagram-transitions">
                        <caption>{format!("{label} transitions")}</caption>
                        <thead><tr><th scope="col">"Transition"</th><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"On failure"</th></tr></thead>
                        <tbody>
                            {transitions.into_iter().map(|row| view! {
                                <tr class:hidden-transition=row.hidden>
                                    <th scope="row">{row.label}{row.hidden.then(|| view! { " " <span class="muted">"(hidden)"</span> })}</th>
                                    <td>{row.from}</td>
                                    <td>{row.to}</td>
                                    <td>{row.on_error.unwrap_or_else(|| "—".to_owned())}</td>
                                </tr>
                            }.into_any()).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}
