//! `POST /account/password`: a logged-in user changes their password with a plain form
//! post (it works with JavaScript off), then lands on the page again with the outcome.
//!
//! The current password is a password attempt like a login's: throttled per username and
//! client address, hashed under a permit. On success every other session of the user ends
//! (the session epoch moves on) and this one continues under a new id.

use axum::{
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    Extension, Form,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    password_policy::{validate_password, PasswordChangeRefusal},
    routes::AppErrorPage,
    session,
    throttle::{Attempt, LoginGuard, PeerAddress},
    users,
};
use crate::db::Db;

/// The page the form is on, and where every answer leads.
pub const PASSWORD_PAGE: &str = "/account/password";

/// The change-password form as posted.
#[derive(Debug, Deserialize)]
pub struct PasswordChangeForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

/// Changes the logged-in user's password, or sends them back to the form saying why not.
pub async fn change_password(
    State(db): State<Db>,
    Extension(guard): Extension<LoginGuard>,
    peer: PeerAddress,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<PasswordChangeForm>,
) -> Result<Response, AppErrorPage> {
    let Some((user, login)) = session::current_login(&session, &db).await? else {
        return Ok(Redirect::to("/login?next=%2Faccount%2Fpassword").into_response());
    };
    // What needs no hash is checked first, so a typo costs nothing.
    if form.new_password != form.confirm_password {
        return Ok(refused(PasswordChangeRefusal::Mismatch));
    }
    if let Err(rule) = validate_password(&form.new_password) {
        return Ok(refused(PasswordChangeRefusal::Rule(rule)));
    }
    let client = guard.client_address(peer, &headers);
    guard.admit(client, &user.username, Attempt::PasswordChange)?;
    let permit = guard.hashing_permit(Attempt::PasswordChange).await?;
    let current_matches = permit
        .verify(form.current_password, Some(user.password_hash.clone()))
        .await?;
    if !current_matches {
        tracing::info!(
            user_id = user.id,
            "password change refused: wrong current password"
        );
        return Ok(refused(PasswordChangeRefusal::WrongCurrent));
    }
    let new_hash = permit.hash(form.new_password).await?;
    drop(permit);
    let changed =
        users::set_password_hash(&db, user.id, &new_hash, Some(login.session_epoch)).await?;
    let Some(session_epoch) = changed else {
        // Another change won meanwhile and voided this session with the others.
        session::log_out(&session).await?;
        return Ok(Redirect::to("/login").into_response());
    };
    session::continue_under_epoch(&session, login, session_epoch).await?;
    tracing::info!(
        user_id = user.id,
        "password changed; the user's other sessions ended"
    );
    Ok(Redirect::to(&format!("{PASSWORD_PAGE}?changed=1")).into_response())
}

fn refused(refusal: PasswordChangeRefusal) -> Response {
    Redirect::to(&format!("{PASSWORD_PAGE}?error={}", refusal.code())).into_response()
}
