//! Plain HTTP endpoints for logging in and out, and the guard that keeps console pages
//! behind a login. They are ordinary form posts, so they work with JavaScript off.

use axum::{
    extract::{FromRef, Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Extension, Form, Router,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{
    account, session,
    throttle::{Attempt, LoginGuard, PeerAddress, TooManyAttempts},
    token_forms, users,
};
use crate::{db::Db, error::AppError};

/// The login form as posted by `/login`.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// What the login page reads back after a failed attempt.
#[derive(Debug, Serialize)]
struct LoginRetry<'a> {
    error: &'static str,
    username: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
}

/// The login, logout, change-password and API token endpoints; the *pages* are rendered by
/// the app.
/// They need only the database from the router's state; `guard` throttles every password
/// attempt they take.
pub fn routes<S>(guard: LoginGuard) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Db: FromRef<S>,
{
    Router::new()
        .route("/login", post(log_in))
        .route("/logout", post(log_out).get(log_out_by_link))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(token_forms::create_token))
        .route("/account/tokens/revoke", post(token_forms::revoke_token))
        .layer(Extension(guard))
}

async fn log_in(
    State(db): State<Db>,
    Extension(guard): Extension<LoginGuard>,
    peer: PeerAddress,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppErrorPage> {
    let username = form.username.trim();
    // A throttled attempt is refused before the database or a hash is touched.
    guard.admit(
        guard.client_address(peer, &headers),
        username,
        Attempt::Login,
    )?;
    let user = users::find_active_by_username(&db, username).await?;
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    // One message for an unknown user and a wrong password, so the form never tells
    // whether an account exists; `verify` takes the same time in both cases.
    let permit = guard.hashing_permit(Attempt::Login).await?;
    let accepted = permit.verify(form.password, stored).await?;
    drop(permit);
    match user {
        Some(user) if accepted => {
            session::log_in(&session, &user).await?;
            tracing::info!(user = %user.username, "logged in");
            Ok(Redirect::to(safe_next(form.next.as_deref())).into_response())
        }
        known => {
            // What was typed is not logged: it may be a password typed in the wrong box,
            // and a control character in it would forge log lines.
            match known {
                Some(user) => tracing::info!(user_id = user.id, "failed login: wrong password"),
                None => tracing::info!("failed login: no such active user"),
            }
            let retry = LoginRetry {
                error: "credentials",
                username: echoed(username),
                next: form.next.as_deref().filter(|next| is_local_path(next)),
            };
            let query = serde_urlencoded::to_string(&retry).map_err(AppError::internal)?;
            Ok(Redirect::to(&format!("/login?{query}")).into_response())
        }
    }
}

async fn log_out(session: Session) -> Result<Redirect, AppErrorPage> {
    session::log_out(&session).await?;
    Ok(Redirect::to("/login?logged_out=1"))
}

/// `GET /logout` logs out when the user typed or followed it inside the console; a link
/// from another site only gets the login page, so no foreign page can end a session.
async fn log_out_by_link(session: Session, headers: HeaderMap) -> Result<Redirect, AppErrorPage> {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("none");
    if matches!(fetch_site, "same-origin" | "none") {
        log_out(session).await
    } else {
        Ok(Redirect::to("/"))
    }
}

/// Sends a visitor without a session to the login page, remembering where they were going.
/// Server functions (`/api/…`) check the session themselves and answer 401 instead.
pub async fn require_login(
    State(db): State<Db>,
    session: Session,
    request: Request,
    next: Next,
) -> Result<Response, AppErrorPage> {
    if is_public(request.uri().path()) || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return Ok(next.run(request).await);
    }
    if session::current_user(&session, &db).await?.is_some() {
        return Ok(next.run(request).await);
    }
    let wanted = request
        .uri()
        .path_and_query()
        .map(|path| path.as_str())
        .unwrap_or("/");
    let target = if wanted == "/" {
        "/login".to_owned()
    } else {
        let query = serde_urlencoded::to_string([("next", wanted)]).map_err(AppError::internal)?;
        format!("/login?{query}")
    };
    Ok(Redirect::to(&target).into_response())
}

/// Paths anyone may fetch: the login flow, health, assets, and server functions.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/logout" | "/health" | "/favicon.svg" | "/favicon.ico"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/api/")
}

/// Only a path on this site may follow a login, never another origin (`//evil`, `https:`). Browsers drop tabs and newlines from addresses and
/// read `\\` as `/`, so `/\t/evil.example` would leave the site: any control character,
/// space or backslash refuses the whole path.
fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// The longest username the login form shows again after a refusal.
const ECHOED_USERNAME: usize = 150;

/// What the login form shows again of a refused username: at most [`ECHOED_USERNAME`]
/// characters, cut at a character boundary.
fn echoed(username: &str) -> &str {
    match username.char_indices().nth(ECHOED_USERNAME) {
        Some((end, _)) => &username[..end],
        None => username,
    }
}

fn safe_next(next: Option<&str>) -> &str {
    next.filter(|next| is_local_path(next)).unwrap_or("/")
}

/// Why an auth endpoint answered without doing its work: an [`AppError`] (a plain text
/// answer with its status) or a throttled attempt (429, see [`TooManyAttempts`]).
#[derive(Debug)]
pub enum AppErrorPage {
    /// An error, answered with its status and sentence.
    Error(AppError),
    /// A password attempt refused by the throttle or for want of a hashing permit.
    Throttled(TooManyAttempts),
}

impl From<AppError> for AppErrorPage {
    fn from(error: AppError) -> Self {
        Self::Error(error)
    }
}

impl From<sqlx::Error> for AppErrorPage {
    fn from(error: sqlx::Error) -> Self {
        Self::Error(error.into())
    }
}

impl From<TooManyAttempts> for AppErrorPage {
    fn from(refusal: TooManyAttempts) -> Self {
        Self::Throttled(refusal)
    }
}

impl IntoResponse for AppErrorPage {
    fn into_response(self) -> Response {
        match self {
            Self::Error(error) => (
                error.status(),
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                error.to_string(),
            )
                .into_response(),
            Self::Throttled(refusal) => refusal.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_username_is_shown_again_at_most_150_characters_long() {
        assert_eq!(echoed("clerk"), "clerk");
        let long = "é".repeat(200);
        assert_eq!(echoed(&long).chars().count(), ECHOED_USERNAME);
    }

    #[test]
    fn only_local_paths_may_follow_a_login() {
        assert_eq!(safe_next(Some("/orders?state=new")), "/orders?state=new");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example/")), "/");
        assert_eq!(safe_next(Some("/orders\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/orders\u{0}")), "/");
        assert_eq!(safe_next(Some("/ /evil.example/")), "/");
    }
}
