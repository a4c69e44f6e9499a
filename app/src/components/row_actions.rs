//! A list row's state cell with the row's transition buttons (the resource's row actions),
//! an island. A button fires through the object page's path with the row's version; the
//! row's state cells change in place, the outcome is said in the page's message area, and
//! the focus moves to the cell's next button (or the row's link when none is left).
//! Without JavaScript each button is a form that posts and comes back to the same list page
//! with the message.

use leptos::{html, prelude::*, server_fn::ServerFn};

use crate::{
    admin::{
        flash::message_of,
        form::types::form_path,
        list::{
            api::fire_row,
            types::{RowFired, RowLive},
        },
        object::{
            api::FireTransition,
            types::{ActionView, FireInput},
        },
    },
    components::{badge::StateBadgeView, messages::say},
    error::AppError,
};

/// Which row a cell belongs to, and where a post without JavaScript comes back to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowKey {
    /// The resource's name.
    pub resource: String,
    /// The row's key.
    pub id: String,
    /// The list's query string, to come back to the same page.
    pub list_query: String,
    /// The resource's noun for one object, for the buttons' accessible names.
    pub singular: String,
}

/// One state field's cell of one row: the badge and the row actions available now.
#[island]
pub fn RowStateCell(key: RowKey, field: usize, live: RowLive) -> impl IntoView {
    let row = row_signal(&key, live);
    let pending = RwSignal::new(false);
    let cell = NodeRef::<html::Div>::new();
    let state = {
        let row = row.clone();
        move || {
            row.with(|live| live.states.get(field).cloned())
                .map(|state| view! { <StateBadgeView state/> })
        }
    };
    let buttons = {
        let row = row.clone();
        let key = key.clone();
        move || {
            let (version, actions) = row.with(|live| {
                (
                    live.version,
                    live.actions.get(field).cloned().unwrap_or_default(),
                )
            });
            actions
                .into_iter()
                .map(|action| {
                    let fired = FiredBy {
                        key: key.clone(),
                        version,
                        row: row.clone(),
                        pending,
                        cell,
                    };
                    view! { <RowButton action fired/> }
                })
                .collect_view()
        }
    };
    view! {
        <div class="row-state" node_ref=cell aria-busy=move || pending.get().then_some("true")>
            {state}
            <div class="row-actions">{buttons}</div>
        </div>
    }
}

/// What a button needs to fire and to show the outcome.
#[derive(Clone)]
struct FiredBy {
    key: RowKey,
    version: i64,
    row: ArcRwSignal<RowLive>,
    pending: RwSignal<bool>,
    cell: NodeRef<html::Div>,
}

/// A link to the transition's page when it asks for fields or a confirmation; otherwise a
/// form that fires it (by script when the page is live).
#[component]
fn RowButton(action: ActionView, fired: FiredBy) -> impl IntoView {
    let name = format!("{} ({} {})", action.label, fired.key.singular, fired.key.id);
    let help = (!action.help_text.is_empty()).then(|| action.help_text.clone());
    if action.has_form || action.confirm.is_some() {
        let href = form_path(&fired.key.resource, &fired.key.id, &action.name);
        return view! {
            <a class="button small" href=href aria-label=format!("{name}…") title=help>{action.label}"…"</a>
        }
        .into_any();
    }
    let pending = fired.pending;
    let submit = {
        let fired = fired.clone();
        let transition = action.name.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            if fired.pending.get_untracked() {
                return;
            }
            fire(fired.clone(), transition.clone());
        }
    };
    view! {
        <form method="post" action=FireTransition::url() class="inline-form" on:submit=submit>
            <input type="hidden" name="input[resource]" value=fired.key.resource.clone()/>
            <input type="hidden" name="input[id]" value=fired.key.id.clone()/>
            <input type="hidden" name="input[transition]" value=action.name.clone()/>
            <input type="hidden" name="input[version]" value=fired.version.to_string()/>
            <input type="hidden" name="input[origin]" value="list"/>
            <input type="hidden" name="input[list_query]" value=fired.key.list_query.clone()/>
            <button type="submit" class="button small" aria-label=name title=help
                disabled=move || pending.get()>
                {action.label}
            </button>
        </form>
    }
    .into_any()
}

/// Fires `transition` on the row and shows what happened.
fn fire(fired: FiredBy, transition: String) {
    fired.pending.set(true);
    let input = FireInput {
        resource: fired.key.resource.clone(),
        id: fired.key.id.clone(),
        transition,
        version: fired.version,
        ..FireInput::default()
    };
    leptos::task::spawn_local(async move {
        let outcome: Result<RowFired, AppError> = fire_row(input).await;
        fired.pending.set(false);
        match outcome {
            Ok(done) => {
                fired.row.set(done.row);
                say(done.message);
                focus_next(fired.cell);
            }
            Err(error) => say(message_of(&error)),
        }
    });
}

/// After the cell is drawn again: its first button, else the row's first link, takes the
/// focus, so the keyboard stays on this row.
fn focus_next(cell: NodeRef<html::Div>) {
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        let Some(cell) = cell.get_untracked() else {
            return;
        };
        let target = cell.query_selector("button, a").ok().flatten().or_else(|| {
            cell.closest("tr")
                .ok()
                .flatten()
                .and_then(|row| row.query_selector("a").ok().flatten())
        });
        if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// Each row's live state, shared by the row's state cells (one per state field).
    static ROWS: std::cell::RefCell<std::collections::HashMap<(String, String), ArcRwSignal<RowLive>>> =
        Default::default();
}

/// The row's shared signal in the browser; a fresh one per render on the server.
fn row_signal(key: &RowKey, initial: RowLive) -> ArcRwSignal<RowLive> {
    #[cfg(feature = "hydrate")]
    {
        ROWS.with(|rows| {
            rows.borrow_mut()
                .entry((key.resource.clone(), key.id.clone()))
                .or_insert_with(|| ArcRwSignal::new(initial))
                .clone()
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        ArcRwSignal::new(initial)
    }
}
