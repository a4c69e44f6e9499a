//! An object's audit rows as a table: time, actor, transition, states, outcome, arguments.

use leptos::prelude::*;

use crate::{admin::object::types::HistoryEntry, components::badge::StateBadgeView};

/// The history rows, newest first; `caption` names the table for screen readers.
#[component]
pub fn HistoryTable(entries: Vec<HistoryEntry>, caption: String) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">"No transition has been made yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="data history">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"When (UTC)"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Transition"</th>
                        <th scope="col">"From → to"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Arguments"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|entry| view! { <HistoryRow entry/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn HistoryRow(entry: HistoryEntry) -> impl IntoView {
    let when = entry.at.replace('T', " ").trim_end_matches('Z').to_owned();
    let when = when.split('.').next().unwrap_or_default().to_owned();
    let outcome = match &entry.error {
        None => view! { <span class="outcome completed">"Completed"</span> }.into_any(),
        Some(error) => view! {
            <span class="outcome failed">"Failed: " {error.clone()}</span>
        }
        .into_any(),
    };
    let arguments = (entry.arguments != "null").then(|| entry.arguments.clone());
    view! {
        <tr>
            <td><time datetime=entry.at.clone()>{when}</time></td>
            <td>{entry.actor}</td>
            <td>
                {entry.transition}
                {entry.field.map(|field| view! { " " <span class="field-name">{format!("({field})")}</span> })}
                {entry.description.map(|text| view! { <div class="muted">{text}</div> })}
            </td>
            <td class="states">
                <StateBadgeView state=entry.source/>
                " → "
                {match entry.target {
                    Some(target) => view! { <StateBadgeView state=target/> }.into_any(),
                    None => view! { <span class="muted">"unchanged"</span> }.into_any(),
                }}
            </td>
            <td>{outcome}</td>
            <td>{arguments.map(|json| view! { <code class="arguments">{json}</code> })}</td>
        </tr>
    }
}
