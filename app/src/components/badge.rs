//! A state shown as a coloured badge with its label.

use leptos::prelude::*;

use crate::admin::resource::summary::StateBadge;

/// The colours a state may declare; anything else is shown grey.
const COLOURS: [&str; 9] = [
    "grey", "blue", "purple", "green", "red", "orange", "teal", "black", "yellow",
];

/// A state's badge: its label on its declared colour.
#[component]
pub fn StateBadgeView(state: StateBadge) -> impl IntoView {
    let colour = if COLOURS.contains(&state.colour.as_str()) {
        state.colour
    } else {
        "grey".to_owned()
    };
    view! {
        <span class=format!("badge badge-{colour}") title=state.name>{state.label}</span>
    }
}
