//! The frame around console pages: the top bar, the demo warning, and the page outlet.

use leptos::prelude::*;
use leptos_router::{components::Outlet, hooks::use_location};

use crate::{auth::SessionInfo, components::shortcuts::ShortcutsDialog, error::AppError};

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
                let info = session.await.ok();
                view! { <TopBar info/> }
            })}
        </Suspense>
        <main id="main" class="page">
            <Outlet/>
        </main>
    }
}

/// The header: the skip link, the resources the user may view, the jobs with how many are
/// still running, the help, the account and logging out.
#[component]
fn TopBar(info: Option<SessionInfo>) -> impl IntoView {
    let (user, resources, unfinished) = match info {
        Some(info) => (info.user, info.resources, info.unfinished_jobs),
        None => (None, Vec::new(), 0),
    };
    let path = use_location().pathname.get_untracked();
    // The section the page belongs to: `/orders/12/history` is in Orders.
    let section = path.split('/').nth(1).unwrap_or_default().to_owned();
    let current = move |name: &str| (section == name).then_some("page");
    let jobs_label = if unfinished > 0 {
        format!("Jobs ({unfinished} running)")
    } else {
        "Jobs".to_owned()
    };
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">"Switchyard"</a>
            <nav aria-label="Main" class="main-nav">
                <a href="/" aria-current=current("")>"Home"</a>
                {resources.into_iter().map(|(name, title)| {
                    let aria_current = current(&name);
                    view! { <a href=format!("/{name}") aria-current=aria_current>{title}</a> }
                }).collect_view()}
                {user.is_some().then(|| view! {
                    <a href="/jobs" aria-current=current("jobs")>{jobs_label}</a>
                })}
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
