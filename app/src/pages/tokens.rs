//! `/account/tokens`: the logged-in user's personal API tokens. Creating and revoking are
//! plain form posts to the server (see `auth::token_forms`), so they work without
//! JavaScript; a refusal comes back in the address (`?error=…`), a new secret through the
//! session, shown once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::{
        token_api::tokens_page,
        token_types::{
            NewTokenView, TokenEventView, TokenRefusal, TokenStatus, TokenView, MAX_DAYS,
            MAX_NAME_CHARS, TOKENS_PAGE,
        },
    },
    components::messages::ErrorPanel,
};

/// The tokens page: the secret just created, the create form, the tokens and their events.
#[component]
pub fn TokensPage() -> impl IntoView {
    let query = use_query_map();
    let refusal = move || {
        query
            .with(|query| query.get("error"))
            .and_then(|code| TokenRefusal::from_code(&code))
    };
    let revoked = move || query.with(|query| query.get("revoked").is_some());
    let page = Resource::new(|| (), |_| tokens_page());
    view! {
        <Title text="API tokens"/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " "Account"
        </nav>
        <h1 tabindex="-1" autofocus>"API tokens"</h1>
        <p class="muted">
            "A token lets a program act as you, with your permissions: it sends "
            <code>"Authorization: Bearer <token>"</code> " with its requests to "
            <code>"/api/v1/…"</code> "."
        </p>
        {move || revoked().then(|| view! {
            <p class="message success" role="status">
                "The token was revoked. Requests with it are refused from now on."
            </p>
        })}
        {move || refusal().map(|refusal| view! {
            <p class="message error" role="alert">{refusal.sentence()}</p>
        })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(tokens) => view! {
                        {tokens.new_token.map(|token| view! { <NewTokenSecret token/> })}
                        <CreateTokenForm/>
                        <TokenSection tokens=tokens.tokens/>
                        <TokenEvents events=tokens.events/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
        <p><a href="/account/password">"Change password"</a></p>
    }
}

/// The secret of the token just created, in a box that says it is shown this once.
#[component]
fn NewTokenSecret(token: NewTokenView) -> impl IntoView {
    view! {
        <section class="card new-token" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">{format!("Your new token “{}”", token.name)}</h2>
            <p class="message warning" role="status">
                "Copy the secret now: it will not be shown again."
            </p>
            <div class="field">
                <label for="new-token-secret">"Secret"</label>
                <input
                    id="new-token-secret"
                    class="secret"
                    type="text"
                    readonly
                    spellcheck="false"
                    autocomplete="off"
                    value=token.secret
                />
            </div>
        </section>
    }
}

/// Creating a token: its name, and a lifetime in days or none.
#[component]
fn CreateTokenForm() -> impl IntoView {
    view! {
        <section class="card form-card" aria-labelledby="create-token-heading">
            <h2 id="create-token-heading">"Create a token"</h2>
            <form method="post" action=TOKENS_PAGE>
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <input
                        id="token-name"
                        name="name"
                        type="text"
                        required
                        maxlength=MAX_NAME_CHARS.to_string()
                        autocomplete="off"
                        aria-describedby="token-name-help"
                    />
                    <p id="token-name-help" class="help">"What the token is for, such as “deploys”."</p>
                </div>
                <div class="field">
                    <label for="token-days">"Expires after (days)"</label>
                    <input
                        id="token-days"
                        name="expires_in_days"
                        type="number"
                        min="1"
                        max=MAX_DAYS.to_string()
                        inputmode="numeric"
                        aria-describedby="token-days-help"
                    />
                    <p id="token-days-help" class="help">
                        {format!("1 to {MAX_DAYS} days; leave it empty for a token that never expires.")}
                    </p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button primary">"Create token"</button>
                </div>
            </form>
        </section>
    }
}

/// The user's tokens, each active one with its revoke button.
#[component]
fn TokenSection(tokens: Vec<TokenView>) -> impl IntoView {
    let list = if tokens.is_empty() {
        view! { <p class="empty">"You have no API tokens yet."</p> }.into_any()
    } else {
        view! { <TokenTable tokens/> }.into_any()
    };
    view! {
        <section aria-labelledby="token-list-heading">
            <h2 id="token-list-heading">"Your tokens"</h2>
            {list}
        </section>
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenView>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data">
                <caption class="visually-hidden">"Your API tokens, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Prefix"</th>
                    <th scope="col">"Created"</th><th scope="col">"Expires"</th>
                    <th scope="col">"Last used"</th><th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {tokens.into_iter().map(|token| view! { <TokenTableRow token/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TokenTableRow(token: TokenView) -> impl IntoView {
    let badge = match token.status {
        TokenStatus::Active => "badge badge-green",
        TokenStatus::Expired => "badge badge-grey",
        TokenStatus::Revoked => "badge badge-red",
    };
    let revoke = (token.status == TokenStatus::Active).then(|| {
        view! {
            <form method="post" action=format!("{TOKENS_PAGE}/revoke") class="inline-form">
                <input type="hidden" name="id" value=token.id.to_string()/>
                <button type="submit" class="button" aria-label=format!("Revoke {}", token.name)>
                    "Revoke"
                </button>
            </form>
        }
    });
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td><code>{format!("{}…", token.prefix)}</code></td>
            <td>{token.created}</td>
            <td>{token.expires.unwrap_or_else(|| "never".to_owned())}</td>
            <td>{token.last_used.unwrap_or_else(|| "never".to_owned())}</td>
            <td><span class=badge>{token.status.label()}</span></td>
            <td>{revoke}</td>
        </tr>
    }
}

/// The newest creations and revocations of the user's tokens.
#[component]
fn TokenEvents(events: Vec<TokenEventView>) -> impl IntoView {
    view! {
        <section class="token-events" aria-labelledby="token-events-heading">
            <h2 id="token-events-heading">"Recent events"</h2>
            {if events.is_empty() {
                view! { <p class="empty">"Nothing has happened to your tokens yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="data">
                            <caption class="visually-hidden">"Recent events of your tokens, newest first"</caption>
                            <thead><tr>
                                <th scope="col">"When"</th><th scope="col">"Token"</th>
                                <th scope="col">"Event"</th><th scope="col">"By"</th>
                            </tr></thead>
                            <tbody>
                                {events.into_iter().map(|event| view! {
                                    <tr>
                                        <td>{event.at}</td>
                                        <td>{event.token_name}</td>
                                        <td>{event.action.as_str()}</td>
                                        <td>{event.actor}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
