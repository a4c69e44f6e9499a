//! The object page: fields, state, a button per transition this user may fire, the message
//! of the last action, and recent history.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    admin::{
        edit::types::edit_path,
        form::types::form_path,
        object::{
            api::{object_page, FireTransition},
            types::{object_path, ActionView, FireOrigin, ObjectInput, ObjectView, StateBlock},
        },
    },
    components::{
        badge::StateBadgeView,
        history_table::HistoryTable,
        messages::{ErrorPanel, MessageArea},
        submit_once::SubmitOnce,
    },
};

/// `/:resource/:id`.
#[component]
pub fn ObjectPage() -> impl IntoView {
    let params = use_params_map();
    let object = Resource::new(
        move || {
            params.with(|p| ObjectInput {
                resource: p.get("resource").unwrap_or_default(),
                id: p.get("id").unwrap_or_default(),
            })
        },
        object_page,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match object.await {
                    Ok(view) => view! { <ObjectDetail view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ObjectDetail(view: ObjectView) -> impl IntoView {
    let ObjectView {
        resource,
        title,
        singular,
        id,
        version,
        blocks,
        fields,
        history,
        more_history,
        message,
        can_edit,
        can_delete,
    } = view;
    let name = format!("{} {id}", capitalised(&singular));
    // One block per state field, headed by its label; a single field keeps "Transitions".
    let several = blocks.len() > 1;
    let history_path = format!("{}/history", object_path(&resource, &id));
    let list_path = format!("/{resource}");
    let action_context = ActionContext {
        resource: resource.clone(),
        id: id.clone(),
        version,
    };
    view! {
        <Title text=name.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=list_path>{title}</a> " / " <span aria-current="page">{name.clone()}</span>
        </nav>
        <div class="page-heading">
            <h1 class="object-title" tabindex="-1" autofocus=message.is_none()>
                {name.clone()} " "
                {blocks.iter().map(|block| view! { <StateBadgeView state=block.state.clone()/> " " }).collect_view()}
            </h1>
            <div class="object-tools">
                {can_edit.then(|| view! { <a class="button" href=edit_path(&resource, &id)>"Edit"</a> })}
                {can_delete.then(|| view! {
                    <a class="button danger" href=format!("{}/delete", object_path(&resource, &id))>"Delete"</a>
                })}
            </div>
        </div>
        <MessageArea message/>
        <div class="object-layout">
            <section class="card" aria-labelledby="fields-heading">
                <h2 id="fields-heading">"Details"</h2>
                <dl class="fields">
                    {fields.into_iter().map(|field| view! {
                        <dt>{field.label}</dt>
                        <dd>{if field.value.is_empty() { "—".to_owned() } else { field.value }}</dd>
                    }).collect_view()}
                </dl>
            </section>
            <div class="state-blocks">
                {blocks.into_iter().map(|block| {
                    view! { <StateBlockView block context=action_context.clone() several/> }
                }).collect_view()}
            </div>
        </div>
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <HistoryTable entries=history caption=format!("History of {name}")/>
            <p><a href=history_path>{if more_history { "Full history" } else { "History page" }}</a></p>
        </section>
    }
}

/// One state field: its heading, its state with the description, and its buttons.
#[component]
fn StateBlockView(block: StateBlock, context: ActionContext, several: bool) -> impl IntoView {
    let heading_id = format!("state-{}-heading", block.field);
    let labelled_by = heading_id.clone();
    let heading = if several {
        block.label.clone()
    } else {
        "Transitions".to_owned()
    };
    let description = block.state.description.clone();
    view! {
        <section class="card state-block" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            {several.then(|| view! {
                <p class="object-state">
                    <StateBadgeView state=block.state.clone()/>
                    {(!description.is_empty()).then(|| view! { " " <span class="state-description">{description.clone()}</span> })}
                </p>
            })}
            {(!several && !description.is_empty()).then(|| view! {
                <p class="state-description">{description.clone()}</p>
            })}
            {if block.actions.is_empty() {
                view! { <p class="empty">"No transition is available to you from this state."</p> }.into_any()
            } else {
                view! {
                    <SubmitOnce>
                        <ul class="actions">
                            {block.actions.into_iter().map(|action| view! {
                                <li><ActionButton action context=context.clone()/></li>
                            }).collect_view()}
                        </ul>
                    </SubmitOnce>
                }.into_any()
            }}
            <details class="object-diagram" open>
                <summary>"Diagram"</summary>
                // Built on the server from declared names and escaped text.
                <div class="diagram-drawing small" inner_html=block.diagram.clone()></div>
            </details>
        </section>
    }
}

/// What every button of one object posts besides its transition.
#[derive(Clone)]
struct ActionContext {
    resource: String,
    id: String,
    version: i64,
}

/// One transition: a link to its form (or confirmation) page, a button that fires it, or a
/// disabled button with the reason.
#[component]
fn ActionButton(action: ActionView, context: ActionContext) -> impl IntoView {
    let help_id = format!("help-{}", action.name);
    let help = (!action.help_text.is_empty()).then(|| action.help_text.clone());
    let described_by =
        (help.is_some() || action.disabled_reason.is_some()).then(|| help_id.clone());
    let note = match (&action.disabled_reason, help) {
        (Some(reason), _) => Some(
            view! { <span id=help_id.clone() class="action-note unavailable">{reason.clone()}</span> },
        ),
        (None, Some(help)) => {
            Some(view! { <span id=help_id.clone() class="action-note">{help}</span> })
        }
        (None, None) => None,
    };
    let control = if action.disabled_reason.is_some() {
        view! {
            <button type="button" class="button" disabled aria-describedby=described_by>{action.label}</button>
        }
        .into_any()
    } else if action.has_form || action.confirm.is_some() {
        // The form page doubles as the confirmation page, so both work without JavaScript.
        let href = form_path(&context.resource, &context.id, &action.name);
        view! {
            <a class="button" href=href aria-describedby=described_by>{action.label}"…"</a>
        }
        .into_any()
    } else {
        view! {
            <form method="post" action=FireTransition::url()>
                <FireHiddenFields
                    resource=context.resource.clone()
                    id=context.id.clone()
                    transition=action.name.clone()
                    version=context.version
                    origin=FireOrigin::Object
                />
                <button
                    type="submit"
                    class="button primary"
                    aria-describedby=described_by
                >
                    {action.label}
                </button>
            </form>
        }
        .into_any()
    };
    view! { {control} {note} }
}

/// The hidden inputs that say which transition of which object at which version is posted.
#[component]
pub fn FireHiddenFields(
    resource: String,
    id: String,
    transition: String,
    version: i64,
    origin: FireOrigin,
) -> impl IntoView {
    let origin = match origin {
        FireOrigin::Object => "object",
        FireOrigin::Form => "form",
        FireOrigin::List => "list",
    };
    view! {
        <input type="hidden" name="input[resource]" value=resource/>
        <input type="hidden" name="input[id]" value=id/>
        <input type="hidden" name="input[transition]" value=transition/>
        <input type="hidden" name="input[version]" value=version.to_string()/>
        <input type="hidden" name="input[origin]" value=origin/>
    }
}

/// `order` → `Order`.
pub fn capitalised(word: &str) -> String {
    let mut characters = word.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}
