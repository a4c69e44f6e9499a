//! The bulk preview (`/:resource/bulk?transition=…&id=…` or `&all=1&state=…`): how many rows
//! will move and why the others will not, the transition's form asked once, the mode, and
//! "Apply", which starts a job and opens its page.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use std::collections::BTreeMap;

use switchyard_engine::{FieldErrors, Form};

use super::transition_form::FieldInput;
use crate::{
    admin::{
        bulk::{
            api::{preview_bulk, ApplyBulk},
            types::{BulkInput, BulkPreview, PreviewGroup},
        },
        flash::Message,
        list::types::ListQuery,
        object::types::object_path,
    },
    components::messages::ErrorPanel,
};

/// `/:resource/bulk`.
#[component]
pub fn BulkPreviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let input = move || {
        let resource = params.with(|p| p.get("resource").unwrap_or_default());
        query.with(|q| BulkInput {
            resource,
            transition: q.get("transition").unwrap_or_default(),
            ids: q.get_all("id").unwrap_or_default(),
            all_matching: q.get("all").is_some_and(|v| v == "1"),
            query: ListQuery {
                sort: None,
                page: None,
                ..ListQuery::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v)))
            },
            ..BulkInput::default()
        })
    };
    let preview = Resource::new(input, preview_bulk);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Working out what would happen…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(view) => view! { <Preview view input=input()/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Preview(view: BulkPreview, input: BulkInput) -> impl IntoView {
    let BulkPreview {
        title,
        singular,
        label,
        total,
        will_move,
        groups,
        form,
        all_or_nothing,
        choose_mode,
        message,
        values,
        errors,
    } = view;
    let refused = Refused {
        message,
        values,
        errors,
    };
    let back = format!("/{}{}", input.resource, input.query.to_query_string());
    let heading = format!(
        "{label}: {total} {singular}{}",
        if total == 1 { "" } else { "s" }
    );
    let skipped = total - will_move;
    let resource = input.resource.clone();
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=back.clone()>{title}</a> " / " <span aria-current="page">"Preview"</span>
        </nav>
        <h1 tabindex="-1" autofocus>{heading}</h1>
        <section class="card" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview"</h2>
            <p class="preview-summary" role="status">
                // A transition moves rows; a deployer's action only processes them.
                <strong>{format!("{will_move} will {}", if choose_mode { "move" } else { "be processed" })}</strong>
                {format!(", {skipped} will be skipped.")}
            </p>
            <PreviewGroups groups resource/>
        </section>
        <ApplyForm input form back will_move all_or_nothing choose_mode refused/>
    }
}

/// The rows that will not move, grouped by reason, with example links.
#[component]
fn PreviewGroups(groups: Vec<PreviewGroup>, resource: String) -> impl IntoView {
    if groups.is_empty() {
        return ().into_any();
    }
    let rows = groups
        .into_iter()
        .map(|group| {
            let examples = group
                .examples
                .into_iter()
                .map(|id| {
                    let href = object_path(&resource, &id);
                    view! { <a href=href>{id}</a> " " }
                })
                .collect_view();
            view! {
                <tr>
                    <td>{group.reason}</td>
                    <td class="numeric">{group.count}</td>
                    <td>{examples}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data preview">
                <caption class="visually-hidden">"Rows that will be skipped, by reason"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Skipped because"</th>
                        <th scope="col" class="numeric">"Rows"</th>
                        <th scope="col">"For example"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The selection as hidden inputs, the transition's form, the mode, and "Apply".
#[component]
fn ApplyForm(
    input: BulkInput,
    form: Option<Form>,
    back: String,
    will_move: usize,
    all_or_nothing: bool,
    choose_mode: bool,
    refused: Refused,
) -> impl IntoView {
    let selection: Vec<(String, String)> = if input.all_matching {
        vec![("input[all_matching]".to_owned(), "true".to_owned())]
    } else {
        input
            .ids
            .iter()
            .enumerate()
            .map(|(index, id)| (format!("input[ids][{index}]"), id.clone()))
            .collect()
    };
    let kept = input.query.filter_pairs().into_iter().map(|(name, value)| {
        let key = match name.as_str() {
            "group" | "q" => format!("input[query][{name}]"),
            field => format!("input[query][states][{field}]"),
        };
        (key, value)
    });
    let hidden = [
        ("input[resource]".to_owned(), input.resource.clone()),
        ("input[transition]".to_owned(), input.transition.clone()),
    ]
    .into_iter()
    .chain(selection)
    .chain(kept)
    .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
    .collect_view();
    let Refused {
        message: refused_message,
        values,
        errors: refused_errors,
    } = refused;
    let fields = form.map(|form| {
        form.fields
            .into_iter()
            .map(|field| {
                let value = values.get(&field.name).cloned().unwrap_or_default();
                let errors = refused_errors.get(&field.name).cloned().unwrap_or_default();
                view! { <FieldInput field value errors name_prefix="input[fields]"/> }.into_any()
            })
            .collect_view()
    });
    // Erased to `AnyView`: the whole form as one nested type is past the compiler's limit.
    let mode = choose_mode.then(|| view! { <ModeChoice all_or_nothing/> }.into_any());
    let message = refused_message
        .map(|message| view! { <p class="message error" role="alert">{message.text}</p> });
    view! {
        <section class="card form-card">
            {message}
            <form method="post" action=ApplyBulk::url()>
                {hidden}
                {fields}
                {mode}
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=will_move == 0>
                        "Apply"
                    </button>
                    <a class="button subtle" href=back>"Cancel"</a>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// A refused "Apply" posted without JavaScript, carried back to the preview by the redirect.
#[derive(Clone)]
struct Refused {
    message: Option<Message>,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
}

/// Best effort or all or nothing, the action's default checked.
#[component]
fn ModeChoice(all_or_nothing: bool) -> impl IntoView {
    view! {
        <fieldset class="mode">
            <legend>"If a row cannot move"</legend>
            <label class="inline-check">
                <input type="radio" name="input[all_or_nothing]" value="false" checked=!all_or_nothing/>
                "Best effort: move the others and report it"
            </label>
            <label class="inline-check">
                <input type="radio" name="input[all_or_nothing]" value="true" checked=all_or_nothing/>
                "All or nothing: move none of them"
            </label>
        </fieldset>
    }
}
