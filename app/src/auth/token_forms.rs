//! `POST /account/tokens` and `POST /account/tokens/revoke`: a logged-in user creates or
//! revokes one of their own API tokens with a plain form post (it works with JavaScript off),
//! then lands on the tokens page again with the outcome.
//!
//! A refusal comes back in the address (`?error=…`). A new token's secret never does:
//! addresses end up in histories, logs and `Referer` headers. It waits in the session for
//! the page's next reading, which takes it out, so it is shown once and a reload shows it no
//! more (Post/Redirect/Get; answering the post with the page instead would make a reload post
//! again and create a second token).

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{
    routes::AppErrorPage,
    session,
    token_types::{parse_days, NewTokenView, TokenRefusal, TOKENS_PAGE},
    tokens::{self, TokenActor, TokenError},
};
use crate::{db::Db, error::AppError};

/// The session key of the secret waiting to be shown once.
const NEW_TOKEN_KEY: &str = "switchyard.new_token";

/// Where a visitor without a session is sent, coming back to the page afterwards.
const LOGIN_THEN_TOKENS: &str = "/login?next=%2Faccount%2Ftokens";

/// A new token's secret waiting in the session, for its owner only.
#[derive(Debug, Serialize, Deserialize)]
struct WaitingSecret {
    user_id: i64,
    token: NewTokenView,
}

/// The create form as posted. Missing fields read as empty, so a hand-made post gets the
/// page's refusal rather than a bare 422.
#[derive(Debug, Deserialize)]
pub struct CreateTokenForm {
    #[serde(default)]
    name: String,
    /// Days until it expires; empty for never.
    #[serde(default)]
    expires_in_days: String,
}

/// The revoke form as posted: the token's id, as text so that anything else is refused
/// with the page's sentence.
#[derive(Debug, Deserialize)]
pub struct RevokeTokenForm {
    #[serde(default)]
    id: String,
}

/// Creates a token for the logged-in user and leaves its secret for the page to show once,
/// or sends them back saying why not.
pub async fn create_token(
    State(db): State<Db>,
    session: Session,
    Form(form): Form<CreateTokenForm>,
) -> Result<Response, AppErrorPage> {
    let Some(user) = session::current_user(&session, &db).await? else {
        return Ok(Redirect::to(LOGIN_THEN_TOKENS).into_response());
    };
    let days = match parse_days(&form.expires_in_days) {
        Ok(days) => days,
        Err(rule) => return Ok(refused(TokenRefusal::Rule(rule))),
    };
    let created = tokens::create(&db, user.id, &form.name, days, TokenActor::owner(&user)).await;
    let token = match created {
        Ok(token) => token,
        Err(TokenError::Invalid(rule)) => return Ok(refused(TokenRefusal::Rule(rule))),
        Err(TokenError::NotOwner) => return Err(AppError::Forbidden.into()),
        Err(TokenError::Database(error)) => return Err(error.into()),
    };
    let waiting = WaitingSecret {
        user_id: user.id,
        token: NewTokenView {
            name: form.name.trim().to_owned(),
            secret: token.secret,
        },
    };
    session
        .insert(NEW_TOKEN_KEY, waiting)
        .await
        .map_err(AppError::internal)?;
    Ok(Redirect::to(TOKENS_PAGE).into_response())
}

/// Revokes one of the logged-in user's live tokens, or sends them back saying there is none
/// such; another user's token is refused the same way as an unknown one.
pub async fn revoke_token(
    State(db): State<Db>,
    session: Session,
    Form(form): Form<RevokeTokenForm>,
) -> Result<Response, AppErrorPage> {
    let Some(user) = session::current_user(&session, &db).await? else {
        return Ok(Redirect::to(LOGIN_THEN_TOKENS).into_response());
    };
    let Ok(id) = form.id.trim().parse::<i64>() else {
        return Ok(refused(TokenRefusal::NotRevocable));
    };
    if !tokens::revoke(&db, id, TokenActor::owner(&user)).await? {
        tracing::info!(
            user_id = user.id,
            token = id,
            "revoke refused: no live token of the user"
        );
        return Ok(refused(TokenRefusal::NotRevocable));
    }
    Ok(Redirect::to(&format!("{TOKENS_PAGE}?revoked=1")).into_response())
}

/// The secret created just before by `user_id`, taken out of the session as it is read. A
/// secret left by another login of the same browser is dropped unseen.
pub async fn take_new_token(
    session: &Session,
    user_id: i64,
) -> Result<Option<NewTokenView>, AppError> {
    // `remove` marks the session modified, so look first: most readings find nothing.
    let Some(stored) = session
        .get_value(NEW_TOKEN_KEY)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(None);
    };
    session
        .remove_value(NEW_TOKEN_KEY)
        .await
        .map_err(AppError::internal)?;
    // A value that does not read as a waiting secret is dropped, not a failed page.
    Ok(serde_json::from_value::<WaitingSecret>(stored)
        .ok()
        .filter(|waiting| waiting.user_id == user_id)
        .map(|waiting| waiting.token))
}

fn refused(refusal: TokenRefusal) -> Response {
    Redirect::to(&format!("{TOKENS_PAGE}?error={}", refusal.code())).into_response()
}
