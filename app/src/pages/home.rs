//! The home page: what the console manages, at a glance.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::layout::SessionResource;

/// Greets the operator and lists the registered resources.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<SessionResource>().0;
    view! {
        <Title text="Home"/>
        <h1>"Home"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let name = session.await.ok().and_then(|info| info.user).map(|user| user.username);
                name.map(|name| view! { <p class="muted">"Logged in as " <strong>{name}</strong> "."</p> })
            })}
        </Suspense>
        <section class="card" aria-labelledby="resources-title">
            <h2 id="resources-title">"Resources"</h2>
            <p class="empty">"No resources are registered yet."</p>
        </section>
    }
}
