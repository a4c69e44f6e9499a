//! The document shell and the console's routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth::fetch_session_info,
    components::layout::{ConsoleLayout, DemoBanner, SessionResource},
    pages::{
        account::ChangePasswordPage,
        bulk::BulkPreviewPage,
        diagram::DiagramPage,
        edit::{DeletePage, EditPage},
        history::HistoryPage,
        home::HomePage,
        jobs::{JobPage, JobsPage},
        list::ListPage,
        login::LoginPage,
        not_found::NotFound,
        object::ObjectPage,
        settings::SettingsPage,
        tokens::TokensPage,
        transition_form::TransitionFormPage,
    },
};

/// The HTML document around the app, rendered on the server for every page. Only its
/// islands are hydrated; links and forms are the browser's own, so every page works the
/// same before the WASM arrives, and without it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let stylesheet = crate::assets::stylesheet_href(&options);
    #[cfg(not(feature = "ssr"))]
    let stylesheet = "";
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=stylesheet/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The console: every page is rendered whole on the server, so it works without
/// JavaScript; the islands in it are hydrated.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session = SessionResource(Resource::new(|| (), |_| fetch_session_info()));
    provide_context(session);

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Switchyard".to_owned() } else { format!("{page} · Switchyard") }
        }/>
        <DemoBanner/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("account/password") view=ChangePasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("account/tokens") view=TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("jobs") view=JobsPage ssr=SsrMode::Async/>
                    <Route path=path!("jobs/:id") view=JobPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource") view=ListPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/add") view=EditPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/bulk") view=BulkPreviewPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/diagram") view=DiagramPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/:id") view=ObjectPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/:id/history") view=HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/settings/transitions") view=SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/:id/edit") view=EditPage ssr=SsrMode::Async/>
                    <Route path=path!(":resource/:id/delete") view=DeletePage ssr=SsrMode::Async/>
                    <Route
                        path=path!(":resource/:id/transitions/:name")
                        view=TransitionFormPage
                        ssr=SsrMode::Async
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
