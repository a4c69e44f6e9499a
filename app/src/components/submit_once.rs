//! Forms that send once, an island around them: a second submit while the first is on its
//! way (a double click, an impatient Enter) is dropped, so the page the first one leads to
//! shows its outcome rather than a conflict with itself. Without JavaScript the server's
//! compare-and-set on the version still lets only the first one through.

use leptos::{ev, prelude::*};

/// Its children's forms submit once per page load (again after Back restores the page).
#[island]
pub fn SubmitOnce(children: Children) -> impl IntoView {
    let sent = RwSignal::new(false);
    // A page restored by Back comes from the browser's cache with the flag still set.
    let handle = window_event_listener(ev::pageshow, move |_| sent.set(false));
    on_cleanup(move || handle.remove());
    let once = move |event: ev::SubmitEvent| {
        if sent.get_untracked() {
            event.prevent_default();
        } else {
            sent.set(true);
        }
    };
    view! { <div class="submit-once" on:submit=once aria-busy=move || sent.get().then_some("true")>{children()}</div> }
}
