//! The frame around console pages: the top bar, the demo warning, and the page outlet.

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::{
    auth::{SessionInfo, UserSummary},
    components::shortcuts::ShortcutsDialog,
    error::AppError,
};

/// The per-request session facts, shared through context by [`crate::app::App`].
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, AppError>>);

/// Warns on every page, including the login page, while demo users exist.
#[component]
pub fn DemoBanner() -> impl IntoView {
    let session = expect_context::<SessionResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let demo = session.await.map(|info| info.demo_database).unwrap_or(false);
                demo.then(|| view! {
                    <div class="demo-banner" role="note">
                        <strong>"Demo database."</strong>
                        " The users admin, clerk and viewer log in with their own name as password. "
                        "Never keep real data here."
                    </div>
                })
            })}
        </Suspense>
    }
}

/// The top bar and the current console page.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let session = expect_context::<SessionResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let user = session.await.ok().and_then(|info| info.user);
                view! { <TopBar user/> }
            })}
        </Suspense>
        <main id="main" class="page">
            <Outlet/>
        </main>
    }
}

#[component]
fn TopBar(user: Option<UserSummary>) -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">"Switchyard"</a>
            <nav aria-label="Main">
                <a href="/">"Home"</a>
            </nav>
            <div class="topbar-end">
                <ShortcutsDialog/>
                {user.map(|user| view! {
                    <a class="whoami" href="/account/password" title="Your account: change your password">
                        {user.username}
                        {user.is_superuser.then_some(" (superuser)")}
                    </a>
                    <a href="/account/tokens" title="Tokens for programs that call the API as you">
                        "API tokens"
                    </a>
                })}
                <form method="post" action="/logout" class="inline-form">
                    <button type="submit" class="button subtle">"Log out"</button>
                </form>
            </div>
        </header>
    }
}
