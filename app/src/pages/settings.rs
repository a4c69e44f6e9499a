//! The transition settings of a resource (`/:resource/settings/transitions`): every
//! transition with its effective visibility and where it comes from, one form to override
//! visibility, groups, label and help text, and the log of changes with "Revert".

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    admin::settings::{
        api::{settings_page, RevertSetting, SaveSettings},
        types::{
            SettingChangeView, SettingRow, SettingVisibility, SettingsPageInput, SettingsView,
        },
    },
    components::messages::{ErrorPanel, MessageArea},
};

/// `/:resource/settings/transitions`.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let params = use_params_map();
    let page = Resource::new(
        move || {
            params.with(|p| SettingsPageInput {
                resource: p.get("resource").unwrap_or_default(),
            })
        },
        settings_page,
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <SettingsForm view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(view: SettingsView) -> impl IntoView {
    let SettingsView {
        resource,
        title,
        default,
        rows,
        groups,
        changes,
        message,
    } = view;
    let heading = format!("Transition settings: {title}");
    let posted_resource = resource.clone();
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(index, row)| view! { <SettingRowView index row groups=groups.clone()/> }.into_any())
        .collect_view();
    view! {
        <Title text=heading.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " <a href=format!("/{resource}")>{title.clone()}</a>
            " / " <span aria-current="page">"Transition settings"</span>
        </nav>
        <h1 tabindex="-1" autofocus=message.is_none()>{heading}</h1>
        <p class="muted">
            {format!("Which transitions the console offers. The global default is {default}. ")}
            "A per-object hook in the code decides first, then these overrides, then the \
             transition's flag, then the global default. Overrides apply at once on every \
             server. Programs that fire through the engine's API channel follow permissions \
             only."
        </p>
        <MessageArea message/>
        <form method="post" action=SaveSettings::url()>
            <input type="hidden" name="input[resource]" value=posted_resource.clone()/>
            <input type="hidden" name="input[from_console]" value="true"/>
            <div class="table-scroll">
                <table class="data settings">
                    <caption class="visually-hidden">"One row per transition"</caption>
                    <thead><tr>
                        <th scope="col">"Transition"</th>
                        <th scope="col">"Now"</th>
                        <th scope="col">"Visibility"</th>
                        <th scope="col">"Label and help text"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="button primary">
                    "Save"
                </button>
            </div>
        </form>
        <ChangeLog resource changes/>
    }
}

#[component]
fn SettingRowView(index: usize, row: SettingRow, groups: Vec<String>) -> AnyView {
    let SettingRow {
        name,
        label,
        declared_label,
        declared_help_text,
        routes,
        shown,
        now,
        decided_by,
        hook,
        setting,
        revision,
    } = row;
    let field = move |part: &str| format!("input[rows][{index}][{part}]");
    let id = move |part: &str| format!("setting-{index}-{part}");
    let chosen = setting.visibility.unwrap_or(if shown {
        SettingVisibility::Shown
    } else {
        SettingVisibility::Hidden
    });
    let options = [
        SettingVisibility::Shown,
        SettingVisibility::Hidden,
        SettingVisibility::Groups,
    ]
    .into_iter()
    .map(|choice| {
        view! {
            <option value=choice.value() selected=choice == chosen>{choice.label()}</option>
        }
    })
    .collect_view();
    let group_boxes = groups
        .iter()
        .enumerate()
        .map(|(position, group)| {
            let checked = setting.groups.contains(group);
            let box_id = format!("setting-{index}-group-{position}");
            let label_for = box_id.clone();
            view! {
                <label class="checkbox" for=label_for>
                    <input type="checkbox" id=box_id name=format!("input[rows][{index}][groups][{position}]")
                        value=group.clone() checked=checked/>
                    {group.clone()}
                </label>
            }
        })
        .collect_view();
    let overridden = !setting.is_empty();
    let hidden_inputs = view! {
        <input type="hidden" name=field("transition") value=name.clone()/>
        <input type="hidden" name=field("revision") value=revision.to_string()/>
    }
    .into_any();
    let chooser = view! {
        <label class="visually-hidden" for=id("visibility")>{format!("Visibility of {declared_label}")}</label>
        <select id=id("visibility") name=field("visibility")>{options}</select>
        {(!groups.is_empty()).then(|| view! {
            <fieldset class="groups">
                <legend>{format!("Groups that see {declared_label}")}</legend>
                {group_boxes}
            </fieldset>
        })}
        {overridden.then(|| view! {
            <label class="checkbox" for=id("reset")>
                <input type="checkbox" id=id("reset") name=field("reset") value="true"/>
                {format!("Follow the code for {declared_label}")}
            </label>
        })}
    }
    .into_any();
    let texts = view! {
        <label for=id("label")>{format!("Label of {declared_label}")}</label>
        <input type="text" id=id("label") name=field("label") maxlength="100"
            placeholder=declared_label.clone() value=setting.label.clone().unwrap_or_default()/>
        <label for=id("help")>{format!("Help text of {declared_label}")}</label>
        <input type="text" id=id("help") name=field("help_text") maxlength="500"
            placeholder=declared_help_text value=setting.help_text.clone().unwrap_or_default()/>
    }
    .into_any();
    let renamed = label != declared_label;
    view! {
        <tr>
            <th scope="row">
                <span class="setting-label">{label.clone()}</span>
                {renamed.then(|| view! { <span class="muted">{format!(" (declared: {declared_label})")}</span> })}
                <code class="setting-name">{name.clone()}</code>
                <ul class="routes">
                    {routes.into_iter().map(|route| view! { <li>{route}</li> }).collect_view()}
                </ul>
                {hidden_inputs}
            </th>
            <td>
                <span class=if shown { "visibility shown" } else { "visibility hidden" }>
                    {now}
                </span>
                <span class="muted decided-by">{decided_by}</span>
                {hook.then(|| view! { <span class="muted decided-by">"A per-object hook may decide first."</span> })}
            </td>
            <td>{chooser}</td>
            <td>{texts}</td>
        </tr>
    }
    .into_any()
}

#[component]
fn ChangeLog(resource: String, changes: Vec<SettingChangeView>) -> impl IntoView {
    if changes.is_empty() {
        return view! {
            <section class="card" aria-labelledby="changes-heading">
                <h2 id="changes-heading">"Changes"</h2>
                <p class="empty">"No setting has been changed from the browser yet."</p>
            </section>
        }
        .into_any();
    }
    let rows = changes
        .into_iter()
        .map(|change| {
            let note = change
                .reverts
                .map(|id| format!(" (reverts change {id})"))
                .unwrap_or_default();
            let resource = resource.clone();
            view! {
                <tr>
                    <td class="numeric">{change.id}</td>
                    <td>{change.at}</td>
                    <td>{change.actor}</td>
                    <td><code>{change.transition}</code></td>
                    <td>{change.before}</td>
                    <td>{change.after}{note}</td>
                    <td>
                        <form method="post" action=RevertSetting::url()>
                            <input type="hidden" name="input[resource]" value=resource.clone()/>
                            <input type="hidden" name="input[change]" value=change.id.to_string()/>
                            <input type="hidden" name="input[from_console]" value="true"/>
                            <button type="submit" class="button subtle"
                                aria-label=format!("Revert change {}", change.id)>"Revert"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="changes-heading">
            <h2 id="changes-heading">"Changes"</h2>
            <div class="table-scroll">
                <table class="data">
                    <caption class="visually-hidden">"Changes to these settings, newest first"</caption>
                    <thead><tr>
                        <th scope="col" class="numeric">"Change"</th><th scope="col">"When (UTC)"</th>
                        <th scope="col">"Who"</th><th scope="col">"Transition"</th>
                        <th scope="col">"Before"</th><th scope="col">"After"</th>
                        <th scope="col"><span class="visually-hidden">"Revert"</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
