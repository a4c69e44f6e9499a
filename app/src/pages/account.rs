//! `/account/password`: the logged-in user changes their password. The form posts to the
//! server (see `auth::account`), so it works without JavaScript; the outcome comes back in
//! the address (`?changed=1`, `?error=current`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::password_policy::PasswordChangeRefusal;

/// The change-password form, with the outcome of the previous attempt.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let query = use_query_map();
    let refusal = move || {
        query
            .with(|query| query.get("error"))
            .and_then(|code| PasswordChangeRefusal::from_code(&code))
    };
    let changed = move || query.with(|query| query.get("changed").is_some());
    view! {
        <Title text="Change password"/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/">"Home"</a> " / " "Account"
        </nav>
        <h1 tabindex="-1" autofocus>"Change password"</h1>
        {move || changed().then(|| view! {
            <p class="message success" role="status">
                "Your password was changed. Your other sessions have ended."
            </p>
        })}
        {move || refusal().map(|refusal| view! {
            <p class="message error" role="alert">{refusal.sentence()}</p>
        })}
        <section class="card form-card">
            <form method="post" action="/account/password">
                <PasswordField
                    name="current_password"
                    label="Current password"
                    autocomplete="current-password"
                />
                <PasswordField name="new_password" label="New password" autocomplete="new-password"/>
                <PasswordField
                    name="confirm_password"
                    label="Confirm new password"
                    autocomplete="new-password"
                />
                <p class="muted">"Changing it logs you out everywhere else."</p>
                <div class="form-actions">
                    <button type="submit" class="button primary">"Change password"</button>
                </div>
            </form>
        </section>
        <p>
            <a href="/account/tokens">"API tokens"</a>
            ": let a program call the automation API as you."
        </p>
    }
}

/// One labelled, required password input; `name` is also its id.
#[component]
fn PasswordField(
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input id=name name=name type="password" autocomplete=autocomplete required/>
        </div>
    }
}
