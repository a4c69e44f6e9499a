//! A state shown as a coloured badge with its label.

use leptos::prelude::*;

use crate::admin::resource::summary::StateBadge;

/// The colours a state may declare; anything else is shown grey.
const COLOURS: [&str; 9] = [
    "grey", "blue", "purple", "green", "red", "orange", "teal", "black", "yellow",
];

/// A state's badge: its label on its declared colour. The description (else the stored name)
/// is its title, which assistive technology reads as the badge's description.
#[component]
pub fn StateBadgeView(state: StateBadge) -> impl IntoView {
    let colour = if COLOURS.contains(&state.colour.as_str()) {
        state.colour
    } else {
        "grey".to_owned()
    };
    let title = if state.description.is_empty() {
        state.name
    } else {
        state.description
    };
    view! {
        <span class=format!("badge badge-{colour}") title=title>{state.label}</span>
    }
}
