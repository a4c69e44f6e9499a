//! The console's help: a button and the `?` key open a modal dialog of keyboard shortcuts,
//! with the links to the API's reference and the user's API tokens.
//! An island: without JavaScript the button does nothing (the help's links are in README too).

use leptos::{ev, html, prelude::*};

/// Opens the list of keyboard shortcuts.
#[island]
pub fn ShortcutsDialog() -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let open = move || {
        if let Some(dialog) = dialog.get() {
            // Fails only when the dialog is already open, which is fine.
            let _ = dialog.show_modal();
        }
    };

    // `?` opens the help unless the user is typing into a field.
    let handle = window_event_listener(ev::keydown, move |event| {
        if event.key() == "?" && !typing_in_a_field() {
            event.prevent_default();
            open();
        }
    });
    on_cleanup(move || handle.remove());

    view! {
        <button type="button" class="button subtle" aria-haspopup="dialog" on:click=move |_| open()>
            "Keyboard shortcuts"
        </button>
        <dialog node_ref=dialog class="dialog" aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <dl class="shortcuts">
                <dt><kbd>"?"</kbd></dt>
                <dd>"Show this help"</dd>
                <dt><kbd>"Tab"</kbd></dt>
                <dd>"Move between links, buttons and fields"</dd>
                <dt><kbd>"Esc"</kbd></dt>
                <dd>"Close this dialog"</dd>
            </dl>
            <h3>"For programs"</h3>
            <p>
                "Scripts use the automation API with a personal token, acting with your "
                "permissions: "
                <a href="/api/v1/docs">"API reference"</a>
                " ("<a href="/api/v1/openapi.json">"OpenAPI document"</a>"), "
                <a href="/account/tokens">"your API tokens"</a>"."
            </p>
            <form method="dialog">
                <button type="submit" class="button">"Close"</button>
            </form>
        </dialog>
    }
}

fn typing_in_a_field() -> bool {
    document()
        .active_element()
        .map(|element| matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        .unwrap_or(false)
}
