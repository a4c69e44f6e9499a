//! Messages after an action, and the panel shown when a page cannot be read.
//!
//! A page that can show a message has one message area from the moment it loads, empty or
//! not, so that what an island says into it later (a per-row transition's outcome) is
//! announced by screen readers; an element created together with its text often is not.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    admin::flash::{Message, MessageKind},
    error::AppError,
};

/// The page's message area, a polite live region. A message rendered by the server (after
/// a Post/Redirect/Get) takes the focus as the page loads, so it is read first and the
/// next Tab continues from it.
#[island]
pub fn MessageArea(message: Option<Message>) -> impl IntoView {
    let current = page_message(message);
    view! {
        <div id="messages" class="messages" role="status" aria-live="polite">
            {move || current.get().map(|message| view! { <MessageView message/> })}
        </div>
    }
}

/// Puts `message` in the page's message area (in the browser; on the server there is no
/// page to change).
pub fn say(message: Message) {
    #[cfg(feature = "hydrate")]
    PAGE_MESSAGE.with(|current| current.set(Some(message)));
    #[cfg(not(feature = "hydrate"))]
    drop(message);
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The message area's contents, shared by the islands of the one page in this browser tab.
    static PAGE_MESSAGE: ArcRwSignal<Option<Message>> = ArcRwSignal::new(None);
}

/// The signal the message area shows: the page's shared one in the browser, a fresh one
/// for each render on the server (which serves many pages on one thread).
fn page_message(initial: Option<Message>) -> ArcRwSignal<Option<Message>> {
    #[cfg(feature = "hydrate")]
    {
        let shared = PAGE_MESSAGE.with(Clone::clone);
        if initial.is_some() {
            shared.set(initial);
        }
        shared
    }
    #[cfg(not(feature = "hydrate"))]
    ArcRwSignal::new(initial)
}

/// One message. A refusal or a conflict is an alert; a success is read politely.
#[component]
fn MessageView(message: Message) -> impl IntoView {
    let (class, role) = match message.kind {
        MessageKind::Success => ("message success", None),
        MessageKind::Warning => ("message warning", Some("alert")),
        MessageKind::Error => ("message error", Some("alert")),
    };
    view! { <p class=class role=role tabindex="-1" autofocus>{message.text}</p> }
}

/// A page that could not be shown: what went wrong and where to go instead, titled by it.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let heading = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::Forbidden | AppError::NotAllowed(_) => "Not allowed",
        AppError::Unauthenticated => "Please log in",
        AppError::Invalid(_) => "Cannot show this page",
        _ => "Something went wrong",
    };
    view! {
        <Title text=heading/>
        <section class="card error-panel">
            <h1 tabindex="-1">{heading}</h1>
            <p class="message error" role="alert" tabindex="-1" autofocus>{error.to_string()}</p>
            <p><a href="/">"Back to the home page"</a></p>
        </section>
    }
}
