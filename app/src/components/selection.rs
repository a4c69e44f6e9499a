//! The list's bulk selection, two islands: "Select all on this page" checks every row's box,
//! and a live count says how many are selected, beside the bulk controls after the rows.
//! Without JavaScript the boxes are plain form fields and the count is not shown.

use leptos::{ev, prelude::*, wasm_bindgen::JsCast};

/// The header's box: checks or clears every row's box of the page.
#[island]
pub fn SelectPage() -> impl IntoView {
    let toggle = move |event: ev::Event| {
        let checked = event_target_checked(&event);
        for input in row_boxes() {
            input.set_checked(checked);
        }
    };
    view! {
        <input type="checkbox" aria-label="Select all on this page" on:change=toggle/>
    }
}

/// "N orders selected" (or "All N matching selected"), a polite live region kept up to
/// date as boxes change anywhere on the page.
#[island]
pub fn SelectionCount(singular: String, total: i64) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let count = move || {
        let all = document()
            .query_selector("input[name=all]:checked")
            .ok()
            .flatten()
            .is_some();
        let selected = row_boxes().iter().filter(|input| input.checked()).count();
        let noun = |n: usize| {
            if n == 1 {
                singular.clone()
            } else {
                format!("{singular}s")
            }
        };
        text.set(if all {
            format!("All {total} matching selected")
        } else {
            format!("{selected} {} selected", noun(selected))
        });
    };
    // In the browser only (effects do not run on the server): count what the browser kept,
    // then count again after every change, which bubbles up to the window.
    Effect::new(move |_| {
        count();
        let again = count.clone();
        let handle = window_event_listener(ev::change, move |_| again());
        on_cleanup(move || handle.remove());
    });
    view! { <p class="selection-count" role="status" aria-live="polite">{move || text.get()}</p> }
}

/// Every row's box on the page.
fn row_boxes() -> Vec<web_sys::HtmlInputElement> {
    let Ok(found) = document().query_selector_all("input[type=checkbox][name=id]") else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok())
        .collect()
}
