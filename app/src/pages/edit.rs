//! Editing an object's fields (`/:resource/:id/edit`), creating one (`/:resource/add`), and
//! confirming a deletion (`/:resource/:id/delete`). The state is shown, never editable.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{object::capitalised, transition_form::FieldInput};
use crate::{
    admin::{
        edit::{
            api::{edit_page, DeleteObject, SaveObject},
            types::{EditInput, EditView},
        },
        object::{
            api::object_page,
            types::{object_path, ObjectInput, ObjectView},
        },
    },
    components::{
        badge::StateBadgeView,
        messages::{ErrorPanel, MessageArea},
    },
};

/// `/:resource/add` and `/:resource/:id/edit`.
#[component]
pub fn EditPage() -> impl IntoView {
    let params = use_params_map();
    let page = Resource::new(
        move || {
            params.with(|p| EditInput {
                resource: p.get("resource").unwrap_or_default(),
                id: p.get("id").unwrap_or_default(),
            })
        },
        edit_page,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <EditForm view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EditForm(view: EditView) -> impl IntoView {
    let EditView {
        resource,
        title,
        singular,
        id,
        version,
        state,
        form,
        values,
        errors,
        message,
    } = view;
    let (heading, back) = match &id {
        Some(id) => (
            format!("Edit {} {id}", capitalised(&singular)),
            object_path(&resource, id),
        ),
        None => (format!("Add {singular}"), format!("/{resource}")),
    };
    let state_note = if id.is_some() {
        "Currently "
    } else {
        "Starts as "
    };
    let fields = form
        .fields
        .into_iter()
        .map(|field| {
            let value = values.get(&field.name).cloned().unwrap_or_default();
            let field_errors = errors.get(&field.name).cloned().unwrap_or_default();
            view! { <FieldInput field value errors=field_errors name_prefix="input[fields]"/> }
        })
        .collect_view();
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=format!("/{resource}")>{title}</a>
        </nav>
        <h1 tabindex="-1" autofocus=message.is_none()>{heading.clone()}</h1>
        <p class="object-state">{state_note} <StateBadgeView state/></p>
        <MessageArea message/>
        <section class="card form-card">
            <form method="post" action=SaveObject::url()>
                <input type="hidden" name="input[resource]" value=resource.clone()/>
                <input type="hidden" name="input[id]" value=id.clone().unwrap_or_default()/>
                <input type="hidden" name="input[version]" value=version.to_string()/>
                <input type="hidden" name="input[from_console]" value="true"/>
                {fields}
                <div class="form-actions">
                    <button type="submit" class="button primary">
                        {if id.is_some() { "Save" } else { "Create" }}
                    </button>
                    <a class="button subtle" href=back>"Cancel"</a>
                </div>
            </form>
        </section>
    }
}

/// `/:resource/:id/delete`: what will be deleted, and the button that does it.
#[component]
pub fn DeletePage() -> impl IntoView {
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
                    Ok(view) => view! { <DeleteConfirmation view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DeleteConfirmation(view: ObjectView) -> impl IntoView {
    let name = format!("{} {}", capitalised(&view.singular), view.id);
    let back = object_path(&view.resource, &view.id);
    let heading = format!("Delete {name}?");
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=format!("/{}", view.resource)>{view.title.clone()}</a>
            " / " <a href=back.clone()>{name.clone()}</a>
        </nav>
        <h1 tabindex="-1" autofocus=view.message.is_none()>{heading}</h1>
        <MessageArea message=view.message.clone()/>
        <section class="card form-card">
            <p>
                {name.clone()} " (currently "
                {view.blocks.into_iter().map(|block| view! { <StateBadgeView state=block.state/> }).collect_view()}
                ") will be deleted. "
                "Its history is kept."
            </p>
            {if view.can_delete {
                view! {
                    <form method="post" action=DeleteObject::url()>
                        <input type="hidden" name="input[resource]" value=view.resource.clone()/>
                        <input type="hidden" name="input[id]" value=view.id.clone()/>
                        <input type="hidden" name="input[version]" value=view.version.to_string()/>
                        <input type="hidden" name="input[from_console]" value="true"/>
                        <div class="form-actions">
                            <button type="submit" class="button danger">
                                {format!("Delete {name}")}
                            </button>
                            <a class="button subtle" href=back.clone()>"Cancel"</a>
                        </div>
                    </form>
                }.into_any()
            } else {
                view! { <p class="message error" role="alert">"You may not delete this."</p> }.into_any()
            }}
        </section>
    }
}
