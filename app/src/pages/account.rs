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
        <h1>"Change password"</h1>
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
                <div class="field">
                    <label for="current_password">"Current password"</label>
                    <input
                        id="current_password"
                        name="current_password"
                        type="password"
                        autocomplete="current-password"
                        required
                    />
                </div>
                <div class="field">
                    <label for="new_password">"New password"</label>
                    <input
                        id="new_password"
                        name="new_password"
                        type="password"
                        autocomplete="new-password"
                        required
                    />
                </div>
                <div class="field">
                    <label for="confirm_password">"Confirm new password"</label>
                    <input
                        id="confirm_password"
                        name="confirm_password"
                        type="password"
                        autocomplete="new-password"
                        required
                    />
                </div>
                <p class="muted">"Changing it logs you out everywhere else."</p>
                <div class="form-actions">
                    <button type="submit" class="button primary">"Change password"</button>
                </div>
            </form>
        </section>
    }
}
