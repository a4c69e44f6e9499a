//! A transition's form page at its own address: the declared fields rendered with what was
//! typed and each field's errors, or the reason the transition cannot be fired now. Without
//! fields it is the transition's confirmation page.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use switchyard_engine::{FieldKind, FormField};

use super::object::{capitalised, FireHiddenFields};
use crate::{
    admin::{
        form::{
            api::form_page,
            types::{FormInput, FormView},
        },
        object::{
            api::FireTransition,
            types::{object_path, FireOrigin},
        },
    },
    components::{
        badge::StateBadgeView,
        messages::{ErrorPanel, MessageArea},
        submit_once::SubmitOnce,
    },
};

/// `/:resource/:id/transitions/:name`.
#[component]
pub fn TransitionFormPage() -> impl IntoView {
    let params = use_params_map();
    let form = Resource::new(
        move || {
            params.with(|p| FormInput {
                resource: p.get("resource").unwrap_or_default(),
                id: p.get("id").unwrap_or_default(),
                transition: p.get("name").unwrap_or_default(),
            })
        },
        form_page,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(view) => view! { <TransitionForm view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TransitionForm(view: FormView) -> impl IntoView {
    let FormView {
        resource,
        singular,
        id,
        version,
        state,
        transition,
        label,
        help_text,
        confirmation,
        field,
        form,
        values,
        errors,
        unavailable,
        message,
    } = view;
    // A transition without fields that declares a question asks it here, before it runs.
    let question = confirmation.filter(|_| form.fields.is_empty());
    let object_name = format!("{} {id}", capitalised(&singular));
    let back = object_path(&resource, &id);
    let heading = format!("{label}: {object_name}");
    let body = match unavailable {
        Some(reason) => view! {
            <p class="message error" role="alert">{reason}</p>
            <p><a class="button" href=back.clone()>"Back to " {object_name.clone()}</a></p>
        }
        .into_any(),
        None => {
            let (resource, back) = (resource.clone(), back.clone());
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
                <SubmitOnce>
                <form method="post" action=FireTransition::url()>
                    <FireHiddenFields
                        resource=resource.clone()
                        id=id.clone()
                        transition=transition.clone()
                        version=version
                        origin=FireOrigin::Form
                    />
                    {question.clone().map(|question| view! {
                        <p class="confirmation" id="confirmation">{question}</p>
                    })}
                    {fields}
                    <div class="form-actions">
                        <button type="submit" class="button primary">
                            {label.clone()}
                        </button>
                        <a class="button subtle" href=back.clone()>"Cancel"</a>
                    </div>
                </form>
                </SubmitOnce>
            }
            .into_any()
        }
    };
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=format!("/{resource}")>{capitalised(&resource)}</a>
            " / " <a href=back.clone()>{object_name.clone()}</a>
        </nav>
        <h1 tabindex="-1" autofocus=message.is_none()>{heading}</h1>
        <p class="object-state">
            {field.map(|field| format!("{field}: ")).unwrap_or_else(|| "Currently ".to_owned())}
            <StateBadgeView state/>
        </p>
        {(!help_text.is_empty()).then(|| view! { <p class="help">{help_text}</p> })}
        <MessageArea message/>
        <section class="card form-card">{body}</section>
    }
}

/// One declared field: its label, input, help text and errors; posted as
/// `{name_prefix}[{field}]`.
#[component]
pub fn FieldInput(
    field: FormField,
    value: String,
    errors: Vec<String>,
    name_prefix: &'static str,
) -> impl IntoView {
    let input_id = format!("field-{}", field.name);
    let name = format!("{name_prefix}[{}]", field.name);
    let help_id = format!("{input_id}-help");
    let errors_id = format!("{input_id}-errors");
    let mut described = Vec::new();
    if !field.help_text.is_empty() {
        described.push(help_id.clone());
    }
    if !errors.is_empty() {
        described.push(errors_id.clone());
    }
    let described_by = (!described.is_empty()).then(|| described.join(" "));
    let has_errors = !errors.is_empty();
    let invalid = has_errors.then_some("true");
    let required = field.required;
    // Text inputs carry the limit the server cleans with, declared or default.
    let max_length = match field.kind {
        FieldKind::Text | FieldKind::Textarea => Some(field.text_limit().to_string()),
        _ => field.max_length.map(|n| n.to_string()),
    };
    let input = match &field.kind {
        FieldKind::Textarea => view! {
            <textarea id=input_id.clone() name=name rows="3" aria-describedby=described_by
                aria-invalid=invalid aria-required=required.then_some("true")
                maxlength=max_length>{value}</textarea>
        }
        .into_any(),
        FieldKind::Select { choices } => {
            let options = choices
                .iter()
                .map(|(choice, text)| {
                    let selected = *choice == value;
                    view! { <option value=choice.clone() selected=selected>{text.clone()}</option> }
                })
                .collect_view();
            view! {
                <select id=input_id.clone() name=name aria-describedby=described_by
                    aria-invalid=invalid aria-required=required.then_some("true")>
                    <option value="" selected=value.is_empty()>"Choose…"</option>
                    {options}
                </select>
            }
            .into_any()
        }
        FieldKind::Checkbox => {
            let checked = matches!(value.as_str(), "true" | "on" | "1" | "yes");
            view! {
                <input type="checkbox" id=input_id.clone() name=name checked=checked
                    aria-describedby=described_by aria-invalid=invalid/>
            }
            .into_any()
        }
        kind => {
            let (input_type, input_mode) = match kind {
                FieldKind::Number => ("text", Some("numeric")),
                FieldKind::Decimal { .. } => ("text", Some("decimal")),
                FieldKind::Date => ("date", None),
                _ => ("text", None),
            };
            view! {
                <input type=input_type id=input_id.clone() name=name value=value
                    inputmode=input_mode aria-describedby=described_by aria-invalid=invalid
                    aria-required=required.then_some("true") maxlength=max_length/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:has-errors=has_errors>
            <label for=input_id>{field.label}{required.then_some(" (required)")}</label>
            {input}
            {(!field.help_text.is_empty()).then(|| view! { <p id=help_id class="help">{field.help_text.clone()}</p> })}
            {(!errors.is_empty()).then(|| view! {
                <ul id=errors_id class="field-errors">
                    {errors.into_iter().map(|error| view! { <li>{error}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
