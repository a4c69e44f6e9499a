//! The login page. The form posts to `/login` (see `auth::routes`), so it works
//! without JavaScript; a failed attempt comes back here with `?error=credentials`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The login form, with the outcome of the previous attempt.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|query| query.get(name));
    // Read once, as plain attributes: a reactive value would be re-applied when the page
    // hydrates and wipe what the user typed before the WASM arrived.
    let username = query
        .with_untracked(|query| query.get("username"))
        .unwrap_or_default();
    let next = query
        .with_untracked(|query| query.get("next"))
        .unwrap_or_default();
    let failed = move || param("error").is_some();
    let logged_out = move || param("logged_out").is_some();

    view! {
        <Title text="Log in"/>
        <main id="main" class="login-page">
            <form method="post" action="/login" class="login-card">
                <h1>"Switchyard"</h1>
                <p class="muted">"Log in to the console."</p>
                <Show when=failed>
                    <p class="message error" role="alert">
                        "Wrong username or password. Both are case-sensitive."
                    </p>
                </Show>
                <Show when=logged_out>
                    <p class="message info" role="status">"You have been logged out."</p>
                </Show>
                <div class="field">
                    <label for="username">"Username"</label>
                    <input
                        id="username"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        autofocus=username.is_empty()
                        value=username.clone()
                    />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        autofocus=!username.is_empty()
                    />
                </div>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="button primary wide">"Log in"</button>
            </form>
        </main>
    }
}
