//! Messages after an action, and the panel shown when a page cannot be read.

use leptos::prelude::*;

use crate::{
    admin::flash::{Message, MessageKind},
    error::AppError,
};

/// A message at the top of a page, announced to screen readers.
#[component]
pub fn MessageView(message: Message) -> impl IntoView {
    let (class, role) = match message.kind {
        MessageKind::Success => ("message success", "status"),
        MessageKind::Warning => ("message warning", "alert"),
        MessageKind::Error => ("message error", "alert"),
    };
    view! { <p class=class role=role>{message.text}</p> }
}

/// A page that could not be shown: what went wrong and where to go instead.
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
        <section class="card error-panel">
            <h1>{heading}</h1>
            <p class="message error" role="alert">{error.to_string()}</p>
            <p><a href="/">"Back to the home page"</a></p>
        </section>
    }
}
